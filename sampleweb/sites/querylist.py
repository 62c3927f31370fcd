"""A county site with query-string pagination (`/list.jsp?catid=12&page=N`), 尖扎县-like.

In the "after" state one report has moved (old URL 404) and the county's own 2020 report
appears, published late (2021-05-20).
"""

from __future__ import annotations

from html import escape

from sampleweb.assets_files import report_asset
from sampleweb.model import Change, Resource, SiteContent, SiteTruth
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
from sampleweb.texts import seed_text

PER_PAGE = 5
CATID = "12"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _list_url(page: int) -> str:
    return f"/list.jsp?catid={CATID}&page={page}"


class QueryListSite(SiteBuilder):
    id = "jianzha-gov"
    title = "尖扎县人民政府"
    server_name = "Apache-Coyote/1.1"

    def registry(self) -> RegistryPart:
        agencies = [
            AgencyEntry(
                "jianzha",
                "尖扎县人民政府",
                "county",
                "government",
                ("尖扎县政府", "尖扎县"),
                None,
                "632322",
            ),
            AgencyEntry(
                "kanbula", "坎布拉镇人民政府", "township", "government", ("坎布拉镇",), "jianzha"
            ),
            AgencyEntry(
                "makatang", "马克唐镇人民政府", "township", "government", ("马克唐镇",), "jianzha"
            ),
            AgencyEntry("jianzha-lcj", "尖扎县林业和草原局", "county", "department", (), "jianzha"),
        ]
        return RegistryPart(
            agencies, [SiteEntry(self.id, "jianzha", (self.url(_list_url(1)),), "never")]
        )

    def changes(self) -> list[Change]:
        return [
            Change(
                "moved",
                "坎布拉镇",
                2020,
                self.url("/content.jsp?id=412"),
                old_url=self.url("/content.jsp?id=301"),
            ),
            Change(
                "late",
                "尖扎县人民政府",
                2020,
                self.url("/content.jsp?id=415"),
                note="发布时间 2021-05-20, deadline 2021-03-31",
            ),
        ]

    def _report(
        self,
        title: str,
        date: str,
        cid: int,
        agency: str,
        registered: bool,
        year: int,
        text: str,
        *,
        docx: bool = False,
        seed_pdf: str | None = None,
        behaviour: str | None = None,
    ) -> Item:
        path = f"/content.jsp?id={cid}"
        item = Item(title, date, path, "report")
        files: list[tuple[str, str]] = []
        found = []
        if docx:
            fpath = f"/uploadfiles/{date[:4]}{date[5:7]}/{cid}.docx"
            data = docx_bytes(text)
            item.resources[fpath] = attachment_resource(
                data, content_type=DOCX, disposition="none", modified=at(date)
            )
            files.append((fpath, f"{title}.docx"))
            found.append(attachment_truth(self.url(fpath), data, f"{cid}.docx"))
        if seed_pdf is not None and (pdf := report_asset(seed_pdf)) is not None:
            fpath = f"/uploadfiles/{date[:4]}{date[5:7]}/{cid}.pdf"
            item.resources[fpath] = attachment_resource(
                pdf, content_type="application/pdf", disposition="none", modified=at(date)
            )
            files.append((fpath, f"{title}.pdf"))
            found.append(attachment_truth(self.url(fpath), pdf, f"{cid}.pdf"))
        page = html_resource(
            html_document(
                title, article_html(title, date, html_fragment(text), files, source=agency)
            ),
            modified=at(date),
        )
        page.behaviour = behaviour
        item.resources[path] = page
        item.report = report_truth(
            self.id, agency, registered, year, title, self.url(path), found, date
        )
        return item

    def items(self, state: str) -> list[Item]:
        check_state(state)
        kanbula_id = 301 if state == "before" else 412
        items = [
            self._report(
                "坎布拉镇2020年政府信息公开工作年度报告",
                "2021-01-21",
                kanbula_id,
                "坎布拉镇",
                True,
                2020,
                seed_text("003"),
                docx=True,
                seed_pdf="seed003.pdf",
            ),
            self._report(
                "尖扎县2019年政府信息公开工作年度报告",
                "2020-03-27",
                188,
                "尖扎县人民政府",
                True,
                2019,
                synth_text("尖扎县人民政府", 2019, 301),
                behaviour="stall-once",
            ),
            self._report(
                "马克唐镇2020年政府信息公开工作年度报告",
                "2021-02-02",
                305,
                "马克唐镇",
                True,
                2020,
                synth_text("马克唐镇", 2020, 302),
            ),
            self._report(
                "尖扎县林业和草原局2020年度政府信息公开工作年度报告",
                "2021-01-18",
                299,
                "尖扎县林业和草原局",
                True,
                2020,
                synth_text("尖扎县林业和草原局", 2020, 303),
            ),
        ]
        if state == "after":
            items.append(
                self._report(
                    "尖扎县人民政府2020年政府信息公开工作年度报告",
                    "2021-05-20",
                    415,
                    "尖扎县人民政府",
                    True,
                    2020,
                    synth_text("尖扎县人民政府", 2020, 304),
                )
            )
        for i, date in zip(
            (0, 1, 2, 5, 6),
            ("2020-12-11", "2020-04-20", "2021-03-29", "2020-09-15", "2021-02-26"),
            strict=True,
        ):
            title = DECOY_TITLES[i] if i == 0 else f"尖扎县{DECOY_TITLES[i]}"
            path = f"/content.jsp?id={800 + i}"
            item = Item(title, date, path, "decoy")
            item.resources[path] = decoy_page(title, date)
            items.append(item)
        for i, title in enumerate(FILLER_TITLES[:5]):
            date = f"2021-0{2 + i % 3}-{11 + i}"
            path = f"/content.jsp?id={900 + i}"
            item = Item(f"尖扎县{title}", date, path, "filler")
            item.resources[path] = html_resource(
                html_document(
                    item.title,
                    article_html(
                        item.title, date, f"<p>{escape(title)}。</p>", [], source="县政府办"
                    ),
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
        n_pages = max(1, -(-len(items) // PER_PAGE))
        for page in range(1, n_pages + 1):
            chunk = items[(page - 1) * PER_PAGE : page * PER_PAGE]
            lis = "".join(
                f'<li><a href="{escape(i.link)}">{escape(i.title)}</a><span>[{i.date}]</span></li>'
                for i in chunk
            )
            nav = f"共{n_pages}页 当前第{page}页 "
            if page > 1:
                nav += f'<a href="{escape(_list_url(page - 1))}">上一页</a> '
            if page < n_pages:
                nav += f'<a href="{escape(_list_url(page + 1))}">下一页</a> '
            nav += f'<a href="{escape(_list_url(n_pages))}">尾页</a>'
            body = f'<div class="list"><h2>政府信息公开年度报告</h2><ul>{lis}</ul><div class="pager">{nav}</div></div>'
            pages[_list_url(page)] = html_resource(
                html_document(f"年度报告_{self.title}", body),
                modified=at(max(i.date for i in chunk)),
            )
        pages["/"] = html_resource(
            html_document(self.title, f'<a href="{escape(_list_url(1))}">政府信息公开年报</a>')
        )
        pages["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /admin/\n", "text/plain")
        truth = SiteTruth()
        truth.reports = [i.report for i in items if i.report]
        truth.decoys = [self.url(i.path) for i in items if i.kind == "decoy"]
        truth.min_fetches = ["GET " + self.url("/robots.txt")] + [
            "GET " + self.url(_list_url(p)) for p in range(1, n_pages + 1)
        ]
        for r in truth.reports:
            truth.min_fetches += ["GET " + u for u in r.urls]
        if state == "after":
            truth.broken_links = [self.url("/content.jsp?id=301")]
        return SiteContent(pages=pages, dynamic=[], truth=truth)
