"""A county site whose CMS lets markup through and whose pages run third-party scripts.

Real county sites do both: titles typed with stray tags that the CMS shows as text
(``&lt;script&gt;`` in the page), and statistics or "accessibility" scripts on every
article. Here the report titles carry ``<script>`` and ``<img onerror>`` as text, the
report page and its text quote them again, and the page runs a script that, wherever it
is shown, tries to read cookies and storage, to script the window around it and to
reach another origin named in its URL fragment (``#probe=<origin>``); it writes what it
managed into ``<pre id="probe">``. An archive that shows these titles as text and
replays this page in a sandbox on another origin comes out unharmed.

Only served when ``SampleWeb(hostile=True)``: the default sample web is unchanged.
"""

from __future__ import annotations

from html import escape

from sampleweb.model import Resource, SiteContent, SiteTruth
from sampleweb.render import html_fragment
from sampleweb.sites.base import (
    AgencyEntry,
    RegistryPart,
    SiteBuilder,
    SiteEntry,
    at,
    check_state,
    html_document,
    html_resource,
)
from sampleweb.sites.items import article_html, report_truth, synth_text

LIST = "/xxgk/ndbg/index.html"
MARKUP = "<img src=x onerror=\"document.title='pwned'\">"
SCRIPT = "<script>document.title='pwned'</script>"
TITLE = f"{MARKUP}河口县2023年政府信息公开工作年度报告（{SCRIPT}）"
"""Markup around the agency's name: the archive must clean it out of the title before the
title names an agency (the report belongs to the registered 河口县人民政府), and keep it as
text in the archived page."""
PAGE = "/xxgk/ndbg/202401/t20240118_777.html"

PROBE = """<script>
(function () {
  var out = {};
  function attempt(name, fn) {
    try { out[name] = String(fn()); } catch (e) { out[name] = "blocked: " + e.name; }
  }
  attempt("cookie", function () { return document.cookie; });
  attempt("storage", function () { return window.localStorage.length; });
  attempt("parent", function () { return window.parent.document.cookie; });
  attempt("top", function () { return window.top.location.href; });
  function done() {
    var pre = document.getElementById("probe");
    pre.textContent = JSON.stringify(out);
    pre.setAttribute("data-done", "1");
  }
  var target = (location.hash.match(/probe=([^&]+)/) || [])[1];
  if (!target || !window.fetch) { out.fetch = "no target"; done(); return; }
  fetch(decodeURIComponent(target) + "/api/v1/health", {credentials: "include"})
    .then(function (r) { return r.text(); })
    .then(function (t) { out.fetch = "read: " + t.slice(0, 300); done(); },
          function (e) { out.fetch = "blocked: " + e.name; done(); });
})();
</script>"""


class HostileSite(SiteBuilder):
    id = "hekou-gov"
    title = "河口县人民政府"

    def registry(self) -> RegistryPart:
        agencies = [
            AgencyEntry("hekou", "河口县人民政府", "county", "government", ("河口县",), None, "532532"),
        ]  # fmt: skip
        return RegistryPart(agencies, [SiteEntry(self.id, "hekou", (self.url(LIST),), "never")])

    def build(self, state: str) -> SiteContent:
        check_state(state)
        date = "2024-01-18"
        text = synth_text("河口县人民政府", 2023, 777)
        body = (
            f"<p>{escape(TITLE)}</p>"
            + html_fragment(text)
            + f"<p>附注：本页曾被植入代码 {escape(SCRIPT)} 与 {escape(MARKUP)}，现以文字照录。</p>"
            + '<pre id="probe" data-done="0"></pre>'
            + PROBE
        )
        page = article_html(TITLE, date, body, [], source="河口县人民政府办公室")
        pages: dict[str, Resource] = {
            PAGE: html_resource(html_document(TITLE, page), modified=at(date)),
            LIST: html_resource(
                html_document(
                    f"年度报告_{self.title}",
                    f'<ul><li><a href="{PAGE}">{escape(TITLE)}</a><span>{date}</span></li></ul>',
                ),
                modified=at(date),
            ),
            "/": html_resource(html_document(self.title, f'<a href="{LIST}">年度报告</a>')),
            "/robots.txt": Resource(b"User-agent: *\nDisallow:\n", "text/plain"),
        }
        truth = SiteTruth()
        truth.reports = [
            report_truth(self.id, f"{MARKUP}河口县", False, 2023, TITLE, self.url(PAGE), [], date)
        ]
        truth.min_fetches = [
            "GET " + self.url("/robots.txt"),
            "GET " + self.url(LIST),
            "GET " + self.url(PAGE),
        ]
        return SiteContent(pages=pages, dynamic=[], truth=truth)
