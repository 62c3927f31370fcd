"""A Hanweb JCMS county site (宁海县-like): one column carrying many agencies' reports.

- `/col/col1229051395/index.html`: the first records inline in `<script type="text/xml">`,
  the rest from `POST /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=`
  with `columnid`/`unitid` form fields;
- articles `/art/Y/M/D/art_1229051395_N.html` (and `?print=1` print views);
- attachments through `/module/download/downfile.jsp?classid=0&filename=…` with
  Content-Disposition names in raw GBK bytes or RFC 5987, one `.doc` that is really docx.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl

from sampleweb.assets_files import generated
from sampleweb.model import Attachment, Change, Request, Resource, SiteContent, SiteTruth
from sampleweb.render import docx_bytes, html_fragment
from sampleweb.sites.base import (
    AgencyEntry,
    RegistryPart,
    SiteBuilder,
    SiteEntry,
    at,
    attachment_resource,
    attachment_truth,
    check_state,
    html_document,
    html_resource,
)
from sampleweb.sites.items import (
    DECOY_TITLES,
    FILLER_TITLES,
    Item,
    article_html,
    decoy_page,
    report_truth,
    synth_text,
)
from sampleweb.texts import renamed, replace_table_cell, seed_text, with_year

COLUMN = "1229051395"
UNIT = "5473"
WEBID = "3"
PER_PAGE = 10
DATAPROXY = "/module/web/jpage/dataproxy.jsp"
DOWNFILE = "/module/download/downfile.jsp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# renders the inline records, and fetches further pages from the dataproxy on demand
JPAGE_JS = r"""
function jpage_render(div, xml) {
  var recs = xml.getElementsByTagName('record'), ul = document.createElement('ul');
  for (var i = 0; i < recs.length; i++) { ul.insertAdjacentHTML('beforeend', recs[i].textContent); }
  div.appendChild(ul);
}
function jpage_load(cfg, start, end) {
  var div = document.getElementById(cfg.unitid);
  var inline = div.querySelector('script[type="text/xml"]');
  jpage_render(div, new DOMParser().parseFromString(inline.textContent, 'text/xml'));
  var more = document.createElement('a');
  more.href = '#'; more.id = 'jpage-more'; more.textContent = '下一页';
  more.onclick = function () {
    var body = 'col=' + cfg.col + '&appid=' + cfg.appid + '&webid=' + cfg.webid + '&path=' + encodeURIComponent(cfg.path) +
      '&columnid=' + cfg.columnid + '&sourceContentType=' + cfg.sourceContentType + '&unitid=' + cfg.unitid +
      '&webname=' + encodeURIComponent(cfg.webname) + '&permissiontype=' + cfg.permissiontype;
    fetch(cfg.proxyUrl + '?startrecord=' + start + '&endrecord=' + end + '&perpage=' + cfg.perPage,
          {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: body})
      .then(function (r) { return r.text(); })
      .then(function (t) { jpage_render(div, new DOMParser().parseFromString(t, 'text/xml')); });
    return false;
  };
  if (cfg.totalRecord >= start) { div.appendChild(more); }
}
"""


def _art_path(date: str, n: int) -> str:
    y, m, d = (int(x) for x in date.split("-"))
    return f"/art/{y}/{m}/{d}/art_{COLUMN}_{n}.html"


def _record(item: Item) -> str:
    return (
        f'<li><a href="{escape(item.link)}" title="{escape(item.title)}" target="_blank">'
        f"{escape(item.title)}</a><span>{item.date}</span></li>"
    )


def datastore(items: list[Item], next_start: int | None, total: int) -> str:
    """A JCMS datastore: the records, the total, and the link to the next group."""
    nextgroup = (
        f'<a href="{DATAPROXY}?page={next_start}&amp;appid=1&amp;webid={WEBID}&amp;path=/'
        f"&amp;columnid={COLUMN}&amp;unitid={UNIT}&amp;webname=宁海县人民政府"
        '&amp;permissiontype=0"></a>'
        if next_start
        else ""
    )
    records = "".join(f"<record><![CDATA[{_record(i)}]]></record>\n" for i in items)
    return (
        f"<datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n"
        f"<recordset>\n{records}</recordset><totalrecord>{total}</totalrecord></datastore>"
    )


class HanwebCountySite(SiteBuilder):
    id = "ninghai-gov"
    title = "宁海县人民政府"
    server_name = "JCMS/6.0 (Hanweb)"

    def registry(self) -> RegistryPart:
        agencies = [
            AgencyEntry(
                "ninghai",
                "宁海县人民政府",
                "county",
                "government",
                ("宁海县政府", "宁海县"),
                None,
                "330226",
            ),
            AgencyEntry(
                "changjie", "长街镇人民政府", "township", "government", ("长街镇",), "ninghai"
            ),
            AgencyEntry(
                "sangzhou", "桑洲镇人民政府", "township", "government", ("桑洲镇",), "ninghai"
            ),
            AgencyEntry(
                "taoyuan", "桃源街道办事处", "township", "government", ("桃源街道",), "ninghai"
            ),
            AgencyEntry("ninghai-jyj", "宁海县教育局", "county", "department", (), "ninghai"),
            AgencyEntry(
                "ninghai-fgj",
                "宁海县发展和改革局",
                "county",
                "department",
                ("宁海县发改局",),
                "ninghai",
            ),
        ]
        # not registered on purpose: 岔路镇, 宁海县农业农村局
        site = SiteEntry(self.id, "ninghai", (self.url(f"/col/col{COLUMN}/index.html"),), "auto")
        return RegistryPart(agencies, [site])

    def changes(self) -> list[Change]:
        return [
            Change(
                "edited",
                "长街镇",
                2020,
                self.url(_art_path("2021-01-07", 3601)),
                note="政府集中采购 采购项目数量 24 → 26",
            ),
            Change(
                "copied",
                "桑洲镇",
                2020,
                self.url(_art_path("2021-03-02", 3688)),
                note="长街镇2020年度报告 with the names changed",
            ),
        ]

    # ------------------------------------------------------------------ content

    def _article(
        self,
        item: Item,
        body_html: str,
        files: list[tuple[str, bytes, str, str, str]],  # (path, data, filename, disposition, ctype)
        source: str,
        extra: str = "",
    ) -> list[Attachment]:
        links = [(p, name) for p, _d, name, _disp, _ct in files]
        modified = at(item.date)
        page = article_html(item.title, item.date, body_html, links, source=source, extra=extra)
        printed = article_html(
            item.title, item.date, body_html, links, source=source, print_view=True
        )
        item.resources[item.path] = html_resource(
            html_document(item.title, page), modified=modified
        )
        item.resources[item.path + "?print=1"] = html_resource(
            html_document(item.title, printed, furniture=False), modified=modified
        )
        found: list[Attachment] = []
        for path, data, name, disposition, ctype in files:
            item.resources[path] = attachment_resource(
                data, content_type=ctype, filename=name, disposition=disposition, modified=modified
            )
            found.append(attachment_truth(self.url(path), data, name))
        return found

    def _report(
        self,
        title: str,
        date: str,
        n: int,
        agency: str,
        registered: bool,
        year: int,
        text: str | None,
        files: list[tuple[str, bytes, str, str, str]],
        extra: str = "",
        link_suffix: str = "",
    ) -> Item:
        item = Item(title, date, _art_path(date, n), "report", link_suffix=link_suffix)
        body = html_fragment(text) if text else "<p>详见附件。</p>"
        found = self._article(item, body, files, agency, extra)
        item.report = report_truth(
            self.id, agency, registered, year, title, self.url(item.path), found, date
        )
        return item

    def items(self, state: str) -> list[Item]:
        check_state(state)
        changjie = seed_text("000")
        if state == "after":
            changjie = replace_table_cell(changjie, "政府集中采购", 1, "26")
        nh2020 = synth_text("宁海县人民政府", 2020, 101)
        jyj = synth_text("宁海县教育局", 2020, 102)
        items = [
            self._report(
                "长街镇2020年度政府信息公开年度报告",
                "2021-01-07",
                3601,
                "长街镇",
                True,
                2020,
                changjie,
                [
                    (
                        f"{DOWNFILE}?classid=0&filename=210107093012345.docx",
                        docx_bytes(changjie),
                        "长街镇2020年度政府信息公开年度报告.docx",
                        "gbk",
                        "application/octet-stream",
                    )
                ],
                extra=f'<p>相关链接：<a href="{_art_path("2020-12-01", 9999)}">2019年度报告解读</a></p>',
            ),
            self._report(
                "长街镇2019年度政府信息公开年度报告",
                "2020-01-16",
                2203,
                "长街镇",
                True,
                2019,
                with_year(seed_text("000"), 2020, 2019),
                [],
                link_suffix=";jsessionid=8A1C0E7F3B2D4A5E9F60718293A4B5C6",
            ),
            self._report(
                "长街镇2021年度政府信息公开工作年度报告",
                "2022-01-12",
                4410,
                "长街镇",
                True,
                2021,
                with_year(seed_text("000"), 2020, 2021),
                [],
            ),
            self._report(
                "宁海县人民政府2020年政府信息公开工作年度报告",
                "2021-01-29",
                3650,
                "宁海县人民政府",
                True,
                2020,
                nh2020,
                [
                    (
                        f"{DOWNFILE}?classid=0&filename=210129101122334.docx",
                        docx_bytes(nh2020),
                        "宁海县人民政府2020年政府信息公开工作年度报告.docx",
                        "rfc5987",
                        DOCX,
                    )
                ],
            ),
            self._report(
                "宁海县人民政府2019年政府信息公开工作年度报告",
                "2020-03-20",
                2290,
                "宁海县人民政府",
                True,
                2019,
                synth_text("宁海县人民政府", 2019, 103),
                [],
            ),
            self._report(
                "宁海县教育局2020年度政府信息公开工作报告",
                "2021-01-20",
                3622,
                "宁海县教育局",
                True,
                2020,
                None,
                [
                    (
                        f"{DOWNFILE}?classid=0&filename=210120150233445.doc",
                        docx_bytes(jyj),
                        "宁海县教育局2020年度政府信息公开工作报告.doc",
                        "gbk",
                        "application/msword",
                    )
                ],
            ),
            self._report(
                "宁海县农业农村局2020年政府信息公开工作年度报告",
                "2021-01-25",
                3633,
                "宁海县农业农村局",
                False,
                2020,
                None,
                [
                    (
                        f"{DOWNFILE}?classid=0&filename=210125083355667.pdf",
                        generated("ninghai-nyj-2020"),
                        "210125083355667.pdf",
                        "none",
                        "application/pdf",
                    )
                ],
            ),
            self._report(
                "岔路镇2020年政府信息公开工作年度报告",
                "2021-02-03",
                3670,
                "岔路镇",
                False,
                2020,
                synth_text("岔路镇", 2020, 104),
                [],
            ),
            self._report(
                "桃源街道2020年政府信息公开工作年度报告",
                "2021-02-05",
                3675,
                "桃源街道",
                True,
                2020,
                synth_text("桃源街道", 2020, 105),
                [],
            ),
            self._report(
                "宁海县发展和改革局2020年政府信息公开工作年度报告",
                "2021-01-30",
                3640,
                "宁海县发展和改革局",
                True,
                2020,
                synth_text("宁海县发展和改革局", 2020, 106),
                [],
            ),
        ]
        if state == "after":
            copied = renamed(renamed(seed_text("000"), "长街镇", "桑洲镇"), "cj_xxgk", "sz_xxgk")
            items.append(
                self._report(
                    "桑洲镇2020年度政府信息公开年度报告",
                    "2021-03-02",
                    3688,
                    "桑洲镇",
                    True,
                    2020,
                    copied,
                    [],
                )
            )
        decoy_dates = [
            "2020-12-15",
            "2020-06-01",
            "2021-04-10",
            "2021-01-02",
            "2021-02-10",
            "2021-03-30",
            "2021-02-20",
        ]
        for i, (title, date) in enumerate(zip(DECOY_TITLES, decoy_dates, strict=True)):
            full = title if title.startswith("关于") else f"宁海县{title}"
            item = Item(full, date, _art_path(date, 5000 + i), "decoy")
            item.resources[item.path] = decoy_page(full, date)
            items.append(item)
        for i, title in enumerate(FILLER_TITLES):
            date = f"2021-0{1 + i % 4}-{10 + i:02d}"
            item = Item(f"宁海县{title}", date, _art_path(date, 6000 + i), "filler")
            body = f"<p>{escape(title)}。</p>"
            item.resources[item.path] = html_resource(
                html_document(
                    item.title, article_html(item.title, date, body, [], source="县政府办")
                ),
                modified=at(date),
            )
            items.append(item)
        items.sort(key=lambda i: (i.date, i.path), reverse=True)
        return items

    def build(self, state: str) -> SiteContent:
        items = self.items(state)
        pages: dict[str, Resource] = {}
        for item in items:
            pages.update(item.resources)
        total = len(items)
        first = items[:PER_PAGE]
        column_body = (
            f'<div class="column"><h2>政府信息公开年度报告</h2><div id="{UNIT}">'
            f'<script type="text/xml">{datastore(first, PER_PAGE + 1 if total > PER_PAGE else None, total)}'
            f"</script>"
            f'<script language="javascript" src="/module/web/jpage/jpage.js"></script>'
            f"<script>var jpage_cfg = {{totalRecord: {total}, perPage: {PER_PAGE}, "
            f"proxyUrl: '{DATAPROXY}', columnid: '{COLUMN}', unitid: '{UNIT}', webid: '{WEBID}', "
            f"col: 1, appid: 1, path: '/', sourceContentType: 1, webname: '宁海县人民政府', "
            f"permissiontype: 0}};\n"
            f"jpage_load(jpage_cfg, {PER_PAGE + 1}, {PER_PAGE * 3});</script></div></div>"
        )
        modified = at(max(i.date for i in items))
        pages[f"/col/col{COLUMN}/index.html"] = html_resource(
            html_document("政府信息公开年度报告_宁海县人民政府", column_body), modified=modified
        )
        pages["/"] = html_resource(
            html_document(
                "宁海县人民政府",
                f'<ul class="nav"><li><a href="/col/col{COLUMN}/index.html">政府信息公开年报</a></li>'
                '<li><a href="/col/col1229000001/index.html">政务动态</a></li></ul>',
            ),
            modified=modified,
        )
        pages["/module/web/jpage/jpage.js"] = Resource(
            JPAGE_JS.encode("utf-8"),
            "application/javascript; charset=utf-8",
            last_modified=at("2019-06-01"),
        )
        pages["/robots.txt"] = Resource(
            b"User-agent: *\nDisallow: /module/search/\n", "text/plain", furniture=False
        )

        def dataproxy(request: Request) -> Resource | None:
            if request.path != DATAPROXY:
                return None
            if request.method != "POST":
                return Resource(b"method not allowed", "text/plain", status=405, conditional=False)
            form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
            try:
                start = int(request.query.get("startrecord", "1"))
                end = int(request.query.get("endrecord", str(start + PER_PAGE - 1)))
            except ValueError:
                return Resource(
                    b"bad startrecord/endrecord", "text/plain", status=400, conditional=False
                )
            chosen = items[start - 1 : end] if form.get("columnid") == COLUMN else []
            nxt = end + 1 if form.get("columnid") == COLUMN and end < total else None
            xml = '<?xml version="1.0" encoding="UTF-8"?>' + datastore(
                chosen, nxt, total if form.get("columnid") == COLUMN else 0
            )
            return Resource(xml.encode("utf-8"), "text/xml;charset=UTF-8", last_modified=modified)

        truth = SiteTruth()
        truth.reports = [i.report for i in items if i.report]
        truth.decoys = [self.url(i.path) for i in items if i.kind == "decoy"]
        truth.min_fetches = [
            "GET " + self.url("/robots.txt"),
            "GET " + self.url(f"/col/col{COLUMN}/index.html"),
        ]
        if total > PER_PAGE:
            truth.min_fetches.append(
                "POST "
                + self.url(
                    f"{DATAPROXY}?startrecord={PER_PAGE + 1}&endrecord={PER_PAGE * 3}&perpage={PER_PAGE}"
                )
            )
        for r in truth.reports:
            truth.min_fetches += ["GET " + u for u in r.urls]
        truth.traps = [
            self.url(items[0].path + "?print=1"),
            self.url(
                _art_path("2020-01-16", 2203) + ";jsessionid=8A1C0E7F3B2D4A5E9F60718293A4B5C6"
            ),
        ]
        truth.broken_links = [self.url(_art_path("2020-12-01", 9999))]
        return SiteContent(pages=pages, dynamic=[dataproxy], truth=truth)
