"""A TRS WCM county site (岚皋县-like) served in GBK.

- `/zwgk/zfxxgknb/index.html`, `index_1.html`, … paginated by `createPageHTML(N, i, "index",
  "html")`; beyond the last page the server keeps answering empty lists (endless pagination);
- some pages declare GBK in the Content-Type header, others only in `<meta charset="gb2312">`;
- reports as HTML pages and as direct pdf/doc/wps/xls/et/ofd/zip links (`P0…` file names);
- a report under `/zwgk/nbbk/`, which robots.txt forbids; a calendar with endless months.
"""

from __future__ import annotations

import re
from html import escape

from sampleweb.assets_files import generated, report_asset
from sampleweb.model import Attachment, Change, Request, Resource, SiteContent, SiteTruth
from sampleweb.render import docx_bytes, html_fragment, ofd_bytes, zip_of
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
    Item,
    article_html,
    decoy_page,
    report_truth,
    synth_text,
)
from sampleweb.texts import seed_text, with_year

COLUMN = "/zwgk/zfxxgknb/"
PER_PAGE = 6
ENC = "gbk"

# (title, agency, registered, generated stem, file name, content type, date)
DIRECT_FILES = (
    (
        "岚皋县财政局2020年政府信息公开工作年度报告",
        "岚皋县财政局",
        True,
        "langao-czj-2020",
        "P020210125553311.pdf",
        "application/pdf",
        "2021-01-25",
    ),
    (
        "岚皋县教育体育局2020年度政府信息公开工作年度报告",
        "岚皋县教育体育局",
        True,
        "langao-jtj-2020",
        "P020210126461122.doc",
        "application/msword",
        "2021-01-26",
    ),
    (
        "岚皋县民政局2020年政府信息公开工作年度报告",
        "岚皋县民政局",
        False,
        "langao-mzj-2020",
        "P020210127337788.wps",
        "application/octet-stream",
        "2021-01-27",
    ),
    (
        "岚皋县统计局2020年政府信息公开工作年度报告（统计表）",
        "岚皋县统计局",
        True,
        "langao-tjj-2020",
        "P020210128224455.xls",
        "application/vnd.ms-excel",
        "2021-01-28",
    ),
    (
        "岚皋县卫生健康局2020年政府信息公开工作年度报告",
        "岚皋县卫生健康局",
        False,
        "langao-wjj-2020",
        "P020210129116633.et",
        "application/octet-stream",
        "2021-01-29",
    ),
)


def _relative(link: str) -> str:
    return "./" + link[len(COLUMN) :] if link.startswith(COLUMN) else link


class TrsGbkSite(SiteBuilder):
    id = "langao-gov"
    title = "岚皋县人民政府"
    server_name = "TRS WCM"

    def registry(self) -> RegistryPart:
        agencies = [
            AgencyEntry(
                "langao",
                "岚皋县人民政府",
                "county",
                "government",
                ("岚皋县政府", "岚皋县"),
                None,
                "610925",
            ),
            AgencyEntry("langao-czj", "岚皋县财政局", "county", "department", (), "langao"),
            AgencyEntry(
                "langao-jtj",
                "岚皋县教育体育局",
                "county",
                "department",
                ("岚皋县教体局",),
                "langao",
            ),
            AgencyEntry("langao-tjj", "岚皋县统计局", "county", "department", (), "langao"),
            AgencyEntry("langao-zrzyj", "岚皋县自然资源局", "county", "department", (), "langao"),
            AgencyEntry(
                "langao-zjj",
                "岚皋县住房和城乡建设局",
                "county",
                "department",
                ("岚皋县住建局",),
                "langao",
            ),
            AgencyEntry("langao-sjj", "岚皋县审计局", "county", "department", (), "langao"),
            AgencyEntry(
                "chengguan", "岚皋县城关镇人民政府", "township", "government", ("城关镇",), "langao"
            ),
        ]
        # not registered on purpose: 岚皋县民政局, 岚皋县卫生健康局
        site = SiteEntry(self.id, "langao", (self.url(COLUMN + "index.html"),), "never")
        return RegistryPart(agencies, [site])

    def changes(self) -> list[Change]:
        return [Change("deleted", "城关镇", 2020, self.url(COLUMN + "202102/t20210205_1010.html"))]

    def _page(
        self, title: str, date: str, body: str, files: list[tuple[str, str]], *, header: bool
    ) -> Resource:
        doc = html_document(
            title, article_html(title, date, body, files, source=self.title), meta_charset="gb2312"
        )
        return html_resource(doc, encoding=ENC, header_charset=header, modified=at(date))

    def items(self, state: str) -> list[Item]:
        check_state(state)
        items: list[Item] = []
        # the county's own report: an HTML page with pdf/wps/docx renderings attached
        text = seed_text("001")
        item = Item(
            "岚皋县2020年度政府信息公开工作年度报告",
            "2021-01-28",
            COLUMN + "202101/t20210128_1001.html",
            "report",
        )
        files: list[tuple[str, bytes, str, str]] = [
            (
                "P020210128390011.docx",
                docx_bytes(text),
                "岚皋县2020年度政府信息公开工作年度报告.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        ]
        for ext, ctype in (("pdf", "application/pdf"), ("doc", "application/msword")):
            data = report_asset(f"seed001.{ext}")
            if data is not None:
                files.append(
                    (f"P02021012839001{len(files)}.{ext}", data, f"岚皋县2020年度报告.{ext}", ctype)
                )
        items.append(
            self._with_files(item, html_fragment(text), files, "岚皋县", True, 2020, header=True)
        )

        item = Item(
            "岚皋县2019年度政府信息公开工作年度报告",
            "2020-03-12",
            COLUMN + "202003/t20200312_0871.html",
            "report",
        )
        items.append(
            self._with_files(
                item,
                html_fragment(with_year(text, 2020, 2019)),
                [],
                "岚皋县",
                True,
                2019,
                header=False,
            )
        )

        for title, agency, registered, stem, name, ctype, date in DIRECT_FILES:
            path = f"{COLUMN}{date[:4]}{date[5:7]}/{name}"
            items.append(
                self._direct(title, agency, registered, date, path, generated(stem), ctype)
            )

        ofd_text = synth_text("岚皋县自然资源局", 2020, 16)
        items.append(
            self._direct(
                "岚皋县自然资源局2020年政府信息公开工作年度报告",
                "岚皋县自然资源局",
                True,
                "2021-01-30",
                COLUMN + "202101/P020210130771199.ofd",
                ofd_bytes(ofd_text),
                "application/octet-stream",
            )
        )
        zjj = synth_text("岚皋县住房和城乡建设局", 2020, 17)
        archive = zip_of(
            {"岚皋县住房和城乡建设局2020年政府信息公开工作年度报告.docx": docx_bytes(zjj)}
        )
        items.append(
            self._direct(
                "岚皋县住房和城乡建设局2020年政府信息公开工作年度报告",
                "岚皋县住房和城乡建设局",
                True,
                "2021-01-31",
                COLUMN + "202101/P020210131882200.zip",
                archive,
                "application/zip",
            )
        )

        # robots.txt forbids /zwgk/nbbk/
        item = Item(
            "岚皋县审计局2020年政府信息公开工作年度报告",
            "2021-01-22",
            "/zwgk/nbbk/202101/t20210122_1009.html",
            "report",
        )
        items.append(
            self._with_files(
                item,
                html_fragment(synth_text("岚皋县审计局", 2020, 18)),
                [],
                "岚皋县审计局",
                True,
                2020,
                header=False,
                reason="robots",
            )
        )
        if state == "before":
            item = Item(
                "城关镇2020年政府信息公开工作年度报告",
                "2021-02-05",
                COLUMN + "202102/t20210205_1010.html",
                "report",
            )
            items.append(
                self._with_files(
                    item,
                    html_fragment(synth_text("岚皋县城关镇人民政府", 2020, 19)),
                    [],
                    "城关镇",
                    True,
                    2020,
                    header=False,
                )
            )
        decoy_dates = [
            "2020-12-20",
            "2020-05-11",
            "2021-03-25",
            "2021-01-05",
            "2021-02-08",
            "2021-08-30",
            "2021-01-20",
        ]
        for i, (title, date) in enumerate(zip(DECOY_TITLES, decoy_dates, strict=True)):
            full = title if title.startswith("关于") else f"岚皋县{title}"
            path = f"{COLUMN}{date[:4]}{date[5:7]}/t{date.replace('-', '')}_{700 + i}.html"
            item = Item(full, date, path, "decoy")
            item.resources[path] = decoy_page(full, date, encoding=ENC, meta="gb2312")
            if i == 0:
                item.resources[path].body = item.resources[path].body.replace(
                    "</div></body>".encode(ENC),
                    f'<a href="./P020201220000001.doc">{escape("附件：报告模板")}</a></div></body>'.encode(
                        ENC
                    ),
                )
            items.append(item)
        items.sort(key=lambda i: (i.date, i.path), reverse=True)
        return items

    def _with_files(
        self,
        item: Item,
        body: str,
        files: list[tuple[str, bytes, str, str]],
        agency: str,
        registered: bool,
        year: int,
        *,
        header: bool,
        reason: str | None = None,
    ) -> Item:
        folder = item.path.rsplit("/", 1)[0] + "/"
        links = [(f"./{name}", shown) for name, _d, shown, _c in files]
        item.resources[item.path] = self._page(item.title, item.date, body, links, header=header)
        found: list[Attachment] = []
        for name, data, shown, ctype in files:
            item.resources[folder + name] = attachment_resource(
                data, content_type=ctype, disposition="none", modified=at(item.date)
            )
            found.append(attachment_truth(self.url(folder + name), data, shown))
        item.report = report_truth(
            self.id,
            agency,
            registered,
            year,
            item.title,
            self.url(item.path),
            found,
            item.date,
            reason=reason,
        )
        return item

    def _direct(
        self,
        title: str,
        agency: str,
        registered: bool,
        date: str,
        path: str,
        data: bytes,
        ctype: str,
    ) -> Item:
        item = Item(title, date, path, "report")
        item.resources[path] = attachment_resource(
            data, content_type=ctype, disposition="none", modified=at(date)
        )
        found = [attachment_truth(self.url(path), data, path.rsplit("/", 1)[1])]
        item.report = report_truth(
            self.id, agency, registered, int(title[len(agency) :][:4]), title, None, found, date
        )
        return item

    def _list_page(self, chunk: list[Item], index: int, pages: int) -> Resource:
        lis = "".join(
            f'<li><a href="{escape(_relative(i.link))}" target="_blank" title="{escape(i.title)}">'
            f"{escape(i.title)}</a><span>{i.date}</span></li>"
            for i in chunk
        )
        body = (
            f'<div class="list"><h2>政府信息公开年报</h2><ul>{lis}</ul>'
            f'<div class="page"><script language="JavaScript">\n'
            f"var currentPage = {index};var countPage = {pages};\n"
            f'createPageHTML({pages}, {index}, "index", "html");\n</script>'
            f'<a href="./index_{index + 1}.html">下一页</a></div>'
            f'<p><a href="/site/calendar.jsp?ym=2021-01">日历</a></p></div>'
        )
        doc = html_document(f"政府信息公开年报_{self.title}", body, meta_charset="gb2312")
        modified = at(max((i.date for i in chunk), default="2021-01-01"))
        return html_resource(doc, encoding=ENC, header_charset=index == 0, modified=modified)

    def build(self, state: str) -> SiteContent:
        items = self.items(state)
        pages: dict[str, Resource] = {}
        for item in items:
            pages.update(item.resources)
        listed = items
        n_pages = max(1, -(-len(listed) // PER_PAGE))
        for index in range(n_pages):
            chunk = listed[index * PER_PAGE : (index + 1) * PER_PAGE]
            name = "index.html" if index == 0 else f"index_{index}.html"
            pages[COLUMN + name] = self._list_page(chunk, index, n_pages)
        pages["/robots.txt"] = Resource(
            b"User-agent: *\nDisallow: /zwgk/nbbk/\nDisallow: /search/\n", "text/plain"
        )
        pages["/"] = html_resource(
            html_document(
                self.title,
                f'<a href="{COLUMN}index.html">政府信息公开年报</a>'
                '<a href="/site/calendar.jsp?ym=2021-01">日历</a>',
                meta_charset="gb2312",
            ),
            encoding=ENC,
        )
        endless = re.compile(re.escape(COLUMN) + r"index_(\d+)\.html$")

        def beyond_last(request: Request) -> Resource | None:
            match = endless.match(request.path)
            if not match or int(match.group(1)) < n_pages:
                return None
            return self._list_page([], int(match.group(1)), n_pages)

        calendar_re = re.compile(r"^(\d{4})-(\d{2})$")

        def calendar(request: Request) -> Resource | None:
            if request.path != "/site/calendar.jsp":
                return None
            match = calendar_re.match(request.query.get("ym", ""))
            if not match:
                return Resource(b"bad ym", "text/plain", status=400, conditional=False)
            y, m = int(match.group(1)), int(match.group(2))
            prev_ym = f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"
            next_ym = f"{y + 1}-01" if m == 12 else f"{y}-{m + 1:02d}"
            days = "".join(f"<td>{d}</td>" for d in range(1, 29))
            body = (
                f'<h2>{y}年{m}月</h2><a href="/site/calendar.jsp?ym={prev_ym}">上个月</a> '
                f'<a href="/site/calendar.jsp?ym={next_ym}">下个月</a><table><tr>{days}</tr></table>'
            )
            return html_resource(html_document("日历", body, meta_charset="gb2312"), encoding=ENC)

        truth = SiteTruth()
        truth.reports = [i.report for i in items if i.report]
        truth.decoys = [self.url(i.path) for i in items if i.kind == "decoy"]
        truth.min_fetches = ["GET " + self.url("/robots.txt")] + [
            "GET " + self.url(COLUMN + ("index.html" if k == 0 else f"index_{k}.html"))
            for k in range(n_pages)
        ]
        for r in truth.reports:
            if r.expected:
                truth.min_fetches += ["GET " + u for u in r.urls]
        truth.traps = [
            self.url(f"{COLUMN}index_{n_pages + 5}.html"),
            self.url("/site/calendar.jsp?ym=2031-01"),
        ]
        truth.broken_links = [self.url(COLUMN + "202012/P020201220000001.doc")]
        return SiteContent(pages=pages, dynamic=[beyond_last, calendar], truth=truth)
