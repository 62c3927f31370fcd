"""Legacy ASP.NET WebForms in GBK: `InfoPublic.aspx?cid=1019` (cid 1019 = 政府信息公开年报)
shows page 1; pages 2… are POSTs of the form with `__EVENTTARGET=AspNetPager1`,
`__EVENTARGUMENT=N` and the `__VIEWSTATE` of the previous answer (a missing or foreign
state is a 500) (field guide §1.5, §1.7, §6 encoding)."""

from __future__ import annotations

import base64

from sampleweb.holdout.kit import (
    Doc,
    Handler,
    Req,
    Resp,
    Site,
    Step,
    Urls,
    agency,
    html,
    report_page,
)

HOST = "www.xizhou.gov.cn"
NAME = "西州区人民政府"
ENC = "gbk"
PER = 4


def _state(page: int) -> str:
    return base64.b64encode(
        f"/wEPDwUKMTY3ODU0;cid=1019;p={page};".encode() + bytes(range(40))
    ).decode()


def build(u: Urls) -> Site:
    routes: dict[tuple[str, str], Handler] = {}
    docs: list[Doc] = []
    items: list[tuple[str, str]] = []
    details: dict[str, Resp] = {}
    arts: list[Step] = []
    for year in range(2024, 2014, -1):
        title = f"西州区{year}年政府信息公开工作年度报告"
        iid = str(30000 + year)
        details[iid] = report_page(title, NAME, year, encoding=ENC)
        docs.append(Doc(u(HOST, f"/InfoDetail.aspx?id={iid}"), year, "xizhou", title))
        items.append((f"InfoDetail.aspx?id={iid}", title))
        arts.append(Step(u(HOST, f"/InfoDetail.aspx?id={iid}"), via=f"id={iid}"))
    bb = "39001"
    details[bb] = html(
        "西州区人民政府2024年政府网站工作年度报表",
        "<h1>政府网站工作年度报表</h1><p>网站标识码</p>",
        encoding=ENC,
    )
    items.append((f"InfoDetail.aspx?id={bb}", "西州区人民政府2024年政府网站工作年度报表"))
    guide = "39002"
    details[guide] = html(
        "西州区人民政府信息公开指南", "<h1>西州区人民政府信息公开指南</h1>", encoding=ENC
    )
    pages = [items[i : i + PER] for i in range(0, len(items), PER)]

    def listing(req: Req) -> Resp:
        if req.query.get("cid") == "1020":
            return html(
                "政府信息公开指南",
                f'<a href="InfoDetail.aspx?id={guide}">西州区人民政府信息公开指南</a>',
                encoding=ENC,
            )
        if req.query.get("cid") != "1019":
            return Resp(404, b"not found")
        page = 1
        if req.method == "POST":
            state = req.form.get("__VIEWSTATE", "")
            if req.form.get("__EVENTTARGET") != "AspNetPager1" or state not in {
                _state(p) for p in range(1, len(pages) + 1)
            }:
                return Resp(
                    500,
                    "<h2>'/'应用程序中的服务器错误。</h2>".encode(ENC),
                    "text/html; charset=gbk",
                )
            page = min(max(1, int(req.form.get("__EVENTARGUMENT") or 1)), len(pages))
        rows = "".join(
            f'<tr><td><a href="{h}" target="_blank">{t}</a></td></tr>' for h, t in pages[page - 1]
        )
        pager = " ".join(
            f"<a href=\"javascript:__doPostBack('AspNetPager1','{p}')\">{p}</a>"
            if p != page
            else f"<span>{p}</span>"
            for p in range(1, len(pages) + 1)
        )
        form = (
            '<form method="post" action="./InfoPublic.aspx?cid=1019&amp;pid=971" id="form1">'
            f'<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />'
            f'<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />'
            f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{_state(page)}" />'
            '<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="C2EE9ABB" />'
            "<script>function __doPostBack(t,a){var f=document.forms['form1'];f.__EVENTTARGET.value=t;"
            f"f.__EVENTARGUMENT.value=a;f.submit();}}</script><table>{rows}</table><div id='AspNetPager1'>{pager}</div></form>"
        )
        return html("政府信息公开年报", form, encoding=ENC, column="政府信息公开年报")

    def detail(req: Req) -> Resp:
        return details.get(req.query.get("id", ""), Resp(404, b"not found"))

    routes[(HOST, "/InfoPublic.aspx")] = listing
    routes[(HOST, "/InfoDetail.aspx")] = detail
    routes[(HOST, "/default.aspx")] = html(
        NAME,
        '<a href="InfoPublic.aspx?cid=1019&pid=971">政府信息公开年报</a> <a href="InfoPublic.aspx?cid=1020&pid=971">政府信息公开指南</a>',
        encoding=ENC,
    )
    lst = u(HOST, "/InfoPublic.aspx?cid=1019&pid=971")
    steps = [Step(u(HOST, "/default.aspx")), Step(lst, via="cid=1019")]
    for p in range(2, len(pages) + 1):
        form = {
            "__EVENTTARGET": "AspNetPager1",
            "__EVENTARGUMENT": str(p),
            "__VIEWSTATE": _state(p - 1),
            "__VIEWSTATEGENERATOR": "C2EE9ABB",
        }
        steps.append(
            Step(lst, "POST", form, {"Referer": lst}, via=f"__doPostBack('AspNetPager1','{p}')")
        )
    return Site(
        id="xizhou-gov",
        platform="aspnet",
        dialect="WebForms __doPostBack AspNetPager POST with VIEWSTATE, GBK pages",
        owner="xizhou",
        agencies=[agency("xizhou", NAME, "county", aliases=["西州区"])],
        start_urls=[u(HOST, "/default.aspx")],
        hosts=[HOST],
        routes=routes,
        docs=docs,
        encoding=ENC,
        steps=steps + arts,
        lookalikes=[u(HOST, f"/InfoDetail.aspx?id={bb}"), u(HOST, f"/InfoDetail.aspx?id={guide}")],
    )
