"""The toolkit every family builds its site with: dialect knobs, encodings, page chrome,
report publication (pages, attachments, download endpoints) and the truth's steps."""

from __future__ import annotations

import hashlib
import posixpath
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote, urlsplit

from sampleweb.model import FURNITURE_MARK, Request, Resource
from sampleweb.render import html_fragment
from sampleweb.variants.content import DECLARED_TYPES, DecoyPlan, FilePlan, ReportPlan
from sampleweb.variants.model import (
    Decoy,
    Doc,
    Family,
    NotExpected,
    Report,
    Role,
    Step,
    StepKind,
    Trap,
    TrapKind,
)
from sampleweb.variants.names import Agency, AgencyTree

DynamicHandler = Callable[[Request], Resource | None]

COMMON_KNOBS: dict[str, tuple[str, ...]] = {
    # charset of the HTML pages and where it is declared
    "encoding": (
        "utf-8/both",
        "utf-8/meta",
        "utf-8/header",
        "utf-8/none",
        "gbk/header",
        "gbk/meta",
        "gbk/both",
        "gb18030/both",
    ),
    # what the registry gives as start URL: the home page, the 信息公开 page, the column
    "start": ("home", "xxgk", "column"),
    "robots": ("absent", "allow-all", "disallow-search", "disallow-report", "disallow-all"),
    "validators": ("both", "etag", "last-modified", "none"),
    "furniture": ("none", "counter"),  # view counters and clocks that change on every fetch
    "disposition": ("none", "ascii", "gbk-raw", "gbk-quoted", "rfc5987"),
    "declared_type": ("exact", "octet-stream"),
    "list_titles": ("full", "title-attr", "truncated"),  # list link text vs the full title
    "metas": ("full", "reversed", "none"),  # SiteName/ColumnName/ArticleTitle head metas
    "links": ("root", "relative", "absolute"),
    "lookalikes": ("few", "many"),
    # how the page before the report column links to it (guide §2.2)
    "column_link": ("href", "js-function", "onclick", "comment"),
    "not_found": ("404", "soft-404"),  # soft: a "page does not exist" page with status 200
}

ENCODINGS: dict[str, tuple[str, bool, str | None]] = {
    # knob value -> (codec, charset in the Content-Type header, label in <meta>)
    "utf-8/both": ("utf-8", True, "utf-8"),
    "utf-8/meta": ("utf-8", False, "utf-8"),
    "utf-8/header": ("utf-8", True, None),
    "utf-8/none": ("utf-8", False, None),
    "gbk/header": ("gbk", True, None),
    "gbk/meta": ("gbk", False, "gb2312"),
    "gbk/both": ("gbk", True, "GBK"),
    "gb18030/both": ("gb18030", True, "gb18030"),
}

BODY_CONTAINERS = (
    '<div class="TRS_Editor">',
    '<div class="TRS_UEDITOR trs_paper_default">',
    '<div class="TRS_PreAppend">',
    '<div id="zoom">',
    '<div id="UCAP-CONTENT">',
    '<div id="printArea">',
    '<div class="zfxxgk_zw_content">',
    '<div class="article-content">',
    '<div class="bt_content">',
)

UA_HEADERS = (("User-Agent", "Mozilla/5.0"),)


@dataclass
class FileLoc:
    """Where one attachment is linked and served."""

    href: str  # as written on the page (or in the list)
    path: str  # where the bytes are served (canonical), on `host`
    host: str = "main"
    redirect_from: str | None = None  # a download endpoint on the main host that 302s here
    label: str = ""  # link text


@dataclass
class Published:
    report: Report
    steps: list[Step]
    href: str  # the link a list gives for it (page or file)


@dataclass
class Entry:
    """One row of a list."""

    title: str
    date: str
    href: str
    kind: str  # report | decoy | filler
    key: int = 0
    extra: str = ""  # e.g. a metadata cell


def url_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def relative_href(target: str, source: str) -> str:
    """`target` as a relative link from the page at `source` (both absolute paths)."""
    tpath, _, tquery = target.partition("?")
    base = posixpath.dirname(source.partition("?")[0]) or "/"
    rel = posixpath.relpath(tpath, base)
    if tpath.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if not rel.startswith("."):
        rel = "./" + rel
    return rel + ("?" + tquery if tquery else "")


def hexname(*parts: object, n: int = 32) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:n]


class SiteKit:
    """Collects everything one site serves, and its truth, while a family builds it."""

    def __init__(
        self,
        site_id: str,
        family: Family,
        rng: random.Random,
        bases: dict[str, str],
        catalogue: dict[str, tuple[str, ...]],
    ) -> None:
        self.id = site_id
        self.family = family
        self.rng = rng
        self.bases = bases  # host role -> base URL (main, oss, m, alias …)
        self.catalogue = {**COMMON_KNOBS, **catalogue}
        self.dialect: dict[str, str] = {}
        self.vars: dict[str, str] = {}  # ids drawn once per site (webid, SID …)
        self.pages: dict[str, dict[str, Resource]] = {role: {} for role in bases}
        self.dynamic: dict[str, list[DynamicHandler]] = {role: [] for role in bases}
        self.nav_steps: list[Step] = []
        self.doc_steps: list[Step] = []
        self.reports: list[Report] = []
        self.decoys: list[Decoy] = []
        self.traps: list[Trap] = []
        self.disallow: list[str] = []
        self.nav: list[tuple[str, str]] = []  # top navigation (text, href) on every page
        self.site_name = ""
        self.tree: AgencyTree | None = None
        self.start_path = "/"
        self.extra_hosts: list[str] = []  # roles listed in the registry's hosts
        self.server_name = "nginx"
        self.extra_headers: dict[str, str] = {}
        self.burst_limit: int | None = None
        self.challenge: str | None = None
        self.flaky = False
        self.uses: set[str] = set()  # hosts actually used (for the registry)
        self.container = rng.choice(BODY_CONTAINERS)
        self.meta_style = rng.choice(("charset", "http-equiv"))
        self._numbers: set[int] = set()

    def number(self, low: int, high: int, offset: int = 0) -> int:
        """A random record number (``show.asp?id=N``) no other page of the site has:
        two pages drawn the same number would be one URL serving one of them."""
        while True:
            n = self.rng.randint(low, high) + offset
            if n not in self._numbers:
                self._numbers.add(n)
                return n

    # ------------------------------------------------------------------ dialect

    def knob(
        self,
        name: str,
        choices: tuple[str, ...] | None = None,
        weights: tuple[float, ...] | None = None,
    ) -> str:
        """Draw the site's value of a dialect knob (once; later calls return it)."""
        if name in self.dialect:
            return self.dialect[name]
        allowed = self.catalogue[name]
        pool = choices or allowed
        unknown = set(pool) - set(allowed)
        if unknown:
            raise ValueError(f"knob {name}: {sorted(unknown)} not in its catalogue")
        value = self.rng.choices(pool, weights=weights)[0] if weights else self.rng.choice(pool)
        self.dialect[name] = value
        return value

    def force(self, name: str, value: str) -> str:
        if value not in self.catalogue[name]:
            raise ValueError(f"knob {name}: {value!r} not in its catalogue")
        self.dialect[name] = value
        return value

    @property
    def _codec(self) -> str:
        return ENCODINGS[self.knob("encoding")][0]

    @property
    def _header_cs(self) -> bool:
        return ENCODINGS[self.knob("encoding")][1]

    @property
    def _meta_cs(self) -> str | None:
        return ENCODINGS[self.knob("encoding")][2]

    @property
    def codec(self) -> str:
        return self._codec

    # ------------------------------------------------------------------ URLs

    def url(self, path: str, host: str = "main") -> str:
        self.uses.add(host)
        return self.bases[host] + path

    def href(self, target: str, source: str, host: str = "main") -> str:
        """How this site writes a link to `target` on the page at `source`."""
        if host != "main":
            return self.url(target, host)
        style = self.knob("links")
        if style == "relative":
            return relative_href(target, source)
        if style == "absolute":
            return self.url(target)
        return target

    # ------------------------------------------------------------------ pages

    def head_metas(self, column: str | None = None, article: ReportPlan | None = None) -> str:
        style = self.knob("metas")
        if style == "none":
            return ""
        pairs = [("SiteName", self.site_name), ("SiteDomain", urlsplit(self.bases["main"]).netloc)]
        if self.tree is not None and self.tree.owner.division_code:
            pairs.append(("SiteIDCode", self.tree.owner.division_code.ljust(6, "0") + "0001"))
        if column:
            pairs += [("ColumnName", column), ("ColumnType", column)]
        if article is not None:
            pairs += [
                ("ArticleTitle", article.title),
                ("PubDate", article.published + " 09:00"),
                ("ContentSource", article.issuer),
            ]
        if style == "reversed":
            return "".join(f'<meta content="{escape(v)}" name="{k}">' for k, v in pairs)
        return "".join(f'<meta name="{k}" content="{escape(v)}">' for k, v in pairs)

    def charset_meta(self) -> str:
        if not self._meta_cs:
            return ""
        if self.meta_style == "charset":
            return f'<meta charset="{self._meta_cs}">'
        return f'<meta http-equiv="Content-Type" content="text/html; charset={self._meta_cs}">'

    def document(
        self,
        title: str,
        body: str,
        *,
        head: str = "",
        column: str | None = None,
        article: ReportPlan | None = None,
        nav: bool = True,
        furniture: bool | None = None,
        bare: bool = False,
    ) -> str:
        """A full page of this site: charset meta, head metas, top navigation, footer."""
        if bare:
            return (
                f"<!DOCTYPE html><html><head>{self.charset_meta()}<title>{escape(title)}</title>"
                f"{head}</head><body>{body}</body></html>"
            )
        navbar = (
            '<div class="nav"><ul>'
            + "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in self.nav)
            + "</ul></div>"
            if nav and self.nav
            else ""
        )
        show_furniture = self.knob("furniture") == "counter" if furniture is None else furniture
        mark = FURNITURE_MARK.decode() if show_furniture else ""
        return (
            f"<!DOCTYPE html>\n<html><head>{self.charset_meta()}<title>{escape(title)}</title>"
            f"{self.head_metas(column, article)}{head}</head>\n"
            f'<body><div class="header"><h1 class="logo">{escape(self.site_name)}</h1></div>\n'
            f"{navbar}\n{body}\n"
            f'<div class="footer">{mark}<p>主办单位：{escape(self.site_name)} '
            f"网站标识码：{escape(self.head_id())}</p></div></body></html>\n"
        )

    def head_id(self) -> str:
        code = self.tree.owner.division_code if self.tree is not None else None
        return (code or "0000").ljust(6, "0") + "0001"

    def html_resource(
        self,
        doc: str,
        *,
        modified: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Resource:
        content_type = f"text/html; charset={self._codec}" if self._header_cs else "text/html"
        return self._resource(
            doc.encode(self._codec, "xmlcharrefreplace"),
            content_type,
            modified=modified,
            status=status,
            headers=headers,
            furniture=FURNITURE_MARK.decode() in doc,
        )

    def _resource(
        self,
        body: bytes,
        content_type: str,
        *,
        modified: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        furniture: bool = False,
    ) -> Resource:
        validators = self.knob("validators")
        res = Resource(
            body=body,
            content_type=content_type,
            status=status,
            headers=dict(headers or {}),
            last_modified=_at(modified or "2024-01-05"),
            furniture=furniture,
            conditional=validators != "none" and status == 200,
        )
        if validators == "etag":
            res.headers["X-Validators"] = "etag"
        elif validators == "last-modified":
            res.headers["X-Validators"] = "last-modified"
        return res

    def add_page(
        self,
        path: str,
        doc: str,
        *,
        host: str = "main",
        modified: str | None = None,
        status: int = 200,
    ) -> Resource:
        res = self.html_resource(doc, modified=modified, status=status)
        self._claim(host, path, res)
        self.pages[host][path] = res
        self.uses.add(host)
        return res

    def _claim(self, host: str, path: str, res: Resource) -> None:
        """Two different pages drawn the same URL would be one URL serving one of them."""
        old = self.pages[host].get(path)
        if old is not None and old.body != res.body:
            raise ValueError(f"{self.id}: two different pages drawn at {host}:{path}")

    def add_raw(
        self,
        path: str,
        body: bytes,
        content_type: str,
        *,
        host: str = "main",
        modified: str | None = None,
        headers: dict[str, str] | None = None,
        status: int = 200,
    ) -> Resource:
        res = self._resource(body, content_type, modified=modified, headers=headers, status=status)
        self._claim(host, path, res)
        self.pages[host][path] = res
        self.uses.add(host)
        return res

    def add_redirect(self, path: str, location: str, *, status: int = 302) -> None:
        self.pages["main"][path] = Resource(
            body=b"",
            content_type="text/html",
            status=status,
            headers={"Location": location},
            conditional=False,
        )

    # ------------------------------------------------------------------ steps

    def step(
        self,
        kind: StepKind,
        path: str,
        *,
        host: str = "main",
        method: str = "GET",
        reveals: tuple[str, ...] | list[str] = (),
        media: str = "text/html",
        encoding: str | None = "page",
        status: int = 200,
        body: bytes = b"",
        headers: tuple[tuple[str, str], ...] = (),
        doc: str | None = None,
        location: str | None = None,
    ) -> Step:
        enc = self._codec if encoding == "page" else encoding
        made = Step(
            method=method,
            url=self.url(path, host),
            kind=kind,
            status=status,
            media=media,
            encoding=enc,
            body=body,
            headers=headers,
            reveals=tuple(reveals),
            doc=doc,
            location=location,
        )
        if kind == StepKind.REPORT or (kind == StepKind.REDIRECT and doc is not None):
            self.doc_steps.append(made)
        else:
            self.nav_steps.append(made)
        return made

    # ------------------------------------------------------------------ lists

    def list_text(self, title: str) -> tuple[str, str]:
        """(link text, title attribute) as this site's lists show a title."""
        style = self.knob("list_titles")
        if style == "full" or len(title) <= 22:
            return title, title if style != "full" else ""
        short = title[:20] + "…"
        return short, title if style == "title-attr" else ""

    def list_items(self, entries: list[Entry], markup: str = "li") -> str:
        rows: list[str] = []
        for e in entries:
            text, attr = self.list_text(e.title)
            title_attr = f' title="{escape(attr)}"' if attr else ""
            link = f'<a href="{escape(e.href)}"{title_attr} target="_blank">{escape(text)}</a>'
            if markup == "table":
                rows.append(f"<tr><td>{link}</td>{e.extra}<td>{e.date}</td></tr>")
            elif markup == "div":
                rows.append(
                    f'<div class="list-item">{link}<span class="date">{e.date}</span></div>'
                )
            else:
                rows.append(f"<li>{link}<span>{e.date}</span></li>")
        if markup == "table":
            return '<table class="list">' + "".join(rows) + "</table>"
        if markup == "div":
            return '<div class="list">' + "".join(rows) + "</div>"
        return '<ul class="list">' + "".join(rows) + "</ul>"

    # ------------------------------------------------------------------ reports

    def agency_of(self, plan: ReportPlan) -> tuple[str, str | None, bool]:
        """(agency name, registry id, registered) the truth gives the report."""
        agency: Agency = plan.agency
        if agency.registered:
            return agency.name, agency.id, True
        return (plan.named or agency.name), None, False

    def disposition_header(self, display: str, fmt: str, key: object) -> dict[str, str]:
        style = self.knob("disposition")
        if style == "none":
            return {}
        if style == "ascii":
            return {"Content-Disposition": f'attachment; filename="{hexname(key, n=12)}.{fmt}"'}
        if style == "gbk-raw":  # raw GBK bytes, unquoted, as Java back-ends send them
            raw = display.encode("gbk", "replace").decode("latin-1")
            return {"Content-Disposition": f"attachment;filename={raw}"}
        if style == "gbk-quoted":
            raw = display.encode("gbk", "replace").decode("latin-1")
            return {"Content-Disposition": f'attachment; filename="{raw}"'}
        return {
            "Content-Disposition": f'attachment; filename="{hexname(key, n=8)}.{fmt}"; '
            f"filename*=UTF-8''{quote(display)}"
        }

    def serve_file(self, loc: FileLoc, f: FilePlan, modified: str, key: object) -> Doc:
        declared = (
            DECLARED_TYPES[f.fmt]
            if self.knob("declared_type") == "exact"
            else "application/octet-stream"
        )
        self.add_raw(
            loc.path,
            f.data,
            declared,
            host=loc.host,
            modified=modified,
            headers=self.disposition_header(f.display, f.fmt, key),
        )
        aliases: tuple[str, ...] = ()
        if loc.redirect_from is not None:
            self.add_redirect(loc.redirect_from, self.url(loc.path, loc.host))
            aliases = (self.url(loc.redirect_from),)
        return Doc(
            url=self.url(loc.path, loc.host),
            role=Role.ATTACHMENT,
            media_type=f.media_type,
            filename=f.display,
            aliases=aliases,
        )

    def file_steps(self, loc: FileLoc, doc: Doc, f: FilePlan) -> list[Step]:
        out: list[Step] = []
        if loc.redirect_from is not None:
            out.append(
                self.step(
                    StepKind.REDIRECT,
                    loc.redirect_from,
                    status=302,
                    media="",
                    encoding=None,
                    location=doc.url,
                    doc=doc.url,
                )
            )
        out.append(
            self.step(
                StepKind.REPORT,
                loc.path,
                host=loc.host,
                media=f.media_type,
                encoding=None,
                doc=doc.url,
            )
        )
        return out

    def attachment_list(self, links: list[tuple[str, str]]) -> str:
        if not links:
            return ""
        items = "".join(
            f'<li><a href="{escape(h)}" target="_blank">{escape(t)}</a></li>' for h, t in links
        )
        return f'<div class="attachments"><p>附件：</p><ul>{items}</ul></div>'

    def article_body(self, plan: ReportPlan, attachments: list[tuple[str, str]]) -> str:
        if plan.text is not None and plan.full_page:
            inner = html_fragment(plan.text)
        else:
            inner = f"<p>{escape(plan.title)}</p><p>详见附件。</p>"
        return inner

    def article(
        self,
        plan: ReportPlan | DecoyPlan,
        inner: str,
        attachments: list[tuple[str, str]],
        *,
        column: str,
        info_table: bool = False,
        extra: str = "",
    ) -> str:
        """An article page in this site's template."""
        source = (
            plan.issuer
            if isinstance(plan, ReportPlan)
            else (self.tree.owner.name if self.tree else "")
        )
        meta_table = ""
        if info_table:
            meta_table = (
                '<table class="xxgk_table"><tr><td>索引号：</td>'
                f"<td>{escape(self.head_id()[:6])}-{plan.published[:4]}-{plan.key:05d}</td>"
                f"<td>发布机构：</td><td>{escape(source)}</td></tr>"
                f"<tr><td>名称：</td><td>{escape(plan.title)}</td><td>发布日期：</td>"
                f"<td>{plan.published}</td></tr></table>"
            )
        body = (
            f'<div class="breadcrumb">首页 &gt; 政务公开 &gt; {escape(column)}</div>{meta_table}'
            f'<div class="article"><h2 class="title">{escape(plan.title)}</h2>'
            f'<div class="info">发布时间：{plan.published} 信息来源：{escape(source)} '
            f'<a href="javascript:window.print()">打印本页</a></div>'
            f"{self.container}{inner}</div>{self.attachment_list(attachments)}{extra}</div>"
        )
        return self.document(
            plan.title,
            body,
            column=column,
            article=plan if isinstance(plan, ReportPlan) else None,
        )

    def publish(
        self,
        plan: ReportPlan,
        page_path: str | None,
        locs: list[FileLoc],
        *,
        column: str,
        page_doc: str | None = None,
        paged: tuple[list[tuple[str, str]], list[list[str]]] | None = None,
        info_table: bool = False,
        page_host: str = "main",
        note: str = "",
        aliases: dict[str, tuple[str, ...]] | None = None,
    ) -> Published:
        """Serve a report (its page and files) and record its truth and steps.

        `page_doc`: the page as the family renders it (default: the site's article template
        with links to the files). `paged`: further pages of a paged article, as
        [(path, document)], and per part (the first included) what reveals the others.
        The files are `locs` in the order of `plan.files`.
        """
        if len(locs) != len(plan.files):
            raise ValueError("one FileLoc per file")
        docs: list[Doc] = []
        steps: list[Step] = []
        file_docs = [
            self.serve_file(loc, f, plan.published, (self.id, plan.key, i))
            for i, (loc, f) in enumerate(zip(locs, plan.files, strict=True))
        ]
        links = [
            (loc.href, loc.label or f.display) for loc, f in zip(locs, plan.files, strict=True)
        ]
        if page_path is not None:
            doc_html = page_doc or self.article(
                plan, self.article_body(plan, links), links, column=column, info_table=info_table
            )
            self.pages[page_host][page_path] = self.html_resource(doc_html, modified=plan.published)
            self.uses.add(page_host)
            page_url = self.url(page_path, page_host)
            extra_aliases = (aliases or {}).get(page_path, ())
            docs.append(Doc(page_url, Role.PAGE, "text/html", aliases=extra_aliases))
            parts, part_reveals = paged or ([], [[]])
            reveals = [escape(h) for h, _t in links] + part_reveals[0]
            steps.append(
                self.step(StepKind.REPORT, page_path, host=page_host, reveals=reveals, doc=page_url)
            )
            for i, (path, extra_doc) in enumerate(parts):
                self.pages[page_host][path] = self.html_resource(extra_doc, modified=plan.published)
                more = self.url(path, page_host)
                docs.append(Doc(more, Role.PAGE, "text/html"))
                steps.append(
                    self.step(
                        StepKind.REPORT, path, host=page_host, reveals=part_reveals[i + 1], doc=more
                    )
                )
        for loc, doc, f in zip(locs, file_docs, plan.files, strict=True):
            docs.append(doc)
            steps += self.file_steps(loc, doc, f)
        name, agency_id, registered = self.agency_of(plan)
        report = Report(
            site=self.id,
            agency=name,
            agency_id=agency_id,
            registered=registered,
            year=plan.year,
            title=plan.title,
            published=plan.published,
            documents=tuple(docs),
            note=note or plan.note,
        )
        self.reports.append(report)
        href = docs[0].url if docs else ""
        return Published(report, steps, href)

    def publish_decoy(
        self,
        plan: DecoyPlan,
        page_path: str,
        *,
        column: str,
        file_dir: str | None = None,
        page_doc: str | None = None,
    ) -> Decoy:
        links: list[tuple[str, str]] = []
        files: list[str] = []
        for i, f in enumerate(plan.files):
            path = f"{file_dir or posixpath.dirname(page_path)}/{hexname(self.id, plan.key, i, n=16)}.{f.fmt}"
            self.add_raw(path, f.data, DECLARED_TYPES[f.fmt], modified=plan.published)
            links.append((self.href(path, page_path), f.display))
            files.append(self.url(path))
        doc = page_doc or self.article(plan, plan.body, links, column=column)
        self.add_page(page_path, doc, modified=plan.published)
        decoy = Decoy(self.id, plan.kind, plan.title, self.url(page_path), tuple(files))
        self.decoys.append(decoy)
        return decoy

    def trap(self, kind: TrapKind, example_path: str, note: str = "", host: str = "main") -> None:
        self.traps.append(Trap(self.id, kind, self.url(example_path, host), note))

    # ------------------------------------------------------------------ robots

    def robots(self, report_prefix: str | None = None) -> None:
        """Serve robots.txt per the `robots` knob and record its step."""
        mode = self.knob("robots", weights=(2, 3, 3, 2, 0.4))
        lines = ["User-agent: *"]
        if mode == "absent":  # the site's not-found answer (a soft 404 is a 200 HTML page)
            soft = self.knob("not_found") == "soft-404"
            self.step(
                StepKind.ROBOTS,
                "/robots.txt",
                status=200 if soft else 404,
                media="text/html",
                encoding="utf-8",
            )
            return
        if mode == "disallow-all":
            lines.append("Disallow: /")
            self.disallow.append("/")
        else:
            lines += ["Disallow: /cms/", "Disallow: /admin/"]
            if mode in ("disallow-search", "disallow-report"):
                lines += ["Disallow: /search/", "Disallow: /jsearch/"]
            if mode == "disallow-report" and report_prefix:
                lines.append(f"Disallow: {report_prefix}")
                self.disallow.append(report_prefix)
        body = ("\n".join(lines) + "\n").encode()
        self.add_raw("/robots.txt", body, "text/plain")
        self.step(StepKind.ROBOTS, "/robots.txt", media="text/plain", encoding="utf-8")

    def forbidden(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.netloc != urlsplit(self.bases["main"]).netloc:
            return False
        target = parts.path + ("?" + parts.query if parts.query else "")
        return any(target.startswith(p) for p in self.disallow)

    def finish_robots(self, start_urls: list[str] | None = None) -> None:
        """Documents robots.txt forbids are withheld (not expected); a report left with
        none is not expected; their steps leave the path."""
        if not self.disallow:
            return
        # robots.txt forbidding the whole main host leaves no path to any document, those
        # of other hosts (an attachment host) included: nothing of the site is expected —
        # unless the crawl starts on another host (a 信息公开 host of its own, with its
        # own robots.txt), whose documents it reaches without the main host
        main = urlsplit(self.bases["main"]).netloc
        starts_on_main = not start_urls or any(urlsplit(u).netloc == main for u in start_urls)
        unreachable = "/" in self.disallow and starts_on_main
        kept: list[Report] = []
        for r in self.reports:
            withheld = tuple(d for d in r.documents if unreachable or self.forbidden(d.url))
            if withheld:
                allowed = tuple(d for d in r.documents if d not in withheld)
                r = replace(
                    r,
                    documents=allowed,
                    withheld=withheld,
                    expected=bool(allowed),
                    reason=None if allowed else NotExpected.ROBOTS,
                )
            kept.append(r)
        self.reports = kept
        self.nav_steps = [
            s for s in self.nav_steps if s.kind == StepKind.ROBOTS or not self.forbidden(s.url)
        ]
        self.doc_steps = [s for s in self.doc_steps if not (unreachable or self.forbidden(s.url))]


def finish_hosts(kit: SiteKit) -> None:
    """A polite crawler reads robots.txt on every host it fetches from: one step per
    further host the path visits, right after the main host's."""
    hosts = []
    for s in kit.nav_steps + kit.doc_steps:
        for role, base in kit.bases.items():
            if role != "main" and s.url.startswith(base + "/") and role not in hosts:
                hosts.append(role)
    added: list[Step] = []
    for role in hosts:
        res = kit.pages[role].get("/robots.txt")
        if res is not None and res.status == 200:
            added.append(
                Step("GET", kit.url("/robots.txt", role), StepKind.ROBOTS, media="text/plain")
            )
        else:
            added.append(
                Step(
                    "GET",
                    kit.url("/robots.txt", role),
                    StepKind.ROBOTS,
                    status=404,
                    media="text/html",
                )
            )
    at = max((i + 1 for i, s in enumerate(kit.nav_steps) if s.kind == StepKind.ROBOTS), default=0)
    kit.nav_steps[at:at] = added


def _at(day: str) -> datetime:
    y, m, d = (int(x) for x in day[:10].split("-"))
    return datetime(y, m, d, 9, 0, tzinfo=UTC)


@dataclass
class BuiltSite:
    """What web.py needs of a built site."""

    kit: SiteKit
    tree: AgencyTree
    start_urls: list[str]
    render: str = "auto"
    registry_hosts: list[str] = field(default_factory=list)
