"""What a generated site publishes: reports (text and files), look-alikes and news.

Report texts are the five real seed reports (renamed and moved in time, so their tables and
prose stay real), the synthetic 2019-layout reports of `sampleweb.texts`, and the real
documents of `sampleweb/assets` (binary .doc/.wps/.xls/.pdf, real PDFs of 淮安市 and 洪泽区,
the Shanghai HTML report) for the real agencies they belong to.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sampleweb.assets_files import generated, report_asset
from sampleweb.render import docx_bytes, ofd_bytes, sniff_media_type, xlsx_from_text
from sampleweb.texts import renamed, seed_text, synth_report, with_year
from sampleweb.variants.model import Lookalike
from sampleweb.variants.names import Agency, AgencyTree
from sampleweb.variants.pdf import pdf_bytes

FORMATS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "ofd")

DECLARED_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "wps": "application/kswps",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
}


@dataclass(frozen=True)
class AssetDoc:
    """A real file of sampleweb/assets and the report it is."""

    agency_short: str  # the place or agency name as the document's title has it
    year: int
    title: str
    files: tuple[tuple[str, str], ...]  # (asset name, format)
    town: bool = False


def _asset_bytes(name: str) -> bytes | None:
    if name.startswith("generated:"):
        try:
            return generated(name.split(":", 1)[1])
        except (KeyError, FileNotFoundError):
            return None
    return report_asset(name)


# Real documents by the real place that owns them (names.REAL_PLACES).
ASSET_DOCS: dict[str, tuple[AssetDoc, ...]] = {
    "岚皋县": (
        AssetDoc(
            "岚皋县",
            2020,
            "岚皋县2020年度政府信息公开工作年度报告",
            (("seed001.doc", "doc"), ("seed001.pdf", "pdf")),
        ),
        AssetDoc(
            "岚皋县财政局",
            2020,
            "岚皋县财政局2020年政府信息公开工作年度报告",
            (("generated:langao-czj-2020", "pdf"),),
        ),
        AssetDoc(
            "岚皋县教育体育局",
            2020,
            "岚皋县教育体育局2020年政府信息公开工作年度报告",
            (("generated:langao-jtj-2020", "doc"),),
        ),
        AssetDoc(
            "岚皋县民政局",
            2020,
            "岚皋县民政局2020年政府信息公开工作年度报告",
            (("generated:langao-mzj-2020", "wps"),),
        ),
        AssetDoc(
            "岚皋县统计局",
            2020,
            "岚皋县统计局2020年政府信息公开工作年度报告",
            (("generated:langao-tjj-2020", "xls"),),
        ),
        AssetDoc(
            "岚皋县卫生健康局",
            2020,
            "岚皋县卫生健康局2020年政府信息公开工作年度报告",
            (("generated:langao-wjj-2020", "xls"),),
        ),
    ),
    "宁海县": (
        AssetDoc(
            "长街镇",
            2020,
            "长街镇2020年度政府信息公开年度报告",
            (("seed000.doc", "doc"), ("seed000.wps", "wps"), ("seed000.xls", "xls")),
            town=True,
        ),
        AssetDoc(
            "宁海县农业农村局",
            2020,
            "宁海县农业农村局2020年政府信息公开工作年度报告",
            (("generated:ninghai-nyj-2020", "pdf"),),
        ),
    ),
    "尖扎县": (
        AssetDoc(
            "坎布拉镇",
            2020,
            "（坎布拉镇人民政府）2020年政府信息公开工作年度报告",
            (("seed003.doc", "doc"), ("seed003.pdf", "pdf")),
            town=True,
        ),
    ),
    "荥阳市": (
        AssetDoc(
            "广武镇",
            2020,
            "广武镇人民政府2020年政府信息公开工作年度报告",
            (("seed004.doc", "wps"), ("seed004.pdf", "pdf")),
            town=True,
        ),
    ),
    "淮安市": (
        AssetDoc(
            "淮安市",
            2024,
            "淮安市人民政府2024年政府信息公开工作年度报告",
            (("real-huaian-city-2024.pdf", "pdf"),),
        ),
    ),
    "洪泽区": (
        AssetDoc(
            "洪泽区",
            2023,
            "洪泽区人民政府2023年政府信息公开工作年度报告",
            (("real-hongze-district-2023.pdf", "pdf"),),
        ),
        AssetDoc(
            "洪泽区",
            2024,
            "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
            (("real-hongze-district-2024.pdf", "pdf"),),
        ),
    ),
}

# seed id -> the seed's own agency name (as in its text) and what kind of agency it fits
SEED_FIT = {
    "000": "township",
    "001": "county",
    "002": "township",
    "003": "township",
    "004": "township",
}
SEED_NAME = {"000": "长街镇", "001": "岚皋县", "002": "海滨街", "003": "坎布拉镇", "004": "广武镇"}


@dataclass
class FilePlan:
    fmt: str  # the extension the link shows
    data: bytes
    media_type: str  # sniffed from the bytes
    display: str  # the file name the page shows / Content-Disposition gives


@dataclass
class ReportPlan:
    agency: Agency
    year: int
    title: str
    published: str
    text: str | None  # the report text (None: only the files hold it)
    page: bool  # has an HTML page
    full_page: bool  # the page carries the full text (else "详见附件")
    files: list[FilePlan] = field(default_factory=list)
    named: str = ""  # the agency name the title uses ("" when the title names none)
    issuer: str = ""  # 信息来源 shown on the page
    note: str = ""
    key: int = 0  # a number unique in the site (ids, file names)


@dataclass
class DecoyPlan:
    kind: Lookalike
    title: str
    slug: str  # the column slug real sites use for it (zfwzgzndbb, gjj/gknb …)
    published: str
    body: str  # HTML body
    files: list[FilePlan] = field(default_factory=list)
    key: int = 0


@dataclass
class FillerPlan:
    title: str
    published: str
    key: int = 0


NEWS = (
    "召开{y}年政务公开工作推进会",
    "开展政府网站内容保障专项检查",
    "举办政务公开业务培训班",
    "关于公布第一批政务公开示范点的通知",
    "政务新媒体工作月报（{y}年{m}月）",
    "组织收看全省政务公开视频会议",
    "开展“政府开放日”活动",
    "关于调整政务公开工作领导小组成员的通知",
    "关于印发《{y}年安全生产工作要点》的通知",
    "{y}年第{q}季度重点项目建设情况",
    "召开常务会议研究部署近期重点工作",
    "开展防汛抗旱应急演练",
    "关于征集{y}年民生实事项目的公告",
    "{y}年{m}月份财政收支情况",
    "关于开展农村人居环境整治的实施方案",
    "关于做好春节期间疫情防控工作的通知",
    "举行重大项目集中开工仪式",
    "关于公开招聘事业单位工作人员的公告",
    "{y}年义务教育招生工作实施方案",
    "关于{y}年度行政许可事项清单的公告",
    "关于城乡居民医疗保险参保缴费的通告",
    "召开优化营商环境工作会议",
    "{y}年第{q}季度政务服务“好差评”情况通报",
    "关于进一步规范行政执法公示的通知",
)

DECOY_BODY = (
    "<p>各乡镇（街道）、各部门：</p><p>根据《中华人民共和国政府信息公开条例》和上级有关要求，现将有关事项通知如下，"
    "请认真抓好落实。</p><p>一、高度重视。二、规范编制。三、按时发布。</p>"
)


def _date(rng: random.Random, year: int, late: bool = False) -> str:
    month = rng.randint(4, 9) if late else rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
    day = rng.randint(1, 28)
    return f"{year}-{month:02d}-{day:02d}"


def _title(rng: random.Random, name: str, year: int, form: str) -> str:
    return {
        "std": f"{name}{year}年政府信息公开工作年度报告",
        "year-first": f"{year}年{name}政府信息公开工作年度报告",
        "niandu": f"{name}{year}年度政府信息公开工作年度报告",
        "no-gongzuo": f"{name}{year}年政府信息公开年度报告",
        "underscore": f"{name}_{year}年_政府信息公开工作年度报告",
        "paren": f"（{name}）{year}年政府信息公开工作年度报告",
        "zwgk": f"{name}{year}年政务公开暨政府信息公开工作年度报告",
        "bare": f"{year}年度政府信息公开工作年度报告",
        "bare2": f"{year}年政府信息公开工作年度报告",
    }[form]


TITLE_FORMS = (
    "std",
    "std",
    "std",
    "year-first",
    "niandu",
    "no-gongzuo",
    "underscore",
    "paren",
    "zwgk",
)


def report_text(rng: random.Random, agency: Agency, name: str, year: int, title: str) -> str:
    """A report text for the agency and year whose first line is the title."""
    fitting = [s for s, fit in SEED_FIT.items() if fit == agency.level]
    if fitting and rng.random() < 0.45:
        seed = rng.choice(fitting)
        text = renamed(seed_text(seed), SEED_NAME[seed], name)
        text = with_year(text, 2020, year)
    else:
        text = synth_report(name, year, rng.randint(1, 10**6)).text
    lines = text.lstrip("\n").split("\n")
    # the seeds start with their own title line(s): keep the body, put the title first
    body = [ln for ln in lines[1:] if ln.strip() != "工作年度报告"]
    return title + "\n\n" + "\n".join(body)


def render_file(rng: random.Random, fmt: str, text: str, title: str) -> FilePlan:
    if fmt == "pdf":
        data = pdf_bytes(text, title=title)
    elif fmt in ("docx", "doc", "wps"):  # a docx saved under an older name: common
        data = docx_bytes(text)
    elif fmt in ("xlsx", "xls"):
        data = xlsx_from_text(text)
    elif fmt == "ofd":
        data = ofd_bytes(text)
    else:
        raise ValueError(fmt)
    return FilePlan(fmt, data, sniff_media_type(data), f"{title}.{fmt}")


def asset_reports(
    rng: random.Random, tree: AgencyTree, real_place: str | None, published_shift: int
) -> list[ReportPlan]:
    """The real documents of a real place, as reports of its agencies in the tree."""
    plans: list[ReportPlan] = []
    for asset in ASSET_DOCS.get(real_place or "", ()):
        agency = next(
            (
                a
                for a in tree.all
                if asset.agency_short in (a.short, a.name) or asset.agency_short in a.aliases
            ),
            None,
        )
        if agency is None:
            continue
        files: list[FilePlan] = []
        for name, fmt in asset.files:
            data = _asset_bytes(name)
            if data is None:
                continue
            files.append(FilePlan(fmt, data, sniff_media_type(data), f"{asset.title}.{fmt}"))
        if not files:
            continue
        if len(files) > 1 and rng.random() < 0.5:
            files = files[:1]
        published = _date(rng, asset.year + 1)
        page = rng.random() < 0.6
        if not page:
            # a list entry without an article page links one file: the others of the
            # report would be published nowhere (and expected nonetheless)
            files = files[:1]
        plans.append(
            ReportPlan(
                agency=agency,
                year=asset.year,
                title=asset.title,
                published=published,
                text=None,
                page=page,
                full_page=False,
                files=files,
                named=asset.agency_short,
                issuer=agency.name,
                note="real document",
            )
        )
    return plans


def plan_reports(
    rng: random.Random,
    tree: AgencyTree,
    n: int,
    *,
    years: tuple[int, int] = (2014, 2025),
    formats: tuple[str, ...] = ("html", "html+pdf", "pdf", "docx", "html+docx", "stub+pdf"),
    real_place: str | None = None,
    bare_titles: bool = False,
    cover_all: bool = False,
) -> list[ReportPlan]:
    """`n` reports of the tree's agencies (the owner first, then others), years in range.
    `cover_all`: every agency of the tree has at least one report (n grows if needed)."""
    plans = asset_reports(rng, tree, real_place or tree.real, 0)[: max(0, n - 1)]
    taken = {(p.agency.id, p.year) for p in plans}
    agencies = tree.all
    weights = [4.0] + [1.5] * (len(agencies) - 1)
    for other in tree.others:
        weights[agencies.index(other)] = 0.0
    owed = [a for a in agencies if a not in tree.others] if cover_all else []
    n = max(n, len(plans) + len(owed))
    tries = 0
    while len(plans) < n and tries < 500:
        tries += 1
        covered = {p.agency.id for p in plans}
        missing = [a for a in owed if a.id not in covered]
        agency = missing[0] if missing else rng.choices(agencies, weights=weights)[0]
        year = rng.randint(*years)
        if (agency.id, year) in taken:
            continue
        taken.add((agency.id, year))
        plans.append(_one_report(rng, agency, year, formats, bare_titles, tree))
    for other in tree.others:  # another agency's report in this site's list
        year = rng.randint(max(years[0], 2016), years[1])
        plan = _one_report(rng, other, year, formats, False, tree)
        plan.note = "another agency's report in the owner's list"
        plans.append(plan)
    for i, p in enumerate(plans):
        p.key = i + 1
    return plans


def _one_report(
    rng: random.Random,
    agency: Agency,
    year: int,
    formats: tuple[str, ...],
    bare_titles: bool,
    tree: AgencyTree,
) -> ReportPlan:
    form = rng.choice(TITLE_FORMS)
    if form == "underscore" and agency.level != "township":
        form = "std"
    if bare_titles and agency is tree.owner and rng.random() < 0.5:
        form = rng.choice(("bare", "bare2"))
    if form in ("bare", "bare2"):
        named = ""
    elif agency.level == "township" or agency.kind == "department":
        named = rng.choice((agency.short, agency.name)) if agency.registered else agency.short
    else:
        named = rng.choice((agency.short, agency.name))
    title = _title(rng, named, year, form)
    text = report_text(rng, agency, named or agency.name, year, title)
    shape = rng.choice(formats)
    page = shape.startswith(("html", "stub"))
    full_page = shape.startswith("html")
    files: list[FilePlan] = []
    for fmt in shape.split("+")[1:] if page else [shape]:
        files.append(render_file(rng, fmt, text, title))
    late = rng.random() < 0.12
    return ReportPlan(
        agency=agency,
        year=year,
        title=title,
        published=_date(rng, year + 1, late),
        text=text,
        page=page,
        full_page=full_page,
        files=files,
        named=named,
        issuer=agency.name,
    )


def plan_decoys(
    rng: random.Random, tree: AgencyTree, kinds: list[Lookalike], years: tuple[int, int]
) -> list[DecoyPlan]:
    owner = tree.owner
    place = owner.short
    out: list[DecoyPlan] = []
    for i, kind in enumerate(kinds):
        y = rng.randint(*years)
        files: list[FilePlan] = []
        body = DECOY_BODY
        if kind == Lookalike.WEBSITE_FORM:
            title, slug = (
                f"{place}政府网站工作年度报表（{y}年度）",
                rng.choice(("zfwzgzndbb", "zfgzwzbb")),
            )
            body = (
                f"<p>{title}</p><table border='1'><tr><td>网站名称</td><td>{owner.name}门户网站</td></tr>"
                f"<tr><td>首页标识码</td><td>{owner.division_code or '0000'}000001</td></tr>"
                "<tr><td>独立用户访问总量（单位：个）</td><td>183522</td></tr></table>"
            )
        elif kind == Lookalike.HOUSING_FUND:
            title = f"{place}住房公积金{y}年年度报告"
            slug = rng.choice(("gjj/gknb", "gjj/ndbg"))
            body = f"<p>根据国务院《住房公积金管理条例》规定，经住房公积金管理委员会审议通过，现将{place}住房公积金{y}年年度报告公布如下。</p><p>一、机构概况 二、业务运行情况</p>"
        elif kind == Lookalike.COMPANY:
            title = f"{place}城市建设投资集团有限公司{y}年年度报告"
            slug = "gqgk/ndbg"
            body = f"<p>{title}（摘要）</p><p>一、公司基本情况 二、主要财务数据 三、重要事项</p>"
        elif kind == Lookalike.UNIVERSITY:
            title = f"{place}职业技术学院{y}-{y + 1}学年信息公开工作年度报告"
            slug = "zyjsxy/xxgknb"  # the college's column: under its own name, as gjj/gknb
            body = f"<p>根据《高等学校信息公开办法》，现发布{place}职业技术学院{y}-{y + 1}学年信息公开工作年度报告。</p>"
        elif kind == Lookalike.GUIDE:
            title, slug = f"{owner.name}政府信息公开指南", "zfxxgkzn"
            body = "<p>为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。</p><p>一、主动公开 二、依申请公开 三、监督方式</p>"
        elif kind == Lookalike.NOTICE:
            title = f"关于做好{y}年政府信息公开工作年度报告编制和发布工作的通知"
            slug = "tzgg"
            form = docx_bytes(
                "政府信息公开工作年度报告格式\n\n一、总体情况\n二、主动公开政府信息情况\n"
            )
            files.append(FilePlan("docx", form, sniff_media_type(form), "附件：年度报告格式.docx"))
        elif kind == Lookalike.INTERPRETATION:
            title = rng.choice(
                (
                    f"图解：{place}{y}年政府信息公开工作年度报告",
                    f"一图读懂{place}{y}年政府信息公开工作年度报告",
                    f"{place}{y}年政府信息公开工作年度报告解读",
                )
            )
            slug = "zcjd"
            body = f"<p><img src='/images/tujie{y}.jpg' alt='{title}'></p><p>{y}年，{place}主动公开政府信息……（图解）</p>"
        elif kind == Lookalike.WORK_REPORT:
            title, slug = f"{y}年{owner.name}政府工作报告", "zfgzbg"
            body = f"<p>——{y}年1月在{place}人民代表大会上</p><p>各位代表：现在，我代表{owner.name}，向大会报告政府工作，请予审议。</p>"
        elif kind == Lookalike.RULE_OF_LAW:
            title, slug = f"{owner.name}关于{y}年度法治政府建设情况的报告", "fzzfjs"
            body = f"<p>{y}年，{place}深入学习贯彻习近平法治思想，法治政府建设取得新成效。</p>"
        elif kind == Lookalike.BUDGET:
            title = rng.choice((f"{place}{y}年部门决算公开", f"{place}{y}年度部门预算"))
            slug = "czyjs"
            body = "<p>一、部门主要职责 二、部门决算表 三、情况说明</p>"
        elif kind == Lookalike.KEY_POINTS:
            title, slug = f"{place}{y}年政务公开工作要点", "zwgkgzyd"
        elif kind == Lookalike.TEMPLATE:
            title, slug = "政府信息公开工作年度报告格式", "zfxxgkzd"
            body = "<p>附件：政府信息公开工作年度报告格式（国办公开办函〔2021〕30号）</p>"
        else:  # STATISTICS
            title, slug = f"{place}{y}年国民经济和社会发展统计公报", "tjgb"
            body = f"<p>{y}年，全{place[-1]}上下坚持稳中求进工作总基调，经济社会持续健康发展。</p>"
        out.append(DecoyPlan(kind, title, slug, _date(rng, y + 1), body, files, key=900 + i))
    return out


def plan_fillers(rng: random.Random, n: int, years: tuple[int, int]) -> list[FillerPlan]:
    out: list[FillerPlan] = []
    seen: set[str] = set()
    for i in range(n * 3):
        if len(out) >= n:
            break
        y = rng.randint(*years)
        title = rng.choice(NEWS).format(y=y, m=rng.randint(1, 12), q=rng.randint(1, 4))
        if title in seen:
            continue
        seen.add(title)
        out.append(FillerPlan(title, _date(rng, y, late=rng.random() < 0.7), key=500 + i))
    return out


def pick_lookalikes(rng: random.Random, k: int) -> list[Lookalike]:
    kinds = list(Lookalike)
    return rng.sample(kinds, k=min(k, len(kinds)))
