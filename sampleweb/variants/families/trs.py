"""TRS WCM static publishing (guide §1.3).

Column `…/{slug}/index.html`, pages `index_k.html` whose pager is written by script in one
of the `createPageHTML` dialects (4-arg 0-based, 6-arg with the record total, `list_`
prefix, div-first 1-based, inline `countPage` + `document.write`, the function defined
inline before its call, a page count only in a jump-box script). Articles
`{YYYYMM}/t{YYYYMMDD}_{id}.html` linked relatively, attachments `./P0{timestamp}.pdf` in the
article's directory (whose month may differ from the file's date), pages in GBK.
"""

from __future__ import annotations

from html import escape

from sampleweb.render import html_fragment
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
from sampleweb.variants.kit import BuiltSite, Entry, FileLoc, Published, SiteKit, relative_href
from sampleweb.variants.model import StepKind
from sampleweb.variants.names import AgencyTree, NamePool, county_tree, department_tree

KNOBS: dict[str, tuple[str, ...]] = {
    "pager": (
        "classic4",
        "six",
        "list-prefix",
        "div-first",
        "inline-vars",
        "defined-inline",
        "jump-only",
    ),
    "column_slug": (
        "zfxxgknb",
        "xxgknb",
        "gknb",
        "gkndbg",
        "fdzdgknr/ndbg",
        "txxgknb",
        "XXGK/NDBG",
    ),
    "owner": ("county", "department"),
    "article_paging": ("none", "paged"),
    "direct_files": ("none", "some"),
    "attachment_month": ("same", "older"),
    "placement": ("dedicated", "mixed"),
}


def page_name(pager: str, k: int) -> str:
    """File name of page k (0-based) in the pager's naming."""
    if pager == "six":
        return "index.shtml" if k == 0 else f"index_{k}.shtml"
    if pager == "list-prefix":
        return "list.html" if k == 0 else f"list_{k}.html"
    if pager == "div-first":
        return "index.html" if k == 0 else f"index_{k + 1}.html"
    return "index.html" if k == 0 else f"index_{k}.html"


def pager_script(pager: str, n: int, k: int, total: int) -> tuple[str, list[str]]:
    """The pager markup of page k of n, and what of it reveals the other pages."""
    if pager == "classic4":
        call = f'createPageHTML({n}, {k}, "index", "html")'
        return f'<div class="page"><script language="JavaScript">{call};</script></div>', [call]
    if pager == "six":
        call = f'createPageHTML({n}, {k}, "index", "shtml", "black2", {total})'
        return f'<div class="page"><script>{call};</script></div>', [call]
    if pager == "list-prefix":
        call = f'createPageHTML({n}, {k}, "list", "html")'
        return f"<div class='page'><script type='text/javascript'>{call};</script></div>", [call]
    if pager == "div-first":
        define = (
            "function createPageHTML(divName, _nPageCount, _nCurrIndex, _sPageName, _sPageExt, _nPageSum){"
            "if(_nPageSum == 0){return;} var html = '';"
            "for(var i = 1; i <= _nPageCount; i++){"
            "var href = (i == 1) ? _sPageName + '.' + _sPageExt : _sPageName + '_' + i + '.' + _sPageExt;"
            "html += (i == _nCurrIndex) ? '<span>' + i + '</span> ' : '<a href=\"' + href + '\">' + i + '</a> ';}"
            "document.getElementById(divName).innerHTML = html;}"
        )
        call = f"createPageHTML('page_div', {n}, {k + 1}, 'index', 'html', {total})"
        return (
            f'<div id="page_div"></div><script type="text/javascript">{define}</script>'
            f'<script type="text/javascript">{call};</script>',
            [call],
        )
    if pager == "inline-vars":
        code = (
            f"var currentPage = {k};//所在页从0开始\n"
            f"var countPage = {n}//共多少页\n"
            "var prevPage = currentPage - 1;\nvar nextPage = currentPage + 1;\n"
            'document.write("<a href=\\"index.html\\">首页</a> ");\n'
            'if (prevPage >= 0) { document.write("<a href=\\"index" + (prevPage == 0 ? "" : "_" + prevPage) + ".html\\">上一页</a> "); }\n'
            'if (nextPage < countPage) { document.write("<a href=\\"index_" + nextPage + ".html\\">下一页</a> "); }\n'
            'document.write("<a href=\\"index_" + (countPage - 1) + ".html\\">尾页</a>");\n'
        )
        return f'<div class="page"><script language="JavaScript">\n{code}</script></div>', [
            f"var countPage = {n}//共多少页",
            f"var currentPage = {k};",
        ]
    if pager == "defined-inline":
        define = (
            "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){\n"
            "  if(_nPageCount == null || _nPageCount <= 1){ return; }\n"
            "  var nCurrIndex = _nCurrIndex || 0;\n"
            '  if(nCurrIndex == 0){ document.write("<span>首页</span> "); }\n'
            '  else { document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a> "); }\n'
            "  for(var i = 1; i < _nPageCount; i++){\n"
            '    document.write("<a href=\\"" + _sPageName + "_" + i + "." + _sPageExt + "\\">" + (i + 1) + "</a> ");\n'
            "  }\n}\n"
        )
        call = f'createPageHTML({n}, {k}, "index", "html")'
        return (
            f'<div class="page"><script language="JavaScript">\n{define}{call};\n</script></div>',
            [call],
        )
    # jump-only: the page count is only the bound checked in the jump box
    code = (
        "function pageJump(){ var ele = document.getElementById('jumpPage');\n"
        f"  if (ele.value > ({n}) || ele.value < 1) {{ alert('超出页码范围'); return; }}\n"
        "  location.href = (ele.value == 1) ? 'index.html' : 'index_' + (ele.value - 1) + '.html';\n}\n"
    )
    return (
        f'<div class="page">共{total}条 第{k + 1}页 <input id="jumpPage" size="3">'
        f'<a href="javascript:pageJump()">跳转</a><script>\n{code}</script></div>',
        [f"ele.value > ({n})", "'index_' + (ele.value - 1) + '.html'"],
    )


def _trs_id(kit: SiteKit, key: int) -> int:
    return 10000 + key * 37 + kit.rng.randint(0, 30)


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    kit.server_name = "TRS WCM"
    kit.knob(
        "encoding",
        ("gbk/header", "gbk/meta", "gbk/both", "gb18030/both", "utf-8/both", "utf-8/meta"),
        (3, 3, 2, 1, 1, 1),
    )
    kit.force("links", "relative")
    owner_kind = kit.knob("owner")
    rng = kit.rng
    if owner_kind == "county":
        tree = county_tree(
            pool, kit.id, rng, n_departments=rng.randint(1, 4), n_townships=rng.randint(0, 3)
        )
        n_reports = rng.randint(3, 15)
    else:
        tree = department_tree(pool, kit.id, rng)
        n_reports = rng.randint(1, 8)
    kit.tree = tree
    kit.site_name = tree.owner.name
    years = (2014, 2025)
    plans = plan_reports(
        rng,
        tree,
        n_reports,
        formats=("html", "html+pdf", "pdf", "doc", "html+docx", "stub+pdf", "xls", "ofd", "wps"),
        bare_titles=owner_kind == "department",
    )
    build_trs_site(kit, tree, plans, years)
    return BuiltSite(kit, tree, [kit.url(kit.start_path)])


def build_trs_site(
    kit: SiteKit, tree: AgencyTree, plans: list[ReportPlan], years: tuple[int, int]
) -> None:
    rng = kit.rng
    pager = kit.knob("pager")
    slug = kit.knob("column_slug")
    if slug == "txxgknb":
        slug = f"txxgknb_{rng.randint(1000, 30000)}"
    xxgk = "/XXGK/" if slug.startswith("XXGK") else "/zwgk/zfxxgk/"
    col = "/XXGK/NDBG/" if slug.startswith("XXGK") else f"{xxgk}{slug}/"
    ext = "shtml" if pager == "six" else "html"
    column_name = rng.choice(COLUMN_NAMES)
    column_first = col + page_name(pager, 0)
    kit.nav = [
        ("首页", "/index.html"),
        ("政务公开", "/zwgk/index.html"),
        ("新闻中心", "/xwzx/gzdt/index.html"),
        ("互动交流", "/hdjl/index.html"),
    ]
    inside, side = split_decoys(kit, tree, years)
    mixed = kit.knob("placement") == "mixed"
    news = fillers(kit, 8, 30)
    in_list_fillers = fillers(kit, 10, 35) if mixed else []

    # --- the reports
    report_prefix = "/nbbk/" if kit.knob("robots") == "disallow-report" else None
    kit.robots(report_prefix)
    direct = kit.knob("direct_files") == "some"
    paged_done = kit.knob("article_paging") == "none"
    entries: list[Entry] = []
    later: list[Published] = []
    for i, plan in enumerate(plans):
        ym = plan.published[:7].replace("-", "")
        day = plan.published.replace("-", "")
        base_dir = "/nbbk/" if report_prefix and i == len(plans) // 2 else col
        art_dir = f"{base_dir}{ym}/"
        tid = _trs_id(kit, plan.key)
        if not plan.page and not direct:
            plan.page = True  # no direct file links on this site: the report gets a page
        locs: list[FileLoc] = []
        for j, f in enumerate(plan.files):
            stamp = day
            if kit.knob("attachment_month") == "older":
                stamp = f"{int(day[:4]) - (1 if day[4:6] == '01' else 0)}{(int(day[4:6]) - 2) % 12 + 1:02d}{day[6:]}"
            name = f"P0{stamp}{rng.randint(100000, 999999)}{j}.{f.fmt}"
            href = f"./{name}" if plan.page else relative_href(art_dir + name, column_first)
            locs.append(FileLoc(href, art_dir + name, label=f.display))
        page_path = f"{art_dir}t{day}_{tid}.{ext}" if plan.page else None
        paged = None
        page_doc = None
        if page_path and not paged_done and plan.text and plan.full_page and not plan.files:
            paged_done = True
            page_doc, paged = _paged_article(kit, plan, page_path, column_name)
        pub = kit.publish(
            plan,
            page_path,
            locs,
            column=column_name,
            page_doc=page_doc,
            paged=paged,
        )
        link = relative_href(page_path, column_first) if page_path else locs[0].href
        if base_dir != col and page_path:
            link = page_path  # the backup column is linked from the root
        entries.append(Entry(plan.title, plan.published, link, "report", plan.key))
        later.append(pub)
    for d in inside:
        ym = d.published[:7].replace("-", "")
        page = f"{col}{ym}/t{d.published.replace('-', '')}_{_trs_id(kit, d.key)}.{ext}"
        kit.publish_decoy(d, page, column=column_name)
        entries.append(
            Entry(d.title, d.published, relative_href(page, column_first), "decoy", d.key)
        )
    news_first, _news = news_section(kit, news, "/xwzx/gzdt/")
    for filler in in_list_fillers:
        ym = filler.published[:7].replace("-", "")
        page = f"{col}{ym}/t{filler.published.replace('-', '')}_{_trs_id(kit, filler.key)}.{ext}"
        kit.add_page(
            page,
            kit.document(
                filler.title,
                f"<div class='article'><h2>{escape(filler.title)}</h2>{kit.container}<p>{escape(filler.title)}。</p></div></div>",
                column=column_name,
            ),
            modified=filler.published,
        )
        entries.append(
            Entry(
                filler.title,
                filler.published,
                relative_href(page, column_first),
                "filler",
                filler.key,
            )
        )

    # --- the column's pages
    ordered = merge_entries(
        [e for e in entries if e.kind == "report"], [e for e in entries if e.kind != "report"]
    )
    per_page = rng.randint(5, 15)
    n_pages = max(1, -(-len(ordered) // per_page))
    side_links = decoy_columns(kit, side, xxgk, xxgk + "index.html")
    nav_pages = [
        NavPage(
            "/index.html",
            tree.owner.name,
            [("新闻中心", news_first), ("政务服务", "/zwfw/index.html")],
        ),
        NavPage(
            "/zwgk/index.html",
            "政务公开",
            [("政策文件", "/zwgk/zcwj/index.html"), ("政策解读", "/zwgk/zcjd/index.html")],
        ),
        NavPage(xxgk + "index.html", "政府信息公开", side_links),
    ]
    target = column_first
    slug_for_link = slug.split("/")[-1] if "/" in slug else slug
    prefix = xxgk
    if "fdzdgknr/" in slug:
        nav_pages.append(
            NavPage(
                xxgk + "fdzdgknr/index.html",
                "法定主动公开内容",
                [("政策文件", "/zwgk/zcwj/index.html")],
            )
        )
        prefix = xxgk + "fdzdgknr/"
    column_entry = column_link(
        kit,
        target,
        nav_pages[-1].path,
        column_name,
        slug_for_link if not slug.startswith("XXGK") else "",
        prefix,
    )
    kit.start_path = nav_chain(kit, nav_pages, column_entry, target)
    kit.pages["main"]["/"] = kit.pages["main"]["/index.html"]
    total = len(ordered)
    for k in range(n_pages):
        chunk = ordered[k * per_page : (k + 1) * per_page]
        markup, reveals = pager_script(pager, n_pages, k, total)
        body = f'<div class="column"><h2>{escape(column_name)}</h2>{kit.list_items(chunk)}{markup}</div>'
        path = col + page_name(pager, k)
        kit.add_page(
            path,
            kit.document(column_name, body, column=column_name),
            modified=max((e.date for e in chunk), default=None),
        )
        reveals = reveals + [escape(e.href) for e in chunk if e.kind == "report"]
        kit.step(StepKind.LISTING, path, reveals=reveals)


def _paged_article(
    kit: SiteKit, plan: ReportPlan, page_path: str, column: str
) -> tuple[str, tuple[list[tuple[str, str]], list[list[str]]]]:
    """A long report page split in three (`createPageHTML(3, 0, "t…", "html")`)."""
    assert plan.text is not None
    lines = plan.text.split("\n")
    cut1, cut2 = len(lines) // 3, 2 * len(lines) // 3
    parts = ["\n".join(lines[:cut1]), "\n".join(lines[cut1:cut2]), "\n".join(lines[cut2:])]
    stem = page_path.rsplit("/", 1)[1].rsplit(".", 1)[0]
    ext = page_path.rsplit(".", 1)[1]
    docs: list[str] = []
    for k, part in enumerate(parts):
        call = f'createPageHTML(3, {k}, "{stem}", "{ext}")'
        pager = (
            "<div class='page'><script>function createPageHTML(n,c,name,ext){for(var i=0;i<n;i++){"
            "document.write('<a href=\"'+(i==0?name+'.'+ext:name+'_'+i+'.'+ext)+'\">'+(i+1)+'</a> ');}}"
            f"{call};</script></div>"
        )
        docs.append(kit.article(plan, html_fragment(part) + pager, [], column=column))
    extra = [(f"{page_path.rsplit('/', 1)[0]}/{stem}_{k}.{ext}", docs[k]) for k in (1, 2)]
    # every part reveals the others by its pager call
    reveals = [[f'createPageHTML(3, {k}, "{stem}", "{ext}")'] for k in range(3)]
    return docs[0], (extra, reveals)
