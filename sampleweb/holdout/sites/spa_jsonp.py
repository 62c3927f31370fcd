"""An SPA shell: `/xxgk/xxgknb/` is a few hundred bytes, the list is drawn by a script that
loads the TRS govsearch JSONP API `/govsearch/jsonp/zf_jd_list.jsp?page=N&lb=xxgknb&callback=result&channelId=5521`
(field guide §1.3 govsearch, §1.8 shells). The script really renders (browser crawlers see the list)."""

from __future__ import annotations

import json

from sampleweb.holdout.kit import (
    Doc,
    Handler,
    Req,
    Resp,
    Site,
    Step,
    Urls,
    agency,
    file_resp,
    html,
    pdf,
    report_page,
    report_text,
)

HOST = "www.hannan.gov.cn"
NAME = "汉南县人民政府"
API = "/govsearch/jsonp/zf_jd_list.jsp"
SIZE = 5
APP = """var API = "/govsearch/jsonp/zf_jd_list.jsp", page = 1;
function result(d) {
  var h = "";
  d.data.forEach(function (x) { h += '<li><a href="' + x.url + '">' + x.title + '</a><span>' + x.date + '</span></li>'; });
  document.getElementById("list").insertAdjacentHTML("beforeend", h);
  if (page < d.pageCount) { page += 1; load(page); }
}
function load(p) {
  var s = document.createElement("script");
  s.src = API + "?page=" + p + "&lb=xxgknb&callback=result&sword=&channelId=5521";
  document.body.appendChild(s);
}
load(page);
"""


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    data = []
    arts: list[Step] = []
    files: list[Step] = []
    for n, year in enumerate(range(2024, 2015, -1)):
        title = f"汉南县{year}年政府信息公开工作年度报告"
        path = f"/xxgk/xxgknb/{year + 1}02/t{year + 1}0201_{5521}_{n + 1}.html"
        extra = ""
        if year >= 2021:
            fpath = f"/xxgk/xxgknb/{year + 1}02/P0{year + 1}0201{n}88.pdf"
            routes[(HOST, fpath)] = file_resp(pdf(title, report_text(NAME, year)))
            extra = f'<a href="./P0{year + 1}0201{n}88.pdf">附件下载</a>'
            docs.append(Doc(u(HOST, fpath), year, "hannan", title, "file"))
            files.append(Step(u(HOST, fpath), via=f"P0{year + 1}0201{n}88.pdf"))
        routes[(HOST, path)] = report_page(title, NAME, year, extra=extra)
        docs.append(Doc(u(HOST, path), year, "hannan", title))
        data.append({"title": title, "url": u(HOST, path), "date": f"{year + 1}-02-01"})
        arts.append(Step(u(HOST, path), via=path))
    count = -(-len(data) // SIZE)

    def api(req: Req) -> Resp:
        page = int(req.query.get("page", "1"))
        cb = req.query.get("callback", "callback")
        chunk = (
            data[(page - 1) * SIZE : page * SIZE] if req.query.get("channelId") == "5521" else []
        )
        body = json.dumps(
            {"total": len(data), "pageCount": count, "data": chunk}, ensure_ascii=False
        )
        return Resp(body=f"{cb}({body})".encode(), ctype="application/javascript;charset=UTF-8")

    routes[(HOST, API)] = api
    routes[(HOST, "/xxgk/static/js/nb.app.js")] = Resp(
        body=APP.encode(), ctype="application/javascript"
    )
    shell = (
        '<div id="app"><ul id="list"></ul></div><script src="/xxgk/static/js/nb.app.js"></script>'
    )
    routes[(HOST, "/xxgk/xxgknb/")] = html("政府信息公开年报", shell)
    steps = [
        Step(u(HOST, "/xxgk/xxgknb/")),
        Step(u(HOST, "/xxgk/static/js/nb.app.js"), via="nb.app.js"),
    ]
    steps += [
        Step(
            u(HOST, f"{API}?page={p}&lb=xxgknb&callback=result&sword=&channelId=5521"),
            via="zf_jd_list.jsp",
        )
        for p in range(1, count + 1)
    ]
    return Site(
        id="hannan-gov",
        platform="spa-jsonp",
        dialect="SPA shell, list from govsearch JSONP API, relative P0 attachments",
        owner="hannan",
        agencies=[agency("hannan", NAME, "county", aliases=["汉南县"])],
        start_urls=[u(HOST, "/xxgk/xxgknb/")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        steps=steps + arts + files,
    )
