"""Anhui-style 信息公开目录 on a county xxgk subdomain: each organ's 年报 category page is a
shell that POSTs to the label engine `/site/label/8888` (`labelName=publicInfoList`,
`organId`, `catId`, `pageIndex`, `file=/xsxxgk/publicInfoList-xs`); past the end the answer
is `暂无相关信息`. The county's directory hosts its townships' organs; details are
`/public/{organId}/{id}.html`, attachments FastDFS `/group6/M00/…` (field guide §1.5)."""

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
from sampleweb.holdout.scripts import JQUERY, js

HOST = "xxgk.huaxi.gov.cn"
ORGANS = [  # organId, catId, name, agency id, years
    ("6596421", "7143651", "华溪县人民政府", "huaxi", [2024, 2023, 2022, 2021, 2020]),
    ("6596431", "7143702", "华阳镇人民政府", "huaxi-huayang", [2024, 2023]),
    ("6596441", "7143755", "溪口乡人民政府", "huaxi-xikou", [2024]),
]
SIZE = 15


def _column(organ: str, cat: str) -> Handler:
    """An organ's column page: the 年报 category's shell, or a placeholder for the others."""

    def answer(req: Req) -> Resp:
        if req.query.get("catId") == cat:
            return html("政府信息公开年报", _script(organ, cat))
        return html("信息公开", "<p>栏目建设中</p>")

    return answer


def _script(organ: str, cat: str) -> str:
    return (
        "<script src='/static/js/jquery.js'></script><div id='publicInfoList'></div><script>$.ajax({url:'/site/label/8888', type:'post', dataType:'html', "
        f"data:{{IsAjax:1, dataType:'html', labelName:'publicInfoList', siteId:6781, pageSize:{SIZE}, pageIndex:1, "
        f"action:'list', isDate:true, dateFormat:'yyyy-MM-dd', length:50, organId:'{organ}', type:4, catId:'{cat}', "
        "cId:'', result:'暂无相关信息', file:'/xsxxgk/publicInfoList-xs'}, success:function(d){$('#publicInfoList').html(d);}});</script>"
    )


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    lists: dict[tuple[str, str], list[str]] = {}
    steps = [Step(u(HOST, "/"))]
    labels: list[Step] = []
    arts: list[Step] = []
    files: list[Step] = []
    links = []
    look = []
    for organ, cat, name, aid, years in ORGANS:
        rows = []
        for n, year in enumerate(years):
            iid = int(organ[-2:]) * 100000 + year * 10 + n
            title = f"{name}{year}年政府信息公开工作年度报告"
            path = f"/public/{organ}/{iid}.html"
            extra = ""
            if year >= 2022:
                fpath = f"/group6/M00/0A/{iid % 97:02X}/wKgBC2{iid}.docx"
                routes[(HOST, fpath)] = file_resp(docx(title, report_text(name, year)), DOCX)
                extra = f'<p>附件：<a href="{fpath}">{title}.docx</a></p>'
                docs.append(Doc(u(HOST, fpath), year, aid, title, "file"))
                files.append(Step(u(HOST, fpath), via=fpath))
            routes[(HOST, path)] = report_page(
                title, name, year, extra=extra, container='<div class="j-fontContent">{}</div>'
            )
            docs.append(Doc(u(HOST, path), year, aid, title))
            arts.append(Step(u(HOST, path), via=path))
            rows.append(
                f'<li><a href="{path}" title="{title}" target="_blank">{title}</a><span class="date">{year + 1}-01-20</span></li>'
            )
        if organ == "6596421":
            guide = f"/public/{organ}/9000001.html"
            routes[(HOST, guide)] = html(
                "华溪县人民政府信息公开指南",
                "<h1>华溪县人民政府信息公开指南</h1><p>一、主动公开</p>",
            )
            rows.insert(
                1,
                f'<li><a href="{guide}" title="华溪县人民政府信息公开指南">华溪县人民政府信息公开指南</a><span class="date">2024-06-01</span></li>',
            )
            look.append(u(HOST, guide))
        lists[(organ, cat)] = rows
        page = f"/public/column/{organ}"
        routes[(HOST, page)] = _column(organ, cat)
        links.append(f'<a href="{page}?type=4&catId={cat}&action=list">{name} 政府信息公开年报</a>')
        steps.append(Step(u(HOST, f"{page}?type=4&catId={cat}&action=list"), via=f"catId={cat}"))
        form = {
            "IsAjax": "1",
            "dataType": "html",
            "labelName": "publicInfoList",
            "siteId": "6781",
            "pageSize": str(SIZE),
            "pageIndex": "1",
            "action": "list",
            "organId": organ,
            "type": "4",
            "catId": cat,
            "file": "/xsxxgk/publicInfoList-xs",
        }
        labels.append(Step(u(HOST, "/site/label/8888"), "POST", form, via="/site/label/8888"))

    def label(req: Req) -> Resp:
        args = {**req.query, **req.form}
        rows = lists.get((args.get("organId", ""), args.get("catId", "")), [])
        size, index = int(args.get("pageSize", SIZE)), int(args.get("pageIndex", 1))
        chunk = rows[(index - 1) * size : index * size]
        if args.get("labelName") != "publicInfoList" or not chunk:
            return Resp(body="<div class='xxgk_nav_con'>暂无相关信息</div>".encode())
        pages = -(-len(rows) // size)
        return Resp(
            body=f"<ul class='clearfix xxgk_nav_list'>{''.join(chunk)}</ul><div class='pagination' data-total='{pages}'></div>".encode()
        )

    routes[(HOST, "/site/label/8888")] = label
    routes[(HOST, "/static/js/jquery.js")] = js(JQUERY)
    routes[(HOST, "/")] = html("华溪县政府信息公开网", "<h2>信息公开目录</h2>" + "<br>".join(links))
    agencies = [
        agency("huaxi", "华溪县人民政府", "county", aliases=["华溪县"]),
        agency("huaxi-huayang", "华阳镇人民政府", "township", aliases=["华阳镇"], parent="huaxi"),
        agency("huaxi-xikou", "溪口乡人民政府", "township", aliases=["溪口乡"], parent="huaxi"),
    ]
    return Site(
        id="huaxi-xxgk",
        platform="anhui-label",
        dialect="site/label/8888 publicInfoList POST per organ, townships on the county xxgk host, FastDFS docx",
        owner="huaxi",
        agencies=agencies,
        start_urls=[u(HOST, "/")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        lookalikes=look,
        steps=steps + labels + arts + files,
    )
