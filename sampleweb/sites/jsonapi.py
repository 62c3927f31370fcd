"""A district site whose list is filled by JavaScript from a JSON API (海湾区-like, invented).

`/xxgk/ndbg/index.html` holds only a script; the records come from `/api/list?page=N`
(JSON). Only a browser, or an adapter that knows the API, finds the reports.
"""

from __future__ import annotations

import json
from html import escape

from sampleweb.model import Change, Request, Resource, SiteContent, SiteTruth
from sampleweb.render import html_fragment, xlsx_from_text
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
from sampleweb.texts import seed_text

PAGE_SIZE = 4
LIST = "/xxgk/ndbg/index.html"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

INDEX_SCRIPT = """<div id="list"></div><div id="pager"></div>
<script>
function load(page) {
  fetch('/api/list?page=' + page).then(function (r) { return r.json(); }).then(function (d) {
    var html = '<ul>';
    d.list.forEach(function (x) {
      html += '<li><a href="' + x.url + '">' + x.title + '</a><span>' + x.pubDate + '</span></li>';
    });
    document.getElementById('list').innerHTML = html + '</ul>';
    var pager = '';
    for (var i = 1; i <= d.pages; i++) { pager += '<a href="#" onclick="load(' + i + ');return false;">' + i + '</a> '; }
    document.getElementById('pager').innerHTML = pager;
  });
}
load(1);
</script>"""


class JsonApiSite(SiteBuilder):
    id = "haiwan-gov"
    title = "海湾区人民政府"

    def registry(self) -> RegistryPart:
        agencies = [
            AgencyEntry(
                "haiwan", "海湾区人民政府", "county", "government", ("海湾区政府", "海湾区")
            ),
            AgencyEntry(
                "haibin",
                "海滨街道办事处",
                "township",
                "government",
                ("海滨街", "海滨街道"),
                "haiwan",
            ),
            AgencyEntry("haiwan-jyj", "海湾区教育局", "county", "department", (), "haiwan"),
        ]
        # not registered on purpose: 海湾区司法局
        return RegistryPart(agencies, [SiteEntry(self.id, "haiwan", (self.url(LIST),), "always")])

    def changes(self) -> list[Change]:
        return [
            Change(
                "inconsistent",
                "海湾区教育局",
                2020,
                self.url("/xxgk/ndbg/202103/content_2120.html"),
                note="表三 一、本年新收 总计 ≠ the sum of its columns",
            )
        ]

    def _report(
        self,
        title: str,
        date: str,
        path: str,
        agency: str,
        registered: bool,
        year: int,
        text: str,
        *,
        with_xlsx: bool = False,
        behaviour: str | None = None,
    ) -> Item:
        item = Item(title, date, path, "report")
        files = []
        found = []
        if with_xlsx:
            xpath = (
                path.rsplit("/", 1)[0]
                + "/"
                + path.rsplit("/", 1)[1].replace(".html", "_tables.xlsx")
            )
            data = xlsx_from_text(text)
            name = f"{title}（统计表）.xlsx"
            item.resources[xpath] = attachment_resource(
                data, content_type=XLSX, filename=name, disposition="rfc5987", modified=at(date)
            )
            files.append((xpath, name))
            found.append(attachment_truth(self.url(xpath), data, name))
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
        items = [
            self._report(
                "海滨街2020年政府信息公开工作年度报告",
                "2021-01-26",
                "/xxgk/ndbg/202101/content_2101.html",
                "海滨街",
                True,
                2020,
                seed_text("002"),
                with_xlsx=True,
                behaviour="503-once",
            ),
            self._report(
                "海湾区人民政府2020年政府信息公开工作年度报告",
                "2021-03-15",
                "/xxgk/ndbg/202103/content_2102.html",
                "海湾区人民政府",
                True,
                2020,
                synth_text("海湾区人民政府", 2020, 201),
            ),
            self._report(
                "海湾区人民政府2019年政府信息公开工作年度报告",
                "2020-03-10",
                "/xxgk/ndbg/202003/content_1903.html",
                "海湾区人民政府",
                True,
                2019,
                synth_text("海湾区人民政府", 2019, 202),
            ),
            self._report(
                "海湾区司法局2020年度政府信息公开工作年度报告",
                "2021-01-29",
                "/xxgk/ndbg/202101/content_2105.html",
                "海湾区司法局",
                False,
                2020,
                synth_text("海湾区司法局", 2020, 203),
            ),
        ]
        if state == "after":
            items.append(
                self._report(
                    "海湾区教育局2020年政府信息公开工作年度报告",
                    "2021-03-18",
                    "/xxgk/ndbg/202103/content_2120.html",
                    "海湾区教育局",
                    True,
                    2020,
                    synth_text("海湾区教育局", 2020, 204, break_rule=True),
                )
            )
        for i, date in enumerate(["2020-12-18", "2020-07-01", "2021-04-02"]):
            title = DECOY_TITLES[i] if i == 0 else f"海湾区{DECOY_TITLES[i]}"
            path = f"/xxgk/ndbg/{date[:4]}{date[5:7]}/content_9{i}.html"
            item = Item(title, date, path, "decoy")
            item.resources[path] = decoy_page(title, date)
            items.append(item)
        items.sort(key=lambda i: (i.date, i.path), reverse=True)
        return items

    def build(self, state: str) -> SiteContent:
        items = self.items(state)
        pages: dict[str, Resource] = {}
        for item in items:
            pages.update(item.resources)
        n_pages = max(1, -(-len(items) // PAGE_SIZE))
        pages[LIST] = html_resource(
            html_document("年度报告_海湾区人民政府", INDEX_SCRIPT), modified=at("2021-01-01")
        )
        pages["/"] = html_resource(
            html_document(self.title, f'<a href="{LIST}">{escape("政府信息公开年报")}</a>')
        )
        pages["/robots.txt"] = Resource(b"User-agent: *\nAllow: /\n", "text/plain")
        modified = at(max(i.date for i in items))

        def api(request: Request) -> Resource | None:
            if request.path != "/api/list":
                return None
            try:
                page = int(request.query.get("page", "1"))
            except ValueError:
                return Resource(
                    b'{"error": "page must be an integer"}',
                    "application/json",
                    status=400,
                    conditional=False,
                )
            chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE] if page >= 1 else []
            data = {
                "page": page,
                "pages": n_pages,
                "total": len(items),
                "list": [{"title": i.title, "url": i.link, "pubDate": i.date} for i in chunk],
            }
            body = json.dumps(data, ensure_ascii=False).encode("utf-8")
            return Resource(body, "application/json; charset=utf-8", last_modified=modified)

        truth = SiteTruth()
        truth.reports = [i.report for i in items if i.report]
        truth.decoys = [self.url(i.path) for i in items if i.kind == "decoy"]
        truth.min_fetches = ["GET " + self.url("/robots.txt"), "GET " + self.url(LIST)] + [
            "GET " + self.url(f"/api/list?page={p}") for p in range(1, n_pages + 1)
        ]
        for r in truth.reports:
            truth.min_fetches += ["GET " + u for u in r.urls]
        return SiteContent(pages=pages, dynamic=[api], truth=truth)
