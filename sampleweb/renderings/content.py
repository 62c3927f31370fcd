"""Report contents with their ground truth: synthetic reports (layouts 2019 and 2021,
consistent or not, blanks and money printed in the ways agencies print them), free-form
reports of 2008-2018 (layout ``none``), the five hand-labelled seeds, and the values of the
real labelled reports printed in fresh tables.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from extract import keys as K
from extract.numbers import clean_cell, parse_money, parse_number
from sampleweb.renderings import seedtext
from sampleweb.renderings.model import Block, Cell, CellValue, Kind, Para, Report, Table
from sampleweb.renderings.tables import Styles, table_four, table_three, table_two

SHARED = Path(__file__).resolve().parents[3] / "shared" / "reports"
OWN_LABELS = Path(__file__).resolve().parents[2] / "tests" / "labels"

BLANK_MARKERS = ("", "/", "—", "-", "无", "／")

# ---------------------------------------------------------------- agencies

_PLACES = [
    ("江苏省", "淮安市", "涟水县"), ("浙江省", "宁波市", "象山县"), ("广东省", "肇庆市", "四会市"),
    ("四川省", "德阳市", "中江县"), ("河南省", "郑州市", "新密市"), ("山东省", "潍坊市", "昌乐县"),
    ("湖北省", "宜昌市", "秭归县"), ("安徽省", "淮北市", "濉溪县"), ("云南省", "昆明市", "宜良县"),
    ("甘肃省", "天水市", "秦安县"), ("江西省", "赣州市", "会昌县"), ("陕西省", "延安市", "黄陵县"),
    ("河北省", "邯郸市", "涉县"), ("湖南省", "邵阳市", "隆回县"), ("福建省", "泉州市", "安溪县"),
    ("黑龙江省", "哈尔滨市", "道里区"), ("北京市", "海淀区", ""), ("上海市", "虹口区", ""),
]  # fmt: skip
_TOWNS = ["城关镇", "新华街道", "东坝乡", "长岭镇", "白沙镇", "桥头镇", "南湖街道", "石门乡"]
_DEPARTMENTS = ["财政局", "教育局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局",
                "卫生健康委员会", "市场监督管理局", "人力资源和社会保障局", "民政局", "司法局"]  # fmt: skip


def random_agency(rng: random.Random) -> str:
    province, city, county = rng.choice(_PLACES)
    kind = rng.random()
    if kind < 0.25:
        return f"{city}{county}人民政府" if county else f"{province}{city}人民政府"
    if kind < 0.55:
        return f"{county or city}{rng.choice(_DEPARTMENTS)}"
    if kind < 0.75:
        return f"{city}{rng.choice(_DEPARTMENTS)}"
    if kind < 0.9:
        return f"{county or city}{rng.choice(_TOWNS)}" + ("人民政府" if rng.random() < 0.5 else "")
    return f"{province}{rng.choice(_DEPARTMENTS).replace('局', '厅')}"


# ---------------------------------------------------------------- narrative text

_OPENINGS = [
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{agency}编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
    "按照《中华人民共和国政府信息公开条例》规定，现公布{agency}{year}年政府信息公开工作年度报告。本报告电子版可在{agency}门户网站下载。如对本报告有疑问，请与{agency}办公室联系（地址：人民路{n1}号，邮编：{zip}，电话：{phone}）。",
    "{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开工作的部署要求，现将本年度政府信息公开工作情况报告如下。",
]
_WORK = [
    "（一）主动公开。全年通过门户网站主动公开政府信息{n1}条，其中政策文件{n2}件，工作动态{n3}条，及时更新机构职能、领导分工等基础信息。",
    "（二）依申请公开。进一步规范依申请公开受理、登记、审核、答复流程，全年受理政府信息公开申请{applications}件，均在法定期限内答复。",
    "（三）政府信息管理。建立健全信息发布审查机制，落实“三审三校”制度，清理历史文件{n4}件，全年未发生泄密和错发情况。",
    "（四）平台建设。优化门户网站政府信息公开专栏设置，新增栏目{n5}个，政务新媒体发布信息{n6}条，网站年访问量{visits}人次。",
    "（五）监督保障。将政务公开工作纳入年度目标考核，组织业务培训{n7}次，参训人员{n8}人次。",
    "（六）政策解读。围绕重点工作发布政策解读{n9}篇，其中图解{n10}篇，回应社会关切{n11}次。",
]
_PROBLEMS = [
    "一是信息公开工作人员多为兼职，业务能力有待提高；二是部分栏目更新不够及时。下一步，将加强业务培训，完善更新机制，定期开展自查。",
    "政策解读形式较为单一，与公众互动不足。{next}年将丰富解读形式，拓宽公众参与渠道，提升回应质量。",
    "依申请公开答复的规范性仍需加强。改进措施：健全答复文书模板，加强法律审核，提高答复质量。",
]
_OTHER = [
    "本年度未收取信息处理费。",
    "根据《政府信息公开信息处理费管理办法》，本年度共收取信息处理费0元。",
    "{agency}{year}年度人大代表建议和政协提案办理结果均已按规定公开，其中人大代表建议{n1}件，政协提案{n2}件。",
]


def _section_headings(rng: random.Random, drift: bool) -> list[str]:
    base = [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    if not drift:
        return base
    numbering = rng.choice([["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"],
                            ["1、", "2、", "3、", "4、", "5、", "6、"], ["一、", "二、", "三、", "四、", "五、", "六、"]])  # fmt: skip
    words = [
        "总体情况",
        "主动公开政府信息情况",
        "收到和处理政府信息公开申请情况",
        rng.choice(
            [
                "政府信息公开行政复议、行政诉讼情况",
                "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            ]
        ),
        rng.choice(["存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况"]),
        rng.choice(["其他需要报告的事项", "其他需要报告的事项"]),
    ]
    return [n + w for n, w in zip(numbering, words, strict=True)]


# ---------------------------------------------------------------- values


def _count(rng: random.Random, scale: int) -> int:
    return int(rng.expovariate(1 / scale)) if scale else 0


class _Printer:
    """Prints values as a report would: one blank style per report, with strays."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.zero_style = rng.choice(["zero", "zero", "blank", "mixed"])
        self.marker = rng.choice(BLANK_MARKERS)
        self.thousands = rng.random() < 0.2

    def count(self, value: int, *, may_blank: bool = True) -> tuple[str, CellValue]:
        if value == 0 and may_blank:
            blank = self.zero_style == "blank" or (
                self.zero_style == "mixed" and self.rng.random() < 0.5
            )
            if blank:
                marker = self.marker if self.rng.random() < 0.9 else self.rng.choice(BLANK_MARKERS)
                return marker, None
        if self.thousands and abs(value) >= 1000:
            return f"{value:,}", value
        return str(value), value

    def change(self, value: int) -> tuple[str, CellValue]:
        if value > 0 and self.rng.random() < 0.3:
            return f"+{value}", value
        return self.count(value)


def _money_yuan(rng: random.Random) -> tuple[str, CellValue, CellValue]:
    """Procurement amount: (printed, raw, yuan)."""
    style = rng.choice(["wan", "wan", "wan-short", "yuan", "yuan-space", "zero", "blank"])
    if style == "blank":
        marker = rng.choice(BLANK_MARKERS)
        return marker, None, None
    if style == "zero":
        return "0", "0", 0
    if style.startswith("wan"):
        amount = rng.randint(1, 900000) / 100
        text = f"{amount:.2f}".rstrip("0").rstrip(".") if rng.random() < 0.5 else f"{amount:.2f}"
        text += "万" if style == "wan-short" else "万元"
    else:
        text = f"{rng.randint(1, 5000) * 100}" + (" 元" if style == "yuan-space" else "元")
    return text, clean_cell(text), parse_money(text)


def _fees_wan(rng: random.Random, printer: _Printer) -> tuple[str, CellValue]:
    style = rng.choice(["int", "decimal", "zero", "blank"])
    if style == "blank":
        return printer.marker, None
    if style == "zero":
        return "0", 0
    text = str(rng.randint(1, 9000)) if style == "int" else f"{rng.randint(1, 900000) / 100:g}"
    return text, parse_number(text)


def synthetic_values(
    layout: str, rng: random.Random, *, consistent: bool = True
) -> tuple[dict[str, str], dict[str, CellValue]]:
    """(printed text by key, value by key) of the three tables of ``layout``."""
    printer = _Printer(rng)
    printed: dict[str, str] = {}
    values: dict[str, CellValue] = {}

    def put(key: str, pair: tuple[str, CellValue]) -> None:
        printed[key], values[key] = pair

    busy = rng.choice([0, 2, 10, 60])  # how active the agency is
    if layout == "2019":
        for row in ("regulations", "normative"):
            made = _count(rng, busy // 5)
            put(f"t2.{row}.made", printer.count(made))
            put(f"t2.{row}.published", printer.count(made))
            put(f"t2.{row}.total", printer.count(made + _count(rng, busy)))
        for row in ("licensing", "other_services", "penalty", "coercion"):
            put(f"t2.{row}.prev_items", printer.count(_count(rng, busy)))
            put(f"t2.{row}.change", printer.change(rng.randint(-3, 4) if busy else 0))
            put(f"t2.{row}.decisions", printer.count(_count(rng, busy * 10)))
        put("t2.fees.prev_items", printer.count(_count(rng, busy // 10)))
        put("t2.fees.change", printer.change(rng.randint(-1, 1) if busy else 0))
        put("t2.procurement.projects", printer.count(_count(rng, busy)))
        text, raw, yuan = _money_yuan(rng)
        printed["t2.procurement.amount_raw"] = text
        values["t2.procurement.amount_raw"] = raw
        values["t2.procurement.amount_yuan"] = yuan
    else:
        for row in ("regulations", "normative"):
            issued = _count(rng, busy // 5)
            repealed = _count(rng, 1)
            put(f"t2.{row}.issued", printer.count(issued))
            put(f"t2.{row}.repealed", printer.count(repealed))
            put(f"t2.{row}.in_force", printer.count(issued + _count(rng, busy)))
        for row in ("licensing", "penalty", "coercion"):
            put(f"t2.{row}.decisions", printer.count(_count(rng, busy * 10)))
        put("t2.fees.amount_wan", _fees_wan(rng, printer))

    # table 三, column by column, consistent by construction
    rows = K.t3_rows(layout)
    outcome_rows = [
        r for r in rows if r not in ("new", "carried_over", "total", "carried_forward", "other")
    ]
    if layout == "2019":
        outcome_rows.append("other")
    counts: dict[str, dict[str, int]] = {row: {} for row in rows}
    only_natural = rng.random() < 0.4
    for column in K.APPLICANT_COLUMNS:
        scale = busy if column == "natural" else (0 if only_natural else max(busy // 8, 0))
        new = _count(rng, scale)
        carried = _count(rng, scale // 5)
        counts["new"][column] = new
        counts["carried_over"][column] = carried
        available = new + carried
        forward = rng.randint(0, available // 4) if available else 0
        remaining = available - forward
        share = dict.fromkeys(outcome_rows, 0)
        favoured = rng.sample(outcome_rows, k=min(len(outcome_rows), rng.randint(1, 6)))
        for _ in range(remaining):
            share[rng.choice(favoured) if rng.random() < 0.8 else "granted"] += 1
        for row in outcome_rows:
            counts[row][column] = share[row]
        counts["total"][column] = remaining
        counts["carried_forward"][column] = forward
        if layout == "2021":
            counts["other"][column] = sum(share[sub] for sub in K.OTHER_SUB_ROWS)
    for row in rows:
        counts[row]["total"] = sum(counts[row][c] for c in K.APPLICANT_COLUMNS)
    printed_rows = [r for r in rows if not (layout == "2021" and r == "other")]
    for row in printed_rows:
        for column in K.T3_COLUMNS:
            put(f"t3.{row}.{column}", printer.count(counts[row][column]))
    if layout == "2021":
        for column in K.T3_COLUMNS:
            parts = [values[f"t3.{sub}.{column}"] for sub in K.OTHER_SUB_ROWS]
            numbers = [p for p in parts if isinstance(p, int)]
            values[f"t3.other.{column}"] = sum(numbers) if numbers else None

    for group in K.T4_GROUPS:
        t4_counts = [_count(rng, 1 if busy else 0) for _ in range(4)]
        for column, value in zip(K.T4_COLUMNS[:4], t4_counts, strict=True):
            put(f"t4.{group}.{column}", printer.count(value))
        put(f"t4.{group}.total", printer.count(sum(t4_counts)))

    if not consistent:
        targets = [k for k in printed if k.endswith(".total") and k.startswith(("t3.", "t4."))]
        targets += [k for k in printed if k.startswith("t3.carried_forward.")]
        for key in rng.sample(targets, k=rng.randint(1, 3)):
            held = values[key]
            wrong = (held if isinstance(held, int) else 0) + rng.randint(1, 5)
            put(key, (str(wrong), wrong))
    return printed, values


def _apply_other_one_row(
    layout: str, printed: dict[str, str], values: dict[str, CellValue]
) -> None:
    """Layout 2021 with （六）其他处理 printed as one row: the sub-rows are not printed."""
    if layout != "2021":
        return
    for column in K.T3_COLUMNS:
        total = values[f"t3.other.{column}"]
        printed[f"t3.other.{column}"] = "" if total is None else str(total)
        for sub in K.OTHER_SUB_ROWS:
            printed.pop(f"t3.{sub}.{column}", None)
            values[f"t3.{sub}.{column}"] = None


# ---------------------------------------------------------------- report assembly


def _narrative(
    rng: random.Random, agency: str, year: int, values: dict[str, CellValue]
) -> dict[str, list[str]]:
    applications = values.get("t3.new.total")
    figures: dict[str, int | str] = {f"n{i}": rng.randint(2, 900) for i in range(1, 12)}
    figures |= {
        "applications": applications if isinstance(applications, int) else 0,
        "visits": rng.randint(10000, 9999999),
        "phone": f"0{rng.randint(10, 999)}-{rng.randint(2000000, 89999999)}",
        "zip": rng.randint(100000, 850000),
        "agency": agency,
        "year": year,
        "next": year + 1,
    }
    work = sorted(rng.sample(range(len(_WORK)), k=rng.randint(3, len(_WORK))))
    if 1 not in work:
        work = sorted([*work, 1])
    return {
        "opening": [rng.choice(_OPENINGS).format(**figures)],
        "overview": [_WORK[i].format(**figures) for i in work],
        "problems": [rng.choice(_PROBLEMS).format(**figures)],
        "other": [rng.choice(_OTHER).format(**figures)],
    }


def _published(rng: random.Random, year: int) -> str:
    return f"{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"


def _assemble(
    rid: str,
    source: str,
    agency: str,
    year: int,
    layout: str,
    printed: dict[str, str],
    values: dict[str, CellValue],
    rng: random.Random,
    *,
    consistent: bool | None,
    styles: Styles | None = None,
) -> Report:
    styles = styles or Styles.random(rng)
    if styles.t3_other_one_row:
        _apply_other_one_row(layout, printed, values)
    raw = printed.get("t2.procurement.amount_raw", "")
    if styles.money_unit_in_header and raw.endswith(("万元", "万")) and layout == "2019":
        # the unit printed in the column label, the cell a bare number: the raw text is the
        # number as printed, the value in yuan still the amount (report-tables.md: money)
        bare = raw.removesuffix("万元").removesuffix("万")
        printed["t2.procurement.amount_raw"] = values["t2.procurement.amount_raw"] = bare
    else:
        styles.money_unit_in_header = False
    titles = [
        f"{agency}{year}年政府信息公开工作年度报告",
        f"{agency}{year}年度政府信息公开工作年度报告",
    ]
    if not agency.endswith("政府"):  # 2020年海南省财政厅政府信息公开工作年度报告
        titles.append(f"{year}年{agency}政府信息公开工作年度报告")
    title = rng.choice(titles)
    headings = _section_headings(rng, styles.wording == "drift")
    text = _narrative(rng, agency, year, values)
    drop_six = rng.random() < 0.1
    blocks: list[Block] = [Para(title, Kind.TITLE), *[Para(t) for t in text["opening"]]]
    blocks.append(Para(headings[0], Kind.HEADING, 1))
    blocks += [Para(t) for t in text["overview"]]
    blocks.append(Para(headings[1], Kind.HEADING, 2))
    blocks += table_two(layout, printed, styles, rng)
    blocks.append(Para(headings[2], Kind.HEADING, 3))
    blocks += table_three(layout, printed, styles, rng)
    blocks.append(Para(headings[3], Kind.HEADING, 4))
    blocks += table_four(printed, styles, rng)
    blocks.append(Para(headings[4], Kind.HEADING, 5))
    blocks += [Para(t) for t in text["problems"]]
    sections = [1, 2, 3, 4, 5]
    if not drop_six:
        blocks.append(Para(headings[5], Kind.HEADING, 6))
        blocks += [Para(t) for t in text["other"]]
        sections.append(6)
    published = _published(rng, year)
    blocks.append(Para(agency))
    blocks.append(Para(f"{published[:4]}年{int(published[5:7])}月{int(published[8:10])}日"))
    return Report(
        rid=rid,
        source=source,
        agency=agency,
        year=year,
        layout=layout,
        title=title,
        blocks=blocks,
        values=values,
        printed=printed,
        sections=sections,
        published_at=published,
        consistent=consistent,
        style=styles.as_dict(),
    )


def synthetic_report(seed: int, index: int, layout: str | None = None) -> Report:
    """A synthetic report; deterministic in ``(seed, index)``."""
    rng = random.Random(f"synthetic|{seed}|{index}")
    layout = layout or rng.choice(["2019", "2021"])
    year = rng.choice([2019, 2020]) if layout == "2019" else rng.randint(2021, 2024)
    consistent = rng.random() < 0.75
    printed, values = synthetic_values(layout, rng, consistent=consistent)
    agency = random_agency(rng)
    return _assemble(f"syn{seed}-{index}", "synthetic", agency, year, layout, printed, values, rng,
                     consistent=consistent)  # fmt: skip


_OLD_SECTIONS = [
    (1, "一、概述"),
    (2, "二、主动公开政府信息的情况"),
    (3, "三、依申请公开政府信息情况"),
    (0, "四、政府信息公开的收费及减免情况"),
    (4, "五、因政府信息公开申请提起行政复议、行政诉讼的情况"),
    (5, "六、政府信息公开工作存在的主要问题及改进措施"),
    (6, "七、其他需要报告的事项"),
]


def freeform_report(seed: int, index: int) -> Report:
    """A 2008-2018 report: prose with figures, no standard tables (layout ``none``)."""
    rng = random.Random(f"freeform|{seed}|{index}")
    agency = random_agency(rng)
    year = rng.randint(2008, 2018)
    title = f"{agency}{year}年政府信息公开工作年度报告"
    n = {f"n{i}": rng.randint(0, 3000) for i in range(1, 12)}
    texts = {
        1: f"根据《中华人民共和国政府信息公开条例》要求，特向社会公布{year}年度{agency}政府信息公开年度报告。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        2: f"{year}年，我单位共主动公开政府信息{n['n1']}条，其中通过门户网站公开{n['n2']}条，通过政府公报公开{n['n3']}条，通过新闻发布会公开{n['n4']}条。",
        3: f"{year}年共受理政府信息公开申请{n['n5'] % 60}件，其中当面申请{n['n6'] % 20}件，网上申请{n['n7'] % 40}件，信函申请{n['n8'] % 10}件；已全部按时答复。",
        0: "本年度未收取政府信息公开相关费用，也无减免情况。",
        4: f"本年度因政府信息公开申请提起行政复议{n['n9'] % 4}件，提起行政诉讼{n['n10'] % 3}件。",
        5: "存在的主要问题是公开内容不够全面，更新不够及时。下一步将进一步完善制度，加强队伍建设。",
        6: "无其他需要报告的事项。",
    }
    blocks: list[Block] = [Para(title, Kind.TITLE)]
    sections: list[int] = []
    for number, heading in _OLD_SECTIONS:
        if number == 6 and rng.random() < 0.3:
            continue
        blocks.append(Para(heading, Kind.HEADING, number))
        blocks.append(Para(texts[number]))
        if number:
            sections.append(number)
    published = (
        f"{year + 1}-03-{rng.randint(1, 31):02d}" if rng.random() < 0.7 else f"{year + 1}-03-28"
    )
    blocks += [Para(agency), Para(f"{year + 1}年3月")]
    return Report(
        rid=f"free{seed}-{index}",
        source="freeform",
        agency=agency,
        year=year,
        layout="none",
        title=title,
        blocks=blocks,
        sections=sorted(sections),
        published_at=published,
        consistent=None,
    )


# ---------------------------------------------------------------- seeds and real labels


def _seed_table(name: str, rows: list[list[seedtext.Cell]]) -> Table:
    out: list[list[Cell]] = []
    for r, row in enumerate(rows):
        cells: list[Cell] = []
        for cell in row:
            if cell.vmerge == "continue":
                continue
            rowspan = 1
            if cell.vmerge == "restart":
                for below in rows[r + 1 :]:
                    if any(c.col == cell.col and c.vmerge == "continue" for c in below):
                        rowspan += 1
                    else:
                        break
            cells.append(Cell(cell.text, colspan=cell.span, rowspan=rowspan))
        out.append(cells)
    return Table(name, out)


def seed_reports(seeds: Path = SHARED / "seeds") -> list[Report]:
    """The hand-labelled seed exports as reports (tables as their export prints them).
    Without them (no ``shared/reports`` beside the checkout) a seed's pool would be
    another pool, its figures not those of the same seed elsewhere: that is an error."""
    if not any(seeds.glob("*.txt")):
        raise FileNotFoundError(
            f"no seed reports in {seeds} (shared/reports beside the checkout): "
            "a rendering pool without them is not the seed's pool"
        )
    reports = []
    for path in sorted(seeds.glob("*.txt")):
        label = json.loads((seeds / "labels" / f"{path.stem}.json").read_text("utf-8"))
        blocks: list[Block] = []
        names = iter(["t2", "t3", "t4", "t5", "t6", "t7", "t8"])
        for block in seedtext.parse_seed(path.read_text("utf-8")):
            if isinstance(block, str):
                blocks.append(Para(block))
            else:
                blocks.append(_seed_table(next(names), block))
        first = next(b for b in blocks if isinstance(b, Para))
        first.kind = Kind.TITLE
        values: dict[str, CellValue] = label["values"]
        printed = {
            k: "" if v is None else str(v) for k, v in values.items() if not k.endswith("_yuan")
        }
        reports.append(
            Report(
                rid=f"seed{path.stem[:3]}",
                source=f"seed:{path.name}",
                agency=label.get("agency_name"),
                year=label.get("year"),
                layout=label["layout"],
                title=first.text,
                blocks=blocks,
                values=dict(values),
                printed=printed,
                sections=label.get("sections_present", []),
                published_at=label.get("published_at"),
                consistent=None,
                style={"tables": "seed export"},
            )
        )
    return reports


def _printed_from_values(values: dict[str, CellValue], rng: random.Random) -> dict[str, str]:
    marker = rng.choice(BLANK_MARKERS)
    printed: dict[str, str] = {}
    for key, value in values.items():
        if key.endswith("_yuan"):
            continue
        if value is None:
            printed[key] = marker
        elif isinstance(value, float):
            printed[key] = f"{value:g}" if abs(value) < 1e6 else f"{value:.2f}"
        else:
            printed[key] = str(value)
    return printed


def real_value_reports(seed: int, labels: Path = OWN_LABELS) -> list[Report]:
    """The values of the real labelled reports printed in fresh tables and pages."""
    reports = []
    for path in sorted(labels.glob("*.json")):
        label = json.loads(path.read_text("utf-8"))
        if not label.get("agency_name") or label["layout"] == "none":
            continue
        rng = random.Random(f"real|{seed}|{path.stem}")
        values: dict[str, CellValue] = dict(label["values"])
        layout = label["layout"]
        styles = Styles.random(rng)
        if layout == "2021":
            subs_blank = all(values.get(f"t3.{s}.natural") is None for s in K.OTHER_SUB_ROWS)
            styles.t3_other_one_row = subs_blank and values.get("t3.other.natural") is not None
        printed = _printed_from_values(values, rng)
        if layout == "2021" and not styles.t3_other_one_row:
            for column in K.T3_COLUMNS:
                printed.pop(f"t3.other.{column}", None)
        for key in list(printed):
            if key not in values:
                del printed[key]
        reports.append(
            _assemble(
                f"real-{path.stem}",
                f"real-values:{label['source']}",
                label["agency_name"],
                label["year"],
                layout,
                printed,
                values,
                rng,
                consistent=None,
                styles=styles,
            )
        )
    return reports


def check_report(report: Report) -> None:
    """Raise ``ValueError`` when a report's tables and ground truth disagree (a value cell
    not printing its key's text, a printed key without a cell)."""
    cells = {c.key: c.text for t in report.tables() for row in t.rows for c in row if c.key}
    if report.source.startswith("seed:"):
        return  # seed tables carry no keys: their truth is the hand label
    for key, text in report.printed.items():
        if key not in cells:
            raise ValueError(f"{report.rid}: printed key {key} has no cell")
        if cells[key] != text:
            raise ValueError(f"{report.rid}: cell {key} prints {cells[key]!r}, truth {text!r}")
    for key in cells:
        if key not in report.printed:
            raise ValueError(f"{report.rid}: cell {key} not in the ground truth")
    expected = set(K.keys_for_layout(report.layout))
    if report.layout != "none" and set(report.values) != expected:
        missing = sorted(expected - set(report.values))[:3]
        extra = sorted(set(report.values) - expected)[:3]
        raise ValueError(
            f"{report.rid}: value keys differ from the spec (missing {missing}, extra {extra})"
        )
    for key, value in report.values.items():
        if key in report.printed and not key.endswith("_raw"):
            text = report.printed[key]
            parsed = None if re.fullmatch(r"[/／—\-无]?", text.strip()) else parse_number(text)
            if parsed != value:
                raise ValueError(f"{report.rid}: {key} printed {text!r} but truth {value!r}")
