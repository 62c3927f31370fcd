"""A plain static city site (淮安市-like) carrying the real PDF reports of 2023–2024.

Reports are linked through a download endpoint whose URLs carry no extension
(`/module/download.jsp?fileid=N`, the type must be sniffed, the name comes from an RFC 5987
Content-Disposition) or directly (`/uploadfile/….pdf`). The 2021 template docx hangs off a
look-alike (年度报告格式). Files come from assets/reports (the extraction team's copies of
../shared/reports/real); a missing file leaves its report out of the site and the truth.
"""

from __future__ import annotations

from html import escape

from sampleweb.assets_files import report_asset
from sampleweb.model import Attachment, Resource, SiteContent, SiteTruth
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
from sampleweb.sites.items import Item, article_html, report_truth

LIST = "/zfxxgk/ndbg/index.html"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# (asset, title, agency, registered, year, date, how it is linked)
REAL_REPORTS = (
    ("real-huaian-city-2024.pdf", "淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府", True,
     2024, "2025-01-20", "endpoint"),
    ("real-hongze-district-2024.pdf", "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
     "淮安市洪泽区人民政府", True, 2024, "2025-01-17", "direct"),
    ("real-hongze-district-2023.pdf", "洪泽区人民政府2023年政府信息公开工作年度报告", "洪泽区人民政府", True,
     2023, "2024-01-19", "page"),
)  # fmt: skip


class StaticCitySite(SiteBuilder):
    id = "huaian-gov"
    title = "淮安市人民政府"

    def registry(self) -> RegistryPart:
        agencies = [
            AgencyEntry("huaian", "淮安市人民政府", "city", "government", ("淮安市",), None, "320800"),
            AgencyEntry("hongze", "淮安市洪泽区人民政府", "county", "government",
                        ("洪泽区人民政府", "洪泽区"), "huaian", "320813"),
        ]  # fmt: skip
        return RegistryPart(agencies, [SiteEntry(self.id, "huaian", (self.url(LIST),), "never")])

    def items(self, state: str) -> list[Item]:
        check_state(state)
        items: list[Item] = []
        for n, (asset, title, agency, registered, year, date, how) in enumerate(REAL_REPORTS):
            data = report_asset(asset)
            if data is None:
                continue
            found: list[Attachment]
            if how == "endpoint":
                path = f"/module/download.jsp?fileid={4411 + n}"
                item = Item(title, date, path, "report")
                item.resources[path] = attachment_resource(
                    data, content_type="application/octet-stream", filename=f"{title}.pdf",
                    disposition="rfc5987", modified=at(date),
                )  # fmt: skip
                found = [attachment_truth(self.url(path), data, f"{title}.pdf")]
                item.report = report_truth(
                    self.id, agency, registered, year, title, None, found, date
                )
            elif how == "direct":
                path = f"/uploadfile/{date[:4]}/{date[5:7]}{date[8:]}/{asset}"
                item = Item(title, date, path, "report")
                item.resources[path] = attachment_resource(
                    data, content_type="application/pdf", disposition="none", modified=at(date)
                )
                found = [attachment_truth(self.url(path), data, asset)]
                item.report = report_truth(
                    self.id, agency, registered, year, title, None, found, date
                )
            else:
                path = f"/zfxxgk/ndbg/{date[:4]}{date[5:7]}/t{date.replace('-', '')}_{900 + n}.html"
                pdf = f"/uploadfile/{date[:4]}/{date[5:7]}{date[8:]}/{asset}"
                item = Item(title, date, path, "report")
                body = f"<p>{escape(title)}全文见附件。</p>"
                page = article_html(title, date, body, [(pdf, f"{title}.pdf")], source=agency)
                item.resources[path] = html_resource(html_document(title, page), modified=at(date))
                item.resources[pdf] = attachment_resource(
                    data, content_type="application/pdf", disposition="none", modified=at(date)
                )
                found = [attachment_truth(self.url(pdf), data, asset)]
                item.report = report_truth(
                    self.id, agency, registered, year, title, self.url(path), found, date
                )
            items.append(item)
        template = report_asset("real-template-2021.docx")
        if template is not None:
            title = "中华人民共和国政府信息公开工作年度报告格式（2021年版）"
            path = "/zfxxgk/ndbg/202107/t20210715_800.html"
            item = Item(title, "2021-07-15", path, "decoy")
            doc_path = "/uploadfile/2021/0715/template-2021.docx"
            page = article_html(
                title, item.date, "<p>现将年度报告格式转发给你们，请遵照执行。</p>",
                [(doc_path, "年度报告格式.docx")], source="市政府办公室",
            )  # fmt: skip
            item.resources[path] = html_resource(html_document(title, page), modified=at(item.date))
            item.resources[doc_path] = attachment_resource(
                template, content_type=DOCX, disposition="none", modified=at(item.date)
            )
            items.append(item)
        items.sort(key=lambda i: (i.date, i.path), reverse=True)
        return items

    def build(self, state: str) -> SiteContent:
        items = self.items(state)
        pages: dict[str, Resource] = {}
        for item in items:
            pages.update(item.resources)
        lis = "".join(
            f'<li><a href="{escape(i.link)}">{escape(i.title)}</a><span>{i.date}</span></li>'
            for i in items
        )
        pages[LIST] = html_resource(
            html_document(f"政府信息公开年度报告_{self.title}", f"<ul>{lis}</ul>"),
            modified=at(max((i.date for i in items), default="2021-01-01")),
        )
        pages["/"] = html_resource(
            html_document(self.title, f'<a href="{LIST}">政府信息公开年度报告</a>')
        )
        pages["/robots.txt"] = Resource(b"User-agent: *\nDisallow:\n", "text/plain")
        truth = SiteTruth()
        truth.reports = [i.report for i in items if i.report]
        truth.decoys = [self.url(i.path) for i in items if i.kind == "decoy"]
        truth.min_fetches = ["GET " + self.url("/robots.txt"), "GET " + self.url(LIST)]
        for r in truth.reports:
            truth.min_fetches += ["GET " + u for u in r.urls]
        return SiteContent(pages=pages, dynamic=[], truth=truth)
