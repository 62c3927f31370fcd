"""Hanweb jpaas: the 年报 sub-column `/col/col7731/nb/index.html` is a shell whose list comes
from POST `/api-gateway/jpaas-publish-server/front/page/build/unit` with the page's
`queryData` (a hash `pageId`, a Chinese `tagId`) and compact `paramJson`; without Referer,
X-Requested-With or with spaced JSON it answers 403 (field guide §1.2)."""

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
    as_json,
    html,
    report_page,
)
from sampleweb.holdout.scripts import JPAAS, JQUERY, js

HOST = "www.jingang.gov.cn"
NAME = "金港区人民政府"
API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
PAGE_ID = "4b1f0e9c2d7a4f55b1c3a0e8d6f29a71"
QUERY = {
    "webId": "3818",
    "tplSetId": "a1f0c2d3e4",
    "pageType": "column",
    "tagId": "概览信息列表",
    "editType": "null",
    "pageId": PAGE_ID,
}
SIZE = 5


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    rows: list[str] = []
    arts: list[Step] = []
    for year in range(2024, 2016, -1):
        title = f"金港区{year}年政府信息公开工作年度报告"
        art = f"/art/{year + 1}/art_{hashlib.md5(title.encode()).hexdigest()}.html"
        routes[(HOST, art)] = report_page(
            title, NAME, year, container='<div class="article-conter">{}</div>'
        )
        docs.append(Doc(u(HOST, art), year, "jingang", title))
        rows.append(
            f'<li class="cf"><a href="{art}" title="{title}">{title}</a><span>{year + 1}-01-28</span></li>'
        )
        arts.append(Step(u(HOST, art), via=art))
    bb = "/art/2024/art_5d41402abc4b2a76b9719d911017c592.html"
    routes[(HOST, bb)] = html(
        "金港区人民政府2023年政府网站工作年度报表",
        "<h1>政府网站工作年度报表</h1><p>填报单位：金港区人民政府办公室</p>",
    )
    rows.insert(
        2,
        f'<li class="cf"><a href="{bb}" title="2023年政府网站工作年度报表">2023年政府网站工作年度报表</a><span>2024-01-15</span></li>',
    )

    def unit(req: Req) -> Resp:
        args = {**req.query, **req.form}
        if req.headers.get("x-requested-with") != "XMLHttpRequest" or not req.headers.get(
            "referer"
        ):
            return Resp(403, b'{"success":false,"message":"forbidden"}', "application/json")
        raw = args.get("paramJson", '{"pageNo":1,"pageSize":5}')
        if " " in raw or args.get("pageId") != PAGE_ID or args.get("webId") != "3818":
            return Resp(403, b'{"success":false,"message":"forbidden"}', "application/json")
        param = json.loads(raw)
        no, size = int(param.get("pageNo", 1)), min(int(param.get("pageSize", SIZE)), SIZE)
        chunk = rows[(no - 1) * size : no * size]
        frag = f'<ul class="list">{"".join(chunk)}</ul><div class="pagination" rows="{size}" count="{len(rows)}"></div>'
        return as_json({"success": True, "data": {"html": frag, "total": len(rows)}})

    routes[(HOST, API)] = unit
    routes[(HOST, "/module/jquery.js")] = js(JQUERY)
    routes[(HOST, "/static/jpaas/unit-loader.js")] = js(JPAAS)
    qd = json.dumps(QUERY, ensure_ascii=False).replace('"', "'")
    shell = (
        f'<div class="main"><div id="list"></div><script url="{API}" queryData="{qd}" paramJson="{{\'pageNo\':1,\'pageSize\':{SIZE}}}"></script></div>'
        '<script src="/module/jquery.js"></script><script src="/static/jpaas/unit-loader.js"></script>'
    )
    routes[(HOST, "/col/col7731/nb/index.html")] = html(
        "政府信息公开年报", shell, column="政府信息公开年报"
    )
    routes[(HOST, "/col/col7731/index.html")] = html(
        "政务公开",
        '<a href="/col/col7731/nb/index.html">政府信息公开年报</a> <a href="/col/col7731/zn/index.html">政府信息公开指南</a>',
    )
    routes[(HOST, "/")] = html(NAME, '<a href="/col/col7731/index.html">政务公开</a>')
    steps = [
        Step(u(HOST, "/")),
        Step(u(HOST, "/col/col7731/index.html"), via="col7731"),
        Step(u(HOST, "/col/col7731/nb/index.html"), via="/nb/index.html"),
    ]
    head = {"Referer": u(HOST, "/col/col7731/nb/index.html"), "X-Requested-With": "XMLHttpRequest"}
    for no in range(1, -(-len(rows) // SIZE) + 1):
        form = {
            "parseType": "buildstatic",
            **QUERY,
            "paramJson": json.dumps({"pageNo": no, "pageSize": SIZE}, separators=(",", ":")),
        }
        steps.append(Step(u(HOST, API), "POST", form, head, via=PAGE_ID))
    return Site(
        id="jingang-gov",
        platform="jpaas",
        dialect="build/unit POST, hash pageId from queryData, compact paramJson, 403 without XHR headers",
        owner="jingang",
        agencies=[agency("jingang", NAME, "county", aliases=["金港区"])],
        start_urls=[u(HOST, "/")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        lookalikes=[u(HOST, bb)],
        steps=steps + arts,
    )
