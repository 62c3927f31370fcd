"""Guangdong gkmlpt mounted under a department prefix `/yjzjj/gkmlpt/`: an empty shell with
`window._CONFIG = {SID, TREE}`; the TREE has a 政府信息公开工作年度报告 node and a `jump_url`
node; the API `/yjzjj/gkmlpt/api/all/{id}?page=&sid=` has page size 100 and answers 404 for
page ≥ 2; details are `content/{id//1e6}/{id//1000}/post_{id}.html` with the body in
`_CONFIG.DETAIL` (field guide §1.4)."""

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
    as_json,
    file_resp,
    html,
    pdf,
    report_text,
)
from sampleweb.holdout.scripts import GKMLPT, JQUERY, js

HOST = "www.yunjiang.gov.cn"
NAME = "云江市住房和城乡建设局"
BASE = "/yjzjj/gkmlpt"
SID = "662021"


def _detail(title: str, year: int, attachments: list[dict[str, str]]) -> Resp:
    content = "".join(f"<p>{p}</p>" for p in report_text(NAME, year))
    detail = {"title": title, "content": content, "publisher": NAME, "attachment": attachments}
    data = json.dumps(detail, ensure_ascii=False).replace("<", "\\u003C").replace(">", "\\u003E")
    return html(
        title,
        f'<div id="app"></div><script>window._CONFIG = {{SID:"{SID}", DETAIL: {data}}};</script>'
        f'<script src="{BASE}/gkml/pc/js/jquery.js"></script><script src="{BASE}/gkml/pc/js/app.js"></script>',
    )


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    articles: list[dict[str, object]] = []
    arts: list[Step] = []
    files: list[Step] = []
    for n, year in enumerate(range(2024, 2018, -1)):
        pid = 963149 + n * 1811
        title = f"云江市住房和城乡建设局{year}年政府信息公开工作年度报告"
        path = f"{BASE}/content/{pid // 1000000}/{pid // 1000}/post_{pid}.html"
        atts = []
        if n % 2 == 0:
            fpath = f"/yjzjj/attachment/0/{pid // 10000}/{pid // 10}/{pid}.pdf"
            routes[(HOST, fpath)] = file_resp(pdf(title, report_text(NAME, year)))
            atts = [{"name": f"{title}.pdf", "url": u(HOST, fpath)}]
            docs.append(Doc(u(HOST, fpath), year, "yunjiang-zjj", title, "file"))
            files.append(Step(u(HOST, fpath), via=fpath))
        routes[(HOST, path)] = _detail(title, year, atts)
        docs.append(Doc(u(HOST, path), year, "yunjiang-zjj", title))
        arts.append(Step(u(HOST, path), via=f"{pid}"))
        articles.append(
            {
                "id": pid,
                "title": title,
                "url": u(HOST, path) if n % 3 else "",
                "date": 1706000000 + n,
                "publisher": NAME,
                "attachment": atts,
            }
        )
    gjj_path = f"{BASE}/content/0/970/post_970001.html"
    routes[(HOST, gjj_path)] = html(
        "云江市住房公积金2023年年度报告",
        "<h1>云江市住房公积金2023年年度报告</h1><p>缴存职工人数</p>",
    )
    stats = [
        {
            "id": 970001,
            "title": "云江市住房公积金2023年年度报告",
            "url": u(HOST, gjj_path),
            "date": 1711000000,
        }
    ]
    lists = {721: articles, 722: stats}

    def api(req: Req) -> Resp:
        cat = int(req.path.rsplit("/", 1)[1])
        if req.query.get("sid") != SID or cat not in lists:
            return Resp(404, b'{"message":"not found"}', "application/json")
        if int(req.query.get("page", "1")) >= 2:
            return Resp(404, b'{"message":"not found"}', "application/json")
        return as_json(
            {
                "total": len(lists[cat]),
                "classify": {"post_count": len(lists[cat])},
                "articles": lists[cat],
            }
        )

    for cat in (0, 721, 722):
        routes[(HOST, f"{BASE}/api/all/{cat}")] = api
    lists[0] = articles + stats
    for name, text in (("jquery.js", JQUERY), ("app.js", GKMLPT), ("chunk-common.3f2a.js", GKMLPT)):
        routes[(HOST, f"{BASE}/gkml/pc/js/{name}")] = js(text)
    tree = [
        {"id": 720, "name": "机构职能", "children": [], "post_count": 3},
        {
            "id": 721,
            "name": "政府信息公开工作年度报告",
            "children": [],
            "post_count": len(articles),
        },
        {"id": 722, "name": "统计信息", "children": [], "post_count": 1},
        {
            "id": 730,
            "name": "政务服务",
            "children": [],
            "post_count": 0,
            "jump_url": "http://www.gdzwfw.gov.cn/",
        },
    ]
    shell = (
        f'<div id="app"></div><script>window._CONFIG = {{SID:"{SID}", TREE: {json.dumps(tree, ensure_ascii=False)}}};</script>'
        f'<script src="{BASE}/gkml/pc/js/jquery.js"></script><script src="{BASE}/gkml/pc/js/chunk-common.3f2a.js"></script>'
    )
    routes[(HOST, f"{BASE}/index")] = html("政府信息公开目录", shell)
    routes[(HOST, "/yjzjj/index.html")] = html(
        NAME, f'<a href="{BASE}/index">政府信息公开</a> <a href="/yjzjj/xwdt/">新闻动态</a>'
    )
    steps = [
        Step(u(HOST, "/yjzjj/index.html")),
        Step(u(HOST, f"{BASE}/index"), via="gkmlpt/index"),
        Step(u(HOST, f"{BASE}/api/all/721?page=1&sid={SID}"), via=SID),
    ]
    return Site(
        id="yunjiang-zjj",
        platform="gkmlpt",
        dialect="dept prefix /yjzjj/gkmlpt/, SID+TREE shell, page>=2 404, jump_url, computed post URLs",
        owner="yunjiang-zjj",
        agencies=[agency("yunjiang-zjj", NAME, "city", "department", aliases=["云江市住建局"])],
        start_urls=[u(HOST, "/yjzjj/index.html")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        lookalikes=[u(HOST, gjj_path)],
        steps=steps + arts + files,
    )
