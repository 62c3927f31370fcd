"""Hanweb 大汉 JCMS classic (guide §1.1).

Columns `/col/col{N}/index.html` carry their first group of records inline in a
`<datastore>` (CDATA `<record>`s, `totalrecord`, `totalpage`, a `nextgroup` link); later
groups come from a dataproxy at one of five paths, asked by POST record range or GET page,
answering XML or the old JavaScript text (`totalRecord=714.0;totalPage = 27;dataStore = [...]`),
sometimes only with the Referer / X-Requested-With a browser sends. Human pages
`?uid=&pageNum=` may exist beside it. Departments and townships publish through the 信息公开
module (`/module/xxgk/search.jsp?…&jdid=&currpage=`, or the old-install path). Articles
`/art/Y/M/D/art_{col}_{id}.html`; files through `downfile.jsp` (302 to `/attach/0/…`), on
an OSS host of their own, or directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from urllib.parse import parse_qsl, quote

from sampleweb.model import Request, Resource
from sampleweb.variants.content import ReportPlan, plan_reports
from sampleweb.variants.families.common import (
    COLUMN_NAMES,
    NavPage,
    column_link,
    decoy_columns,
    fillers,
    merge_entries,
    nav_chain,
    news_section,
    split_decoys,
)
from sampleweb.variants.kit import BuiltSite, DynamicHandler, Entry, FileLoc, SiteKit, hexname
from sampleweb.variants.model import StepKind
from sampleweb.variants.names import AgencyTree, NamePool, county_tree, maybe_another

PROXY_PATHS = (
    "/module/web/jpage/dataproxy.jsp",
    "/module/jpage/dataproxy.jsp",
    "/module/jslib/jquery/jpage/dataproxy.jsp",
    "/module/web/jpage/morecolumndataproxy.jsp",
    "/jact/front/dataproxy_mailnewlist.action",
)

KNOBS: dict[str, tuple[str, ...]] = {
    "proxy_path": PROXY_PATHS,
    "request": ("post-range", "get-page"),
    "response": ("xml", "js-text"),
    "range_limit": ("any", "group"),
    "nextgroup": ("plain", "encrypted"),
    "check_headers": ("none", "referer", "xhr"),
    "human_paging": ("none", "uid-pagenum"),
    "xxgk_module": ("none", "search-jsp", "old-path"),
    "attachments": ("downfile", "oss", "direct"),
    "col_ids": ("short", "long"),
    "install": ("root", "jcms_files"),
    "placement": ("dedicated", "mixed"),
}

JPAGE_PATH = "/module/jslib/jquery/jpage/jquery.jpage.js"
# renders the inline datastore, and asks the proxy for the next group on 下一页 (XML or JS text)
JPAGE_JS = r"""
function jpage_records(text) {
  if (text.indexOf('dataStore = [') >= 0) { return eval(text.substring(text.indexOf('dataStore = [') + 12).replace(/;\s*$/, '')); }
  var xml = new DOMParser().parseFromString(text, 'text/xml'), recs = xml.getElementsByTagName('record'), out = [];
  for (var i = 0; i < recs.length; i++) { out.push(recs[i].textContent); }
  return out;
}
function jpage_load(cfg) {
  var div = document.getElementById(cfg.unitid), ul = document.createElement('ul'), group = 1;
  div.appendChild(ul);
  jpage_records(div.querySelector('script[type="text/xml"]').textContent).forEach(function (r) { ul.insertAdjacentHTML('beforeend', r); });
  var groupSize = cfg.perPage * cfg.groupSize;
  if (cfg.totalRecord <= groupSize) { return; }
  var more = document.createElement('a'); more.href = 'javascript:void(0)'; more.textContent = '下一页'; div.appendChild(more);
  more.onclick = function () {
    var start = group * groupSize + 1, end = start + groupSize - 1, req;
    if (cfg.ajaxType == 'POST') {
      req = fetch(cfg.proxyUrl + '?startrecord=' + start + '&endrecord=' + end + '&perpage=' + cfg.perPage,
        {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8', 'X-Requested-With': 'XMLHttpRequest'}, body: cfg.form});
    } else {
      req = fetch(cfg.proxyUrl + '?page=' + (group + 1) + '&' + cfg.query, {headers: {'X-Requested-With': 'XMLHttpRequest'}});
    }
    req.then(function (r) { return r.text(); }).then(function (t) {
      jpage_records(t).forEach(function (r) { ul.insertAdjacentHTML('beforeend', r); });
      group += 1; if (group * groupSize >= cfg.totalRecord) { more.remove(); }
    });
  };
}
"""

FORM_TYPE = ("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
XHR = ("X-Requested-With", "XMLHttpRequest")


def art_path(date: str, col: int, n: int) -> str:
    y, m, d = (int(x) for x in date.split("-"))
    return f"/art/{y}/{m}/{d}/art_{col}_{n}.html"


def record_html(kit: SiteKit, e: Entry) -> str:
    text, attr = kit.list_text(e.title)
    title = escape(attr or e.title)
    return (
        f'<li><a href="{e.href}" title="{title}" target="_blank">{escape(text)}</a>'
        f"<span>{e.date}</span></li>"
    )


class Column:
    """One JCMS column whose records are split between the page and the proxy."""

    def __init__(self, kit: SiteKit, col: int, path: str, name: str, entries: list[Entry]) -> None:
        rng = kit.rng
        self.kit = kit
        self.col = col
        self.path = path
        self.name = name
        self.entries = entries
        self.unitid = rng.randint(1000, 99999)
        self.per_page = rng.randint(5, 15)
        self.group = self.per_page * rng.randint(1, 3)
        self.proxy = kit.knob("proxy_path")
        self.webid = kit.vars.setdefault("webid", str(rng.randint(1, 99)))
        self.key = hexname(kit.id, col, self.unitid, n=24)

    @property
    def total(self) -> int:
        return len(self.entries)

    def params(self) -> str:
        return (
            f"appid=1&webid={self.webid}&path=/&columnid={self.col}&unitid={self.unitid}"
            f"&webname={quote(self.kit.site_name)}&permissiontype=0"
        )

    def form(self) -> bytes:
        st = 3 if "jslib" in self.proxy else 1
        return (
            f"col=1&appid=1&webid={self.webid}&path=%2F&columnid={self.col}&sourceContentType={st}"
            f"&unitid={self.unitid}&webname={quote(self.kit.site_name)}&permissiontype=0"
        ).encode()

    def nextgroup(self, page: int) -> str:
        if self.kit.knob("nextgroup") == "encrypted":
            return f"{self.proxy}?page={page}&vc={self.key}"
        return f"{self.proxy}?page={page}&{self.params()}"

    def datastore(self, chunk: list[Entry], next_page: int | None) -> str:
        nextgroup = (
            f'<a href="{escape(self.nextgroup(next_page))}"></a>' if next_page is not None else ""
        )
        records = "".join(
            f"<record><![CDATA[{record_html(self.kit, e)}]]></record>\n" for e in chunk
        )
        pages = max(1, -(-self.total // self.per_page))
        return (
            f"<datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n"
            f"<recordset>\n{records}</recordset><totalrecord>{self.total}</totalrecord>"
            f"<totalpage>{pages}</totalpage></datastore>"
        )

    def page_html(self) -> tuple[str, list[str]]:
        kit = self.kit
        first = self.entries[: self.group]
        more = self.total > self.group
        cfg = {
            "unitid": str(self.unitid),
            "proxyUrl": self.proxy,
            "perPage": self.per_page,
            "groupSize": self.group // self.per_page,
            "totalRecord": self.total,
            "ajaxType": "POST" if kit.knob("request") == "post-range" else "GET",
            "form": self.form().decode(),
            "query": self.params() if kit.knob("nextgroup") == "plain" else f"vc={self.key}",
        }
        js = (
            f"<script language='javascript' src='{JPAGE_PATH}'></script>"
            f"<script>jpage_load({json.dumps(cfg, ensure_ascii=False)});</script>"
        )
        human = ""
        if kit.knob("human_paging") == "uid-pagenum":
            pages = max(1, -(-self.total // self.per_page))
            human = (
                "<div class='pagination'>"
                + "".join(
                    f'<a href="{self.path}?uid={self.unitid}&amp;pageNum={p}">{p}</a> '
                    for p in range(2, pages + 1)
                )
                + "</div>"
            )
        body = (
            f'<div class="column"><h2>{escape(self.name)}</h2><div id="{self.unitid}">'
            f'<script type="text/xml">{self.datastore(first, 2 if more else None)}</script>'
            f"</div>{js}{human}</div>"
        )
        reveals = [str(self.unitid), self.proxy, f"<totalrecord>{self.total}</totalrecord>"]
        reveals += [e.href for e in first if e.kind == "report"]
        return body, reveals

    def human_page(self, page: int) -> str:
        chunk = self.entries[(page - 1) * self.per_page : page * self.per_page]
        items = "".join(record_html(self.kit, e) for e in chunk) or "<li>暂无信息</li>"
        return self.kit.document(
            self.name, f"<div class='column'><ul>{items}</ul></div>", column=self.name
        )

    def answer(self, start: int, end: int) -> Resource:
        kit = self.kit
        if kit.knob("range_limit") == "group":
            end = min(end, start + self.group - 1)
        chunk = self.entries[max(0, start - 1) : max(0, end)]
        if kit.knob("response") == "js-text":
            strings = ",\n".join(json.dumps(record_html(kit, e), ensure_ascii=False) for e in chunk)
            pages = max(1, -(-self.total // self.per_page))
            body = f"\n\n\n\n\ntotalRecord={self.total}.0;totalPage = {pages};dataStore = [\n{strings}\n];"
            return Resource(body.encode("utf-8"), "text/html;charset=UTF-8", conditional=False)
        nxt = end // self.group + 2 if end < self.total else None
        xml = '<?xml version="1.0" encoding="UTF-8"?>' + self.datastore(chunk, nxt)
        return Resource(xml.encode("utf-8"), "text/xml;charset=UTF-8", conditional=False)

    def proxy_steps(self) -> None:
        """The proxy requests that fetch every record after the first group."""
        kit = self.kit
        if self.total <= self.group:
            return
        headers = (("Referer", kit.url(self.path)), XHR)
        post = kit.knob("request") == "post-range"
        media = "text/html" if kit.knob("response") == "js-text" else "text/xml"
        ranges: list[tuple[int, int]] = []
        if kit.knob("range_limit") == "any" and post:
            ranges.append((self.group + 1, self.total))
        else:
            s = self.group + 1
            while s <= self.total:
                ranges.append((s, s + self.group - 1))
                s += self.group
        for start, end in ranges:
            chunk = self.entries[start - 1 : end]
            reveals = [e.href for e in chunk if e.kind == "report"]
            if post:
                kit.step(
                    StepKind.API,
                    f"{self.proxy}?startrecord={start}&endrecord={end}&perpage={self.per_page}",
                    method="POST",
                    body=self.form(),
                    headers=(*headers, FORM_TYPE),
                    media=media,
                    encoding="utf-8",
                    reveals=reveals,
                )
            else:
                page = (start - 1) // self.group + 1
                kit.step(
                    StepKind.API,
                    self.nextgroup(page),
                    headers=headers,
                    media=media,
                    encoding="utf-8",
                    reveals=reveals,
                )


def proxy_handler(kit: SiteKit, columns: list[Column]) -> DynamicHandler:
    by_id = {c.col: c for c in columns}
    by_key = {c.key: c for c in columns}
    proxy = kit.knob("proxy_path")
    check = kit.knob("check_headers")
    post = kit.knob("request") == "post-range"

    def handle(request: Request) -> Resource | None:
        if request.path != proxy:
            return None
        if check == "referer" and "/col/col" not in request.headers.get("referer", ""):
            return Resource(b"<h1>403 Forbidden</h1>", "text/html", status=403, conditional=False)
        if check == "xhr" and request.headers.get("x-requested-with") != "XMLHttpRequest":
            return Resource(b"<h1>403 Forbidden</h1>", "text/html", status=403, conditional=False)
        params = dict(request.query)
        if request.method == "POST":
            params.update(parse_qsl(request.body.decode("utf-8", "replace")))
        column = by_key.get(params.get("vc", "")) or by_id.get(_int(params.get("columnid")))
        if column is None or (post and request.method != "POST"):
            return Resource(
                b'<?xml version="1.0" encoding="UTF-8"?><datastore><recordset></recordset>'
                b"<totalrecord>0</totalrecord></datastore>",
                "text/xml;charset=UTF-8",
                conditional=False,
            )
        if post:
            start = _int(params.get("startrecord")) or 1
            end = _int(params.get("endrecord")) or start + column.group - 1
        else:
            page = max(1, _int(params.get("page")) or 1)
            start = (page - 1) * column.group + 1
            end = start + column.group - 1
        return column.answer(start, end)

    return handle


def _int(value: str | None) -> int:
    try:
        return int(float(value or ""))
    except ValueError:
        return 0


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    kit.server_name = "JCMS/6.0 (Hanweb)"
    rng = kit.rng
    tree = county_tree(
        pool,
        kit.id,
        rng,
        level=rng.choice(("county", "county", "city")),
        n_departments=rng.randint(1, 4),
        n_townships=rng.randint(1, 4),
    )
    kit.tree = tree
    maybe_another(pool, tree, rng, kit.id)
    kit.site_name = tree.owner.name
    module = kit.knob("xxgk_module")
    plans = plan_reports(
        rng,
        tree,
        rng.randint(3, 15),
        formats=("html", "html+pdf", "html+docx", "stub+pdf", "stub+doc", "html+xls", "stub+ofd"),
        cover_all=module != "none",
    )
    build_hanweb(kit, tree, plans)
    return BuiltSite(kit, tree, [kit.url(kit.start_path)], registry_hosts=["oss"])


def build_hanweb(kit: SiteKit, tree: AgencyTree, plans: list[ReportPlan]) -> None:
    rng = kit.rng
    long_ids = kit.knob("col_ids") == "long"

    def new_col() -> int:
        return rng.randint(1229000000, 1229999999) if long_ids else rng.randint(100, 99999)

    prefix = ""
    if kit.knob("install") == "jcms_files":
        prefix = f"/xxgk/jcms_files/jcms1/web{kit.vars.setdefault('webid', str(rng.randint(1, 99)))}/site"
    module = kit.knob("xxgk_module")
    years = (2014, 2025)
    report_col = new_col()
    xxgk_col = new_col()
    column_name = rng.choice(COLUMN_NAMES)
    column_path = f"{prefix}/col/col{report_col}/index.html"
    kit.nav = [
        ("首页", "/index.html"),
        ("政务公开", f"{prefix}/col/col{xxgk_col}/index.html"),
        ("新闻中心", "/xwzx/index.html"),
    ]
    report_prefix = "/attach/nbbk/" if kit.knob("robots") == "disallow-report" else None
    kit.robots(report_prefix)
    inside, side = split_decoys(kit, tree, years)
    owners_plans = [
        p for p in plans if module == "none" or p.agency is tree.owner or p.agency in tree.others
    ]
    module_plans = [p for p in plans if p not in owners_plans]

    def files_for(plan: ReportPlan, col: int, forbid: bool) -> list[FileLoc]:
        style = kit.knob("attachments")
        locs: list[FileLoc] = []
        for j, f in enumerate(plan.files):
            name = f"{hexname(kit.id, plan.key, j)}.{f.fmt}"
            if forbid:
                locs.append(
                    FileLoc(f"{report_prefix}{name}", f"{report_prefix}{name}", label=f.display)
                )
            elif style == "downfile":
                down = f"/module/download/downfile.jsp?classid=0&filename={name}"
                locs.append(FileLoc(down, f"/attach/0/{name}", redirect_from=down, label=f.display))
            elif style == "oss":
                path = (
                    f"/jcms_files/jcms1/web{kit.vars.setdefault('webid', '1')}/site/attach/0/{name}"
                )
                locs.append(FileLoc(kit.url(path, "oss"), path, host="oss", label=f.display))
            else:
                locs.append(FileLoc(f"/attach/0/{name}", f"/attach/0/{name}", label=f.display))
        return locs

    def publish_all(ps: list[ReportPlan], col: int) -> list[Entry]:
        out: list[Entry] = []
        forbid_key = (
            ps[len(ps) // 2].key if report_prefix and ps and any(p.files for p in ps) else None
        )
        for plan in ps:
            if not plan.page and not plan.files:
                plan.page = True
            page = art_path(plan.published, col, 3000 + plan.key * 7) if plan.page else None
            locs = files_for(plan, col, plan.key == forbid_key and bool(plan.files))
            pub = kit.publish(plan, page, locs, column=column_name, info_table=module != "none")
            out.append(Entry(plan.title, plan.published, page or locs[0].href, "report", plan.key))
            del pub
        return out

    entries = publish_all(owners_plans, report_col)
    for d in inside:
        page = art_path(d.published, report_col, 5000 + d.key)
        kit.publish_decoy(d, page, column=column_name)
        entries.append(Entry(d.title, d.published, page, "decoy", d.key))
    if kit.knob("placement") == "mixed":
        for f in fillers(kit, 15, 60):
            page = art_path(f.published, report_col, 7000 + f.key)
            kit.add_page(
                page,
                kit.document(
                    f.title,
                    f"<div class='article'><h2>{escape(f.title)}</h2>{kit.container}<p>{escape(f.title)}。</p></div></div>",
                ),
                modified=f.published,
            )
            entries.append(Entry(f.title, f.published, page, "filler", f.key))
    ordered = merge_entries(
        [e for e in entries if e.kind == "report"], [e for e in entries if e.kind != "report"]
    )
    column = Column(kit, report_col, column_path, column_name, ordered)

    news_first, _news = news_section(kit, fillers(kit, 10, 30), "/xwzx/")
    xxgk_path = f"{prefix}/col/col{xxgk_col}/index.html"
    side_links = decoy_columns(kit, side, f"{prefix}/zfxxgk/", xxgk_path)
    directory_path = f"{prefix}/col/col{new_col()}/index.html"
    extra_links = list(side_links)
    if module != "none" and module_plans:
        extra_links.append(("部门和乡镇信息公开目录", directory_path))
    nav_pages = [
        NavPage(
            "/index.html",
            tree.owner.name,
            [("新闻中心", news_first), ("互动交流", "/jact/front/mailpubliclist.do")],
        ),
        NavPage(xxgk_path, "政府信息公开", extra_links),
    ]
    link = column_link(kit, column_path, xxgk_path, column_name, "", "")
    kit.start_path = nav_chain(kit, nav_pages, link, column_path)
    kit.pages["main"]["/"] = kit.pages["main"]["/index.html"]

    body, reveals = column.page_html()
    kit.add_page(column_path, kit.document(column_name, body, column=column_name))
    kit.step(StepKind.LISTING, column_path, reveals=reveals)
    column.proxy_steps()
    if kit.knob("human_paging") == "uid-pagenum":
        pages = max(1, -(-column.total // column.per_page))
        for p in range(1, pages + 1):
            kit.add_page(f"{column_path}?uid={column.unitid}&pageNum={p}", column.human_page(p))
        kit.dynamic["main"].append(_human_beyond(kit, column, pages))
    columns = [column]
    kit.add_raw(JPAGE_PATH, JPAGE_JS.encode(), "application/javascript", modified="2019-06-01")
    if module != "none" and module_plans:
        _module(kit, tree, module_plans, directory_path, publish_all, new_col, prefix)
    kit.dynamic["main"].append(proxy_handler(kit, columns))


def _human_beyond(kit: SiteKit, column: Column, pages: int) -> DynamicHandler:
    def handle(request: Request) -> Resource | None:
        if request.path != column.path or "pageNum" not in request.query:
            return None
        page = _int(request.query.get("pageNum"))
        if 1 <= page <= pages:
            return None
        return kit.html_resource(column.human_page(page))

    return handle


def _module(
    kit: SiteKit,
    tree: AgencyTree,
    plans: list[ReportPlan],
    directory_path: str,
    publish_all: Callable[[list[ReportPlan], int], list[Entry]],
    new_col: Callable[[], int],
    prefix: str,
) -> None:
    """The 信息公开 module: one directory of publishing bodies (jdid), each listing its
    reports through the same search endpoint."""
    rng = kit.rng
    old = kit.knob("xxgk_module") == "old-path"
    cat = rng.randint(10, 99)
    div = rng.randint(1000, 9999)
    per = rng.randint(3, 8)
    bodies = [a for a in tree.departments + tree.townships]
    links: list[tuple[str, str]] = []
    pages: dict[tuple[int, int], str] = {}
    steps: list[tuple[str, list[str]]] = []
    for jdid, agency in enumerate(bodies, start=1):
        mine = [p for p in plans if p.agency is agency]
        col = new_col()
        entries = publish_all(mine, col)
        entries.sort(key=lambda e: e.date, reverse=True)
        n_pages = max(1, -(-len(entries) // per))
        for page in range(1, n_pages + 1):
            url = _search_url(old, prefix, cat, jdid, div, page)
            chunk = entries[(page - 1) * per : page * per]
            rows = "".join(
                f'<tr><td><a href="{e.href}" target="_blank" title="{escape(e.title)}">{escape(kit.list_text(e.title)[0])}</a></td><td>{e.date}</td></tr>'
                for e in chunk
            )
            pager = (
                f"<div class='page'>共{len(entries)}条 第{page}/{n_pages}页 "
                + (f'<a href="javascript:goPage({page + 1})">下一页</a>' if page < n_pages else "")
                + "<script>function goPage(p){location.href=location.href.replace(/currpage=\\d+/,'currpage='+p);}</script></div>"
            )
            html = kit.document(
                agency.name,
                f"<table class='xxgk-list'>{rows}</table>{pager}",
                column="政府信息公开年报",
            )
            pages[(jdid, page)] = html
            kit.add_page(url, html)
            steps.append(
                (
                    url,
                    [e.href for e in chunk]
                    + ([f"goPage({page + 1})", "currpage="] if page < n_pages else []),
                )
            )
        if mine:
            links.append((agency.name, _search_url(old, prefix, cat, jdid, div, 1)))
    body = (
        "<div class='xxgk-tree'><h3>部门和乡镇</h3><ul>"
        + "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in links)
        + "</ul></div>"
    )
    kit.add_page(directory_path, kit.document("政府信息公开目录", body, column="政府信息公开目录"))
    if kit.knob("start") == "column":  # up through the top navigation to 政府信息公开
        kit.step(StepKind.NAV, kit.nav[1][1], reveals=[escape(directory_path)])
    kit.step(StepKind.NAV, directory_path, reveals=[escape(h) for _t, h in links])
    for url, reveals in steps:
        kit.step(StepKind.LISTING, url, reveals=reveals)


def _search_url(old: bool, prefix: str, cat: int, jdid: int, div: int, page: int) -> str:
    if old:
        return (
            f"{prefix or '/xxgk/jcms_files/jcms1/web1/site'}/zfxxgk/search.jsp?showsub=1&orderbysub=0"
            f"&cid={cat}&jdid={jdid}&divid=div{div}&currpage={page}"
        )
    return (
        f"/module/xxgk/search.jsp?infotypeId=NB{cat}&jdid={jdid}&area=11{jdid:04d}"
        f"&divid=div{div}&currpage={page}&sortfield=compaltedate:0"
    )
