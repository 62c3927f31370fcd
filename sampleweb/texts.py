"""Report texts: the five hand-labelled seeds, their variants, and synthetic reports.

Texts use the layout of the seed text exports: narrative lines, and tables as runs of
tab-indented cell lines, one blank line between table rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEED_DIR = Path(__file__).parent / "assets" / "seeds"

# seed id -> (agency named in the report, year)
SEEDS: dict[str, tuple[str, int]] = {
    "000": ("长街镇", 2020),
    "001": ("岚皋县", 2020),
    "002": ("海滨街", 2020),
    "003": ("坎布拉镇", 2020),
    "004": ("广武镇", 2020),
}


@cache
def seed_text(seed: str) -> str:
    if seed not in SEEDS:
        raise KeyError(f"unknown seed {seed!r}; known: {sorted(SEEDS)}")
    matches = sorted(SEED_DIR.glob(f"{seed}_*.txt"))
    if not matches:
        raise FileNotFoundError(f"seed text {seed}_*.txt missing from {SEED_DIR}")
    return matches[0].read_text(encoding="utf-8")


def with_year(text: str, source_year: int, year: int) -> str:
    """The same agency's text moved to another year (years in the text shift together)."""
    shift = year - source_year
    marks = {str(y): f"\x00{y}\x00" for y in range(source_year - 2, source_year + 3)}
    for old, mark in marks.items():
        text = text.replace(old, mark)
    for old, mark in marks.items():
        text = text.replace(mark, str(int(old) + shift))
    return text


def renamed(text: str, old: str, new: str) -> str:
    return text.replace(old, new)


def replace_table_cell(text: str, row_label: str, column: int, value: str) -> str:
    """Replace the cell `column` (0 = the label) of the first table row labelled `row_label`."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.strip() == row_label and line.startswith("\t"):
            target = i + column
            if target >= len(lines) or not lines[target].startswith("\t"):
                raise ValueError(f"row {row_label!r} has no cell {column}")
            lines[target] = "\t" + value
            return "\n".join(lines)
    raise ValueError(f"no table row labelled {row_label!r}")


# ---------------------------------------------------------------- synthetic reports

_OPENINGS = [
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{agency}编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
    "按照《中华人民共和国政府信息公开条例》规定，现公布{agency}{year}年政府信息公开工作年度报告。本报告电子版可在{agency}门户网站下载。如对本报告有疑问，请与{agency}办公室联系。",
    "{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开工作的部署要求，现将本年度政府信息公开工作情况报告如下。",
]
_WORK = [
    "（一）主动公开。全年通过门户网站主动公开政府信息{n1}条，其中政策文件{n2}件，工作动态{n3}条，及时更新机构职能、领导分工等基础信息。",
    "（二）依申请公开。进一步规范依申请公开受理、登记、审核、答复流程，全年受理政府信息公开申请{n4}件，均在法定期限内答复。",
    "（三）政府信息管理。建立健全信息发布审查机制，落实“三审三校”制度，全年未发生泄密和错发情况。",
    "（四）平台建设。优化门户网站政府信息公开专栏设置，新增栏目{n5}个，政务新媒体发布信息{n6}条。",
    "（五）监督保障。将政务公开工作纳入年度目标考核，组织业务培训{n7}次，参训人员{n8}人次。",
    "（六）政策解读。围绕重点工作发布政策解读{n9}篇，其中图解{n10}篇，回应社会关切{n11}次。",
    "（七）基层政务公开标准化规范化。编制完善基层政务公开事项目录{n12}项，推动公开内容覆盖权力运行全流程。",
]
_PROBLEMS = [
    "存在的主要问题：一是信息公开工作人员多为兼职，业务能力有待提高；二是部分栏目更新不够及时。改进措施：加强业务培训，完善更新机制，定期开展自查。",
    "存在的主要问题：政策解读形式较为单一，与公众互动不足。改进措施：丰富解读形式，拓宽公众参与渠道，提升回应质量。",
    "存在的主要问题：依申请公开答复的规范性仍需加强。改进措施：健全答复文书模板，加强法律审核，提高答复质量。",
]

_T3_ROWS: list[tuple[str, ...]] = [
    ("三、本年度办理结果", "（一）予以公开"),
    ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("", "（三）不予公开", "1.属于国家秘密"),
    ("", "", "2.其他法律行政法规禁止公开"),
    ("", "", "3.危及“三安全一稳定”"),
    ("", "", "4.保护第三方合法权益"),
    ("", "", "5.属于三类内部事务信息"),
    ("", "", "6.属于四类过程性信息"),
    ("", "", "7.属于行政执法案卷"),
    ("", "", "8.属于行政查询事项"),
    ("", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("", "", "2.没有现成信息需要另行制作"),
    ("", "", "3.补正后申请内容仍不明确"),
    ("", "（五）不予处理", "1.信访举报投诉类申请"),
    ("", "", "2.重复申请"),
    ("", "", "3.要求提供公开出版物"),
    ("", "", "4.无正当理由大量反复申请"),
    ("", "", "5.要求行政机关确认或重新出具已获取信息"),
    ("", "（六）其他处理"),
]


@dataclass(frozen=True)
class SynthReport:
    title: str
    text: str
    values: dict[str, int]  # the table figures as printed (t2 procurement, t3, t4 review)


def _row(cells: list[str]) -> str:
    return "\n".join("\t" + c for c in cells) + "\n"


def _num(v: int) -> str:
    return str(v)


def synth_report(agency: str, year: int, seed: int, *, break_rule: bool = False) -> SynthReport:
    """A report text with consistent (or, with break_rule, inconsistent) 2019-layout tables."""
    rng = random.Random(f"{agency}|{year}|{seed}")
    title = f"{agency}{year}年政府信息公开工作年度报告"
    nums = {f"n{i}": rng.randint(3, 400) for i in range(1, 13)}
    parts = [title, "", rng.choice(_OPENINGS).format(agency=agency, year=year), "一、总体情况"]
    work = sorted(rng.sample(range(len(_WORK)), k=rng.randint(4, 6)))
    overview = len(parts)  # the work paragraphs go here once the table figures are drawn
    parts.append("二、主动公开政府信息情况")
    table2 = [
        ["第二十条第（一）项"],
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
    ]
    for label in ("规章", "规范性文件"):
        made = rng.randint(0, 6)
        table2.append([label, _num(made), _num(made), _num(made + rng.randint(0, 40))])
    for heading, labels in (
        ("第二十条第（五）项", ("行政许可", "其他对外管理服务事项")),
        ("第二十条第（六）项", ("行政处罚", "行政强制")),
    ):
        table2 += [[heading], ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]]
        for label in labels:
            table2.append(
                [
                    label,
                    _num(rng.randint(0, 90)),
                    _num(rng.randint(-3, 5)),
                    _num(rng.randint(0, 900)),
                ]
            )
    table2 += [
        ["第二十条第（八）项"],
        ["信息内容", "上一年项目数量", "本年增/减"],
        ["行政事业性收费", _num(rng.randint(0, 9)), _num(rng.randint(-2, 2))],
        ["第二十条第（九）项"],
        ["信息内容", "采购项目数量", "采购总金额"],
    ]
    projects = rng.randint(0, 60)
    table2.append(["政府集中采购", _num(projects), f"{rng.randint(1, 9000) / 100:.2f}万元"])
    parts.append("\n".join(_row(r) for r in table2))
    parts.append("三、收到和处理政府信息公开申请情况")
    header = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["", "自然人", "法人或其他组织", "总计"],
        ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
    ]
    new = [rng.randint(0, 12), rng.randint(0, 3), 0, 0, rng.randint(0, 1), rng.randint(0, 2)]
    carried = [rng.randint(0, 2), 0, 0, 0, 0, 0]
    available = [a + b for a, b in zip(new, carried, strict=True)]
    # split what is available between 予以公开, 不掌握, and 结转下年度
    granted, not_held, forward = [], [], []
    for v in available:
        g = rng.randint(0, v)
        n = rng.randint(0, v - g)
        granted.append(g)
        not_held.append(n)
        forward.append(v - g - n)
    handled = [g + n for g, n in zip(granted, not_held, strict=True)]

    def cells(values: list[int] | None) -> list[str]:
        if values is None:
            return [""] * 7
        return [_num(v) for v in values] + [_num(sum(values))]

    new_cells = cells(new)
    if break_rule:
        new_cells[-1] = _num(sum(new) + 2)  # 总计 no longer adds up
    # the overview quotes the applications received as the table prints them
    nums["n4"] = sum(new)
    parts[overview:overview] = [_WORK[index].format(**nums) for index in work]
    rows = [*header, ["一、本年新收政府信息公开申请数量", *new_cells]]
    rows.append(["二、上年结转政府信息公开申请数量", *cells(carried)])
    for spec in _T3_ROWS:
        label = spec[-1]
        shown: list[int] | None = None
        if label == "（一）予以公开":
            shown = granted
        elif label == "1.本机关不掌握相关政府信息":
            shown = not_held
        rows.append([*spec, *cells(shown)])
    rows.append(["", "（七）总计", *cells(handled)])
    rows.append(["四、结转下年度继续办理", *cells(forward)])
    parts.append("\n".join(_row(r) for r in rows))
    parts.append("四、政府信息公开行政复议、行政诉讼情况")
    t4 = [
        ["行政复议", "行政诉讼"],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ]
    review = [rng.randint(0, 1), 0, 0, 0]
    t4.append([_num(v) for v in [*review, sum(review)]] + ["0"] * 10)
    parts.append("\n".join(_row(r) for r in t4))
    parts.append("五、存在的主要问题及改进情况")
    parts.append(rng.choice(_PROBLEMS))
    parts.append("六、其他需要报告的事项")
    parts.append(f"{agency}{year}年度未收取信息处理费。")
    values = {"t2.procurement.projects": projects}
    columns = ("natural", "commercial", "research", "social_welfare", "legal_service", "other_org")
    for row, printed in (
        ("new", new),
        ("carried_over", carried),
        ("granted", granted),
        ("unavailable.not_held", not_held),
        ("total", handled),
        ("carried_forward", forward),
    ):
        values |= {f"t3.{row}.{c}": v for c, v in zip(columns, printed, strict=True)}
        values[f"t3.{row}.total"] = sum(printed)
    values["t3.new.total"] = int(new_cells[-1])
    values |= {
        f"t4.review.{c}": v
        for c, v in zip(("upheld", "corrected", "other", "pending"), review, strict=True)
    }
    values["t4.review.total"] = sum(review)
    return SynthReport(title=title, text="\n".join(parts) + "\n", values=values)
