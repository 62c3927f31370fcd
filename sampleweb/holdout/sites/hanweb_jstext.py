"""Hanweb JCMS, old Gansu dialect: the column page holds no records, only the jpage set-up;
the list comes from a POST to `/module/jslib/jquery/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=`
answered as JavaScript text `totalRecord=13.0;totalPage = 2;dataStore = [ "<li>…", … ]`
(field guide §1.1). Attachments go through `downfile.jsp` → 302 → `/attach/0/…` with a GBK
Content-Disposition name (§4)."""

from __future__ import annotations

import hashlib
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
from sampleweb.holdout.scripts import JPAGE, JQUERY, js

HOST = "www.longxi.gov.cn"
NAME = "陇溪县人民政府"
PROXY = "/module/jslib/jquery/jpage/dataproxy.jsp"
JQ = "/module/jslib/jquery/jquery.js"
JPAGE_JS = "/module/jslib/jquery/jpage/jquery.page.min.js"
PARAMS = "{col:1,appid:1,webid:12,path:'/',columnid:4821,sourceContentType:3,unitid:18877,webname:'陇溪县人民政府',permissiontype:0}"
FORM = {
    "col": "1",
    "appid": "1",
    "webid": "12",
    "path": "/",
    "columnid": "4821",
    "sourceContentType": "3",
    "unitid": "18877",
    "webname": NAME,
    "permissiontype": "0",
}


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    records: list[str] = []
    steps = [Step(u(HOST, "/")), Step(u(HOST, "/col/col4821/index.html"), via="col4821")]
    arts: list[Step] = []
    files: list[Step] = []
    for n, year in enumerate(range(2024, 2011, -1)):
        title = f"陇溪县{year}年政府信息公开工作年度报告"
        art = f"/art/{year + 1}/1/{9 + n}/art_4821_{88123 - n * 7}.html"
        extra = ""
        if year >= 2019:
            key = hashlib.md5(title.encode()).hexdigest()
            down = f"/module/download/downfile.jsp?classid=0&filename={key}.pdf"
            extra = f'<p>附件：<a href="{down}">{title}.pdf</a></p>'
            routes[(HOST, f"/attach/0/{key}.pdf")] = file_resp(
                pdf(title, report_text(NAME, year)), filename=f"{title}.pdf", gbk=True
            )
            docs.append(
                Doc(
                    u(HOST, down),
                    year,
                    "longxi",
                    title,
                    "file",
                    aliases=[u(HOST, f"/attach/0/{key}.pdf")],
                )
            )
            files += [
                Step(u(HOST, down), via="downfile.jsp"),
                Step(u(HOST, f"/attach/0/{key}.pdf"), via=f"/attach/0/{key}.pdf"),
            ]
        routes[(HOST, art)] = report_page(title, NAME, year, extra=extra)
        docs.append(Doc(u(HOST, art), year, "longxi", title))
        records.append(
            f"<li><a href='{art}' title='{title}' target='_blank'>{title}</a><span>{year + 1}-01-{9 + n:02d}</span></li>"
        )
        arts.append(Step(u(HOST, art), via=art))

    def proxy(req: Req) -> Resp:
        if (
            req.method != "POST"
            or req.form.get("columnid") != "4821"
            or req.form.get("unitid") != "18877"
        ):
            return Resp(
                body=b"\n\n\ntotalRecord=0;totalPage = 0;dataStore = [];",
                ctype="text/html;charset=UTF-8",
            )
        start = max(1, int(req.query.get("startrecord", "1")))
        end = int(req.query.get("endrecord", str(start + 9)))
        per = max(1, int(req.query.get("perpage", "10")))
        chunk = records[start - 1 : end]
        pages = -(-len(records) // per)
        text = (
            "\n" * 12
            + f"totalRecord={len(records)}.0;totalPage = {pages};dataStore = [ "
            + ", ".join(json.dumps(r, ensure_ascii=False) for r in chunk)
            + " ];"
        )
        return Resp(body=text.encode(), ctype="text/html;charset=UTF-8")

    def downfile(req: Req) -> Resp:
        name = req.query.get("filename", "")
        if (HOST, f"/attach/0/{name}") not in routes:
            return Resp(404, b"file not found")
        return Resp(302, b"", headers={"Location": f"/attach/0/{name}"})

    routes[(HOST, PROXY)] = proxy
    routes[(HOST, JQ)] = js(JQUERY)
    routes[(HOST, JPAGE_JS)] = js(JPAGE)
    routes[(HOST, "/module/download/downfile.jsp")] = downfile
    routes[(HOST, "/")] = html(
        NAME,
        '<a href="/col/col4821/index.html">政府信息公开年报</a> <a href="/col/col4822/index.html">政府信息公开指南</a>',
    )
    routes[(HOST, "/col/col4822/index.html")] = html(
        "政府信息公开指南", "<h1>陇溪县人民政府信息公开指南</h1><p>一、主动公开</p>"
    )
    column = (
        "<div id='div18877'></div>"
        f"<script src='{JQ}'></script><script src='{JPAGE_JS}'></script>"
        f"<script>$(function(){{ $('#div18877').jpage({{ proxyUrl:'{PROXY}', perPage:10, totalRecord:{len(records)}, "
        f"groupSize:3, barPosition:'bottom', ajaxParam:{PARAMS} }}); }});</script>"
    )
    routes[(HOST, "/col/col4821/index.html")] = html(
        "政府信息公开年报", column, column="政府信息公开年报"
    )
    steps.append(
        Step(
            u(HOST, f"{PROXY}?startrecord=1&endrecord=30&perpage=10"),
            "POST",
            dict(FORM),
            {"Referer": u(HOST, "/col/col4821/index.html"), "X-Requested-With": "XMLHttpRequest"},
            via=PROXY,
        )
    )
    return Site(
        id="longxi-gov",
        platform="hanweb",
        dialect="jslib dataproxy POST record range, JS-text totalRecord=…;dataStore=[…], downfile 302",
        owner="longxi",
        agencies=[agency("longxi", NAME, "county", aliases=["陇溪县"])],
        start_urls=[u(HOST, "/")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        lookalikes=[u(HOST, "/col/col4822/index.html")],
        steps=steps + arts + files,
    )
