"""Sichuan county xxgk with `ewb-` markup (probably 新点 Epoint): `iList.jsp?node_id=&cat_id=&cur_page=N`,
an old report pinned on top of page 1 (date order broken), past the end an empty list
(`暂无数据`), downloads through `download.jsp?fileid=` with a raw-GBK Content-Disposition
name and no extension in the URL (field guide §1.5, §4)."""

from __future__ import annotations

from sampleweb.holdout.kit import (
    DOCX,
    Doc,
    Handler,
    Req,
    Resp,
    Site,
    Step,
    Urls,
    agency,
    docx,
    file_resp,
    html,
    report_page,
    report_text,
)

HOST = "www.mingzhou.gov.cn"
NAME = "明州县人民政府"
Q = "node_id=GKmzx&cat_id=15971"
PER = 4


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    rows: list[str] = []
    pages_by_id: dict[str, Resp] = {}
    files_by_id: dict[str, Resp] = {}
    arts: list[Step] = []
    files: list[Step] = []
    for year in [2014, *range(2024, 2015, -1)]:  # 2014 is pinned
        title = f"明州县{year}年政府信息公开工作年度报告"
        iid = f"{year}0{year % 7}a3f"
        extra = ""
        if year >= 2020:
            fid = f"{year}c9e1"
            files_by_id[fid] = file_resp(
                docx(title, report_text(NAME, year)), DOCX, f"{title}.docx", gbk=True
            )
            extra = f'<div class="ewb-info-attach"><a href="/info/download.jsp?fileid={fid}">附件：{title}</a></div>'
            docs.append(
                Doc(u(HOST, f"/info/download.jsp?fileid={fid}"), year, "mingzhou", title, "file")
            )
            files.append(Step(u(HOST, f"/info/download.jsp?fileid={fid}"), via=f"fileid={fid}"))
        pages_by_id[iid] = report_page(
            title, NAME, year, extra=extra, container='<div class="ewb-info-bd">{}</div>'
        )
        detail = f"/info/iDetail.jsp?{Q}&info_id={iid}"
        docs.append(Doc(u(HOST, detail), year, "mingzhou", title))
        top = ' <em class="ewb-top">置顶</em>' if year == 2014 else ""
        rows.append(
            f'<li class="ewb-list-node"><a href="iDetail.jsp?{Q}&amp;info_id={iid}" class="ewb-list-name">{title}</a>{top}<span class="ewb-list-date">{year + 1}-01-16</span></li>'
        )
        arts.append(Step(u(HOST, detail), via=f"info_id={iid}"))
    pages = [rows[i : i + PER] for i in range(0, len(rows), PER)]

    def ilist(req: Req) -> Resp:
        if req.query.get("cat_id") != "15971":
            return html("信息公开", '<div class="ewb-list-none">暂无数据</div>')
        cur = int(req.query.get("cur_page", "1") or 1)
        chunk = pages[cur - 1] if 1 <= cur <= len(pages) else []
        body = (
            f'<ul class="ewb-list">{"".join(chunk)}</ul>'
            if chunk
            else '<div class="ewb-list-none">暂无数据</div>'
        )
        nav = f'<div class="ewb-page"><a href="iList.jsp?{Q}&amp;cur_page={cur + 1}" class="ewb-page-next">下一页</a></div>'
        return html("政府信息公开年报", body + nav, column="政府信息公开年报")

    routes[(HOST, "/info/iList.jsp")] = ilist
    routes[(HOST, "/info/iDetail.jsp")] = lambda req: pages_by_id.get(
        req.query.get("info_id", ""), Resp(404, b"not found")
    )
    routes[(HOST, "/info/download.jsp")] = lambda req: files_by_id.get(
        req.query.get("fileid", ""), Resp(404, b"not found")
    )
    routes[(HOST, "/")] = html(
        NAME,
        f'<div class="ewb-nav"><a href="/info/iList.jsp?{Q}&cur_page=1">政府信息公开年报</a> <a href="/info/iList.jsp?node_id=GKmzx&cat_id=15970&cur_page=1">政府信息公开指南</a></div>',
    )
    steps = [Step(u(HOST, "/"))]
    steps += [
        Step(u(HOST, f"/info/iList.jsp?{Q}&cur_page={p}"), via=f"cur_page={p}")
        for p in range(1, len(pages) + 1)
    ]
    return Site(
        id="mingzhou-gov",
        platform="epoint",
        dialect="ewb- iList.jsp cur_page, pinned old report, download.jsp GBK Content-Disposition",
        owner="mingzhou",
        agencies=[agency("mingzhou", NAME, "county", aliases=["明州县"])],
        start_urls=[u(HOST, "/")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        steps=steps + arts + files,
    )
