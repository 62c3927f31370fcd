"""Hanweb JCMS "加载更多": the column page embeds the first group as `<datastore>` XML and
the next groups come from GET `/module/web/jpage/morecolumndataproxy.jsp?page=N…`
(field guide §1.1); attachments on the Zhejiang government OSS host (§4); a county column
that carries its townships' reports, one township unregistered, and a 住房公积金 report."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

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

HOST = "www.qinglan.gov.cn"
OSS = "zjjcmspublic.oss-cn-hangzhou-zwynet-d01-a.internet.cloud.zj.gov.cn"
NAME = "青岚县人民政府"
MORE = "/module/web/jpage/morecolumndataproxy.jsp"
QS = "appid=1&webid=3&path=/&columnid=1229445&unitid=7312&webname=青岚县人民政府&permissiontype=0"
PER = 4
ENTRIES = [  # (issuer for the title, agency id, year)
    ("青岚县人民政府", "qinglan", 2024),
    ("城关镇人民政府", "qinglan-chengguan", 2024),
    ("溪口镇", "qinglan-xikou", 2024),
    ("南山乡人民政府", "", 2024),
    ("青岚县人民政府", "qinglan", 2023),
    ("城关镇人民政府", "qinglan-chengguan", 2023),
    ("溪口镇", "qinglan-xikou", 2023),
    ("青岚县人民政府", "qinglan", 2022),
    ("青岚县人民政府", "qinglan", 2021),
]


def _datastore(records: list[str], total: int, nextpage: int | None) -> str:
    recs = "".join(f"<record><![CDATA[{r}]]></record>" for r in records)
    nxt = (
        f'<nextgroup><![CDATA[<a href="{MORE}?page={nextpage}&{QS}">加载更多</a>]]></nextgroup>'
        if nextpage
        else ""
    )
    return f"<datastore>{nxt}<recordset>{recs}</recordset><totalrecord>{total}</totalrecord><totalpage>{-(-total // PER)}</totalpage></datastore>"


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    records: list[str] = []
    arts: list[Step] = []
    files: list[Step] = []
    for n, (issuer, aid, year) in enumerate(ENTRIES):
        title = f"{issuer}{year}年政府信息公开工作年度报告"
        art = f"/art/{year + 1}/1/{22 - n}/art_1229445_{59012345 + n * 13}.html"
        key = hashlib.md5(title.encode()).hexdigest()
        oss = u(OSS, f"/jcms_files/jcms1/web3/site/attach/0/{key}.pdf")
        routes[(OSS, f"/jcms_files/jcms1/web3/site/attach/0/{key}.pdf")] = file_resp(
            pdf(title, report_text(issuer, year))
        )
        routes[(HOST, art)] = report_page(
            title, issuer, year, extra=f'<p>附件：<a href="{oss}">{title}.pdf</a></p>'
        )
        docs += [
            Doc(u(HOST, art), year, aid or "南山乡人民政府", title),
            Doc(oss, year, aid or "南山乡人民政府", title, "file"),
        ]
        records.append(
            f"<li><a href='{art}' title='{title}'>{title}</a><span>{year + 1}-01-{22 - n}</span></li>"
        )
        arts.append(Step(u(HOST, art), via=art))
        files.append(Step(oss, via=key))
    gjj = "/art/2024/3/30/art_1229445_59012999.html"
    routes[(HOST, gjj)] = html(
        "青岚县住房公积金2023年年度报告",
        "<h1>青岚县住房公积金2023年年度报告</h1><p>一、机构概况 二、业务运行情况</p>",
    )
    records.insert(
        5,
        f"<li><a href='{gjj}' title='青岚县住房公积金2023年年度报告'>青岚县住房公积金2023年年度报告</a><span>2024-03-30</span></li>",
    )
    groups = [records[i : i + PER] for i in range(0, len(records), PER)]

    def more(req: Req) -> Resp:
        if req.query.get("columnid") != "1229445":
            return Resp(
                body=b"<datastore><recordset></recordset></datastore>",
                ctype="text/xml;charset=UTF-8",
            )
        page = int(req.query.get("page", "1"))
        chunk = groups[page - 1] if 1 <= page <= len(groups) else []
        nxt = page + 1 if page < len(groups) else None
        return Resp(
            body=_datastore(chunk, len(records), nxt).encode(), ctype="text/xml;charset=UTF-8"
        )

    routes[(HOST, MORE)] = more
    routes[(HOST, "/module/web/jpage/jquery.js")] = js(JQUERY)
    routes[(HOST, "/module/web/jpage/jpage.js")] = js(JPAGE)
    column = (
        f'<div id="7312"><script type="text/xml">{_datastore(groups[0], len(records), 2)}</script>'
        f"<script src='/module/web/jpage/jquery.js'></script><script src='/module/web/jpage/jpage.js'></script>"
        f"<script>$('#7312').jpage({{proxyUrl:'{MORE}', perPage:{PER}, loadMore:true}});</script></div>"
    )
    routes[(HOST, "/col/col1229445/index.html")] = html(
        "政府信息公开年报", column, column="政府信息公开年报"
    )
    routes[(HOST, "/")] = html(
        NAME,
        '<a href="/col/col1229445/index.html">政府信息公开年报</a> <a href="/col/col1229440/index.html">政府信息公开指南</a>',
    )
    steps = [Step(u(HOST, "/")), Step(u(HOST, "/col/col1229445/index.html"), via="col1229445")]
    steps += [
        Step(u(HOST, f"{MORE}?page={p}&{quote(QS, safe='=&/')}"), via=f"page={p}")
        for p in range(2, len(groups) + 1)
    ]
    county = agency("qinglan", NAME, "county", aliases=["青岚县"])
    towns = [
        agency(
            "qinglan-chengguan", "城关镇人民政府", "township", aliases=["城关镇"], parent="qinglan"
        ),
        agency("qinglan-xikou", "溪口镇人民政府", "township", aliases=["溪口镇"], parent="qinglan"),
    ]
    return Site(
        id="qinglan-gov",
        platform="hanweb",
        dialect="morecolumndataproxy.jsp?page= 加载更多, OSS attachments, townships",
        owner="qinglan",
        agencies=[county, *towns],
        start_urls=[u(HOST, "/")],
        hosts=[HOST, OSS],
        routes=routes,
        docs=docs,
        lookalikes=[u(HOST, gjj)],
        steps=steps + arts + files,
    )
