"""What most families share: the way from the home page to the report column, the news
section that fills a breadth-first crawl, look-alike columns beside the real one, and the
report column's link in its many forms (href, JavaScript function, onclick, HTML comment)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from sampleweb.variants.content import (
    DecoyPlan,
    FillerPlan,
    ReportPlan,
    pick_lookalikes,
    plan_decoys,
    plan_fillers,
)
from sampleweb.variants.kit import Entry, SiteKit
from sampleweb.variants.model import Lookalike, StepKind
from sampleweb.variants.names import AgencyTree

COLUMN_NAMES = (
    "政府信息公开年报",
    "政府信息公开工作年度报告",
    "信息公开年报",
    "年度报告",
    "政府信息公开年度报告",
    "政务公开年报",
)

# look-alikes that sit in the report column itself, and those in columns of their own
IN_COLUMN = (Lookalike.INTERPRETATION, Lookalike.NOTICE, Lookalike.TEMPLATE)


@dataclass
class NavPage:
    path: str
    title: str
    links: list[tuple[str, str]] = field(default_factory=list)  # other links (text, href)


@dataclass
class ColumnLink:
    html: str  # how the previous page links to the column
    reveals: list[str]


def column_link(
    kit: SiteKit, target: str, source: str, text: str, slug: str, prefix: str
) -> ColumnLink:
    """The link from the page at `source` to the report column at `target` per the
    `column_link` knob (guide §2.2): an href, a JavaScript function that builds the URL
    from a code (`goXxgkml('xxgknb')`), an onclick handler, or only an HTML comment."""
    style = kit.knob("column_link", weights=(6, 1.5, 1, 1))
    if style == "js-function" and slug and target.startswith(prefix + slug):
        tail = target[len(prefix) + len(slug) :]
        script = (
            "<script type='text/javascript'>function goXxgkml(code){"
            f"window.location.href = '{prefix}' + code + '{tail}';}}</script>"
        )
        html = f"<li><a href=\"javascript:goXxgkml('{slug}')\">{escape(text)}</a></li>{script}"
        return ColumnLink(html, [f"goXxgkml('{slug}')", f"'{prefix}' + code + '{tail}'"])
    href = kit.href(target, source)
    if style == "onclick":
        html = (
            f'<li><a href="javascript:void(0)" onclick="window.open(\'{href}\')">'
            f"{escape(text)}</a></li>"
        )
        return ColumnLink(html, [f"window.open('{href}')"])
    if style == "comment":
        html = (
            f'<!--<li><a href="{escape(href)}">{escape(text)}</a></li>-->'
            '<li><a href="javascript:;">依申请公开</a></li>'
        )
        return ColumnLink(html, [f'<!--<li><a href="{escape(href)}">'])
    if style != "href":
        kit.force("column_link", "href")
    return ColumnLink(f'<li><a href="{escape(href)}">{escape(text)}</a></li>', [escape(href)])


def nav_chain(
    kit: SiteKit,
    pages: list[NavPage],
    last_link: ColumnLink,
    column_path: str,
    *,
    host: str = "main",
) -> str:
    """Serve the navigation pages, each linking to the next and the last to the column,
    and record the steps the `start` knob makes necessary. Returns the start path."""
    start = kit.knob("start")
    first = {"home": 0, "xxgk": len(pages) - 1, "column": len(pages)}[start]
    for i, page in enumerate(pages):
        if i + 1 < len(pages):
            nxt = pages[i + 1]
            link = f'<li><a href="{escape(kit.href(nxt.path, page.path))}">{escape(nxt.title)}</a></li>'
            reveals = [escape(kit.href(nxt.path, page.path))]
        else:
            link, reveals = last_link.html, last_link.reveals
        others = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in page.links)
        body = f'<div class="column-nav"><ul>{others}{link}</ul></div>'
        kit.pages[host][page.path] = kit.html_resource(
            kit.document(page.title, body, column=page.title)
        )
        if i >= first:
            kit.step(StepKind.NAV, page.path, host=host, reveals=reveals)
    return pages[first].path if first < len(pages) else column_path


def news_section(
    kit: SiteKit, fillers: list[FillerPlan], base: str, *, per_page: int = 12
) -> tuple[str, list[Entry]]:
    """A 新闻中心 list with static numbered pages and an article per filler (not in the
    truth's path: this is what an unfocused crawl spends its budget on)."""
    entries: list[Entry] = []
    for f in fillers:
        path = (
            f"{base}{f.published[:7].replace('-', '')}/t{f.published.replace('-', '')}_{f.key}.html"
        )
        body = f"<p>{escape(f.title)}。</p><p>近日，相关工作有序推进。</p>"
        doc = kit.document(
            f.title,
            f'<div class="article"><h2>{escape(f.title)}</h2><div class="info">发布时间：{f.published}</div>'
            f"{kit.container}{body}</div></div>",
            column="新闻中心",
        )
        kit.add_page(path, doc, modified=f.published)
        entries.append(Entry(f.title, f.published, path, "filler", f.key))
    entries.sort(key=lambda e: e.date, reverse=True)
    pages = max(1, -(-len(entries) // per_page))
    for k in range(pages):
        path = f"{base}index.html" if k == 0 else f"{base}index_{k}.html"
        chunk = entries[k * per_page : (k + 1) * per_page]
        shown = [Entry(e.title, e.date, kit.href(e.href, path), e.kind) for e in chunk]
        pager = " ".join(
            f'<a href="{kit.href(f"{base}index.html" if j == 0 else f"{base}index_{j}.html", path)}">{j + 1}</a>'
            for j in range(pages)
        )
        kit.add_page(
            path,
            kit.document(
                "新闻中心",
                f"{kit.list_items(shown)}<div class='pager'>{pager}</div>",
                column="新闻中心",
            ),
        )
    return base + "index.html", entries


def decoy_columns(
    kit: SiteKit, decoys: list[DecoyPlan], base: str, from_path: str
) -> list[tuple[str, str]]:
    """Each look-alike kind not shown in the report column gets a column of its own under
    `base` (its real slug: zfwzgzndbb, gjj/gknb, xxgknb …). Returns (name, href) links."""
    links: list[tuple[str, str]] = []
    names = {
        Lookalike.WEBSITE_FORM: "政府网站工作年度报表",
        Lookalike.HOUSING_FUND: "住房公积金年度报告",
        Lookalike.COMPANY: "国有企业年度报告",
        Lookalike.UNIVERSITY: "高校信息公开年报",
        Lookalike.GUIDE: "政府信息公开指南",
        Lookalike.WORK_REPORT: "政府工作报告",
        Lookalike.RULE_OF_LAW: "法治政府建设年度报告",
        Lookalike.BUDGET: "财政预决算",
        Lookalike.KEY_POINTS: "政务公开工作要点",
        Lookalike.STATISTICS: "统计公报",
        Lookalike.NOTICE: "通知公告",
        Lookalike.INTERPRETATION: "政策解读",
        Lookalike.TEMPLATE: "政府信息公开制度",
    }
    for d in decoys:
        col = f"{base}{d.slug}/"
        page = (
            f"{col}{d.published[:7].replace('-', '')}/t{d.published.replace('-', '')}_{d.key}.html"
        )
        kit.publish_decoy(d, page, column=names[d.kind])
        listing = kit.list_items(
            [Entry(d.title, d.published, kit.href(page, col + "index.html"), "decoy")]
        )
        kit.add_page(col + "index.html", kit.document(names[d.kind], listing, column=names[d.kind]))
        links.append((names[d.kind], kit.href(col + "index.html", from_path)))
    return links


@dataclass
class Content:
    reports: list[ReportPlan]
    column_decoys: list[DecoyPlan]  # shown inside the report column
    side_decoys: list[DecoyPlan]  # in columns of their own
    fillers: list[FillerPlan]


def split_decoys(
    kit: SiteKit, tree: AgencyTree, years: tuple[int, int]
) -> tuple[list[DecoyPlan], list[DecoyPlan]]:
    many = kit.knob("lookalikes") == "many"
    kinds = pick_lookalikes(kit.rng, kit.rng.randint(4, 7) if many else kit.rng.randint(2, 3))
    decoys = plan_decoys(kit.rng, tree, kinds, years)
    inside = [d for d in decoys if d.kind in IN_COLUMN or kit.rng.random() < 0.25]
    side = [d for d in decoys if d not in inside]
    return inside, side


def fillers(kit: SiteKit, lo: int, hi: int) -> list[FillerPlan]:
    return plan_fillers(kit.rng, kit.rng.randint(lo, hi), (2016, 2025))


def merge_entries(report_entries: list[Entry], others: list[Entry]) -> list[Entry]:
    """A list in date order, newest first (as CMS lists are)."""
    return sorted(report_entries + others, key=lambda e: (e.date, e.key), reverse=True)
