"""The three statistical tables of a report, printed from their cell texts in varied shapes.

The shapes are those of real reports: the official templates (国办公开办函〔2019〕60号 and
〔2021〕30号) with their merged header cells, and the drift seen in practice: header rows split
differently, label columns nested, paired or flattened into group rows, column labels broken
over lines or worded differently, table 二 printed as one table or one per item, table 四 as
the template, as two tables or transposed. Every variant keeps the meaning of every label
(``shared/spec/report-tables.md`` §Sections: match by meaning).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from extract import keys as K
from sampleweb.renderings.model import Cell, Table

# ---------------------------------------------------------------- table 二

T2_ITEMS: dict[str, list[tuple[str, list[str], list[tuple[str, str, list[str]]]]]] = {
    "2019": [
        (
            "第二十条第（一）项",
            ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
            [
                ("规章", "regulations", ["made", "published", "total"]),
                ("规范性文件", "normative", ["made", "published", "total"]),
            ],
        ),
        (
            "第二十条第（五）项",
            ["上一年项目数量", "本年增/减", "处理决定数量"],
            [
                ("行政许可", "licensing", ["prev_items", "change", "decisions"]),
                ("其他对外管理服务事项", "other_services", ["prev_items", "change", "decisions"]),
            ],
        ),
        (
            "第二十条第（六）项",
            ["上一年项目数量", "本年增/减", "处理决定数量"],
            [
                ("行政处罚", "penalty", ["prev_items", "change", "decisions"]),
                ("行政强制", "coercion", ["prev_items", "change", "decisions"]),
            ],
        ),
        (
            "第二十条第（八）项",
            ["上一年项目数量", "本年增/减"],
            [("行政事业性收费", "fees", ["prev_items", "change"])],
        ),
        (
            "第二十条第（九）项",
            ["采购项目数量", "采购总金额"],
            [("政府集中采购", "procurement", ["projects", "amount_raw"])],
        ),
    ],
    "2021": [
        (
            "第二十条第（一）项",
            ["本年制发件数", "本年废止件数", "现行有效件数"],
            [
                ("规章", "regulations", ["issued", "repealed", "in_force"]),
                ("行政规范性文件", "normative", ["issued", "repealed", "in_force"]),
            ],
        ),
        ("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", "licensing", ["decisions"])]),
        (
            "第二十条第（六）项",
            ["本年处理决定数量"],
            [
                ("行政处罚", "penalty", ["decisions"]),
                ("行政强制", "coercion", ["decisions"]),
            ],
        ),
        (
            "第二十条第（八）项",
            ["本年收费金额（单位：万元）"],
            [("行政事业性收费", "fees", ["amount_wan"])],
        ),
    ],
}

# line-broken and reworded column labels that keep the meaning
_T2_LABEL_VARIANTS = {
    "本年新制作数量": ["本年新\n制作数量", "本年新制作\n数量"],
    "本年新公开数量": ["本年新\n公开数量"],
    "对外公开总数量": ["对外公开\n总数量"],
    "上一年项目数量": ["上一年\n项目数量"],
    "本年增/减": ["本年增 / 减", "本年\n增/减"],
    "处理决定数量": ["处理决定\n数量"],
    "本年制发件数": ["本年制发\n件数"],
    "本年废止件数": ["本年废止\n件数"],
    "现行有效件数": ["现行有效\n件数"],
    "本年处理决定数量": ["本年处理\n决定数量"],
    "本年收费金额（单位：万元）": ["本年收费金额\n（单位：万元）", "本年收费金额(单位:万元)"],
}


@dataclass
class Styles:
    """The shape choices of one report's tables (recorded in the ground truth)."""

    t2: str = "one"  # one | parts
    t2_short_span: str = "value"  # value | label: who takes the spare columns of short rows
    t3_header: str = "template"  # template | two | flat
    t3_labels: str = "nested"  # nested | paired | rows
    t3_other_one_row: bool = False  # layout 2021: （六）其他处理 printed as one row
    t4: str = "template"  # template | two | split | rows
    wording: str = "standard"  # standard | drift
    breaks: bool = False  # column labels broken over lines

    @classmethod
    def random(cls, rng: random.Random) -> Styles:
        return cls(
            t2=rng.choice(["one", "one", "parts"]),
            t2_short_span=rng.choice(["value", "label"]),
            t3_header=rng.choice(["template", "template", "two", "flat"]),
            t3_labels=rng.choice(["nested", "nested", "paired", "rows"]),
            t3_other_one_row=rng.random() < 0.15,
            t4=rng.choices(["template", "two", "split", "rows"], weights=[45, 25, 15, 15])[0],
            wording=rng.choice(["standard", "drift"]),
            breaks=rng.random() < 0.4,
        )

    def as_dict(self) -> dict[str, str]:
        return {name: str(value) for name, value in vars(self).items()}


def _label(text: str, styles: Styles, rng: random.Random) -> str:
    if styles.breaks and text in _T2_LABEL_VARIANTS and rng.random() < 0.6:
        return rng.choice(_T2_LABEL_VARIANTS[text])
    return text


def table_two(
    layout: str, printed: dict[str, str], styles: Styles, rng: random.Random
) -> list[Table]:
    items = T2_ITEMS[layout]
    width = 4
    tables: list[Table] = []
    rows: list[list[Cell]] = []
    header_rows = 0
    for number, (item, columns, lines) in enumerate(items):
        part_width = width if styles.t2 == "one" else 1 + len(columns)
        spare = part_width - 1 - len(columns)
        head = [Cell(item, colspan=part_width, header=True)]
        labels = [Cell("信息内容", header=True)]
        for index, column in enumerate(columns):
            span = 1 + (spare if index == len(columns) - 1 else 0)
            labels.append(Cell(_label(column, styles, rng), colspan=span, header=True))
        if spare and styles.t2_short_span == "label":
            labels = [Cell("信息内容", colspan=1 + spare, header=True)] + [
                Cell(cell.text, header=True) for cell in labels[1:]
            ]
        part = [head, labels]
        for row_label, row_key, keys in lines:
            label_span = 1 + spare if styles.t2_short_span == "label" else 1
            row = [Cell(row_label, colspan=label_span)]
            for index, column in enumerate(keys):
                key = f"t2.{row_key}.{column}"
                span = 1 + (spare if index == len(keys) - 1 and label_span == 1 else 0)
                row.append(Cell(printed.get(key, ""), colspan=span, key=key))
            part.append(row)
        if styles.t2 == "one":
            rows += part
        else:
            tables.append(Table(f"t2.{number + 1}", part, header_rows=2))
    if styles.t2 == "one":
        tables.append(Table("t2", rows, header_rows=header_rows))
    return tables


# ---------------------------------------------------------------- table 三

_T3_COLUMN_LABELS = {
    "natural": ["自然人"],
    "commercial": ["商业企业", "商业\n企业"],
    "research": ["科研机构", "科研\n机构"],
    "social_welfare": ["社会公益组织", "社会公益\n组织", "社会公\n益组织"],
    "legal_service": ["法律服务机构", "法律服务\n机构", "法律服\n务机构"],
    "other_org": ["其他"],
    "total": ["总计", "总计", "合计"],
}
_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _t3_paths(layout: str, styles: Styles) -> list[tuple[str, list[str]]]:
    """(row key, label path from the outer group to the row's own label)."""
    drift = styles.wording == "drift"
    result = "三、本年度办理结果"
    paths: list[tuple[str, list[str]]] = [
        (
            "new",
            ["一、本年新收到政府信息公开申请数量" if drift else "一、本年新收政府信息公开申请数量"],
        ),
        (
            "carried_over",
            ["二、上年转结政府信息公开申请数量" if drift else "二、上年结转政府信息公开申请数量"],
        ),
        ("granted", [result, "（一）予以公开"]),
        (
            "partial",
            [
                result,
                "（二）部分公开"
                if drift
                else "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            ],
        ),
    ]

    def number(n: int, text: str) -> str:
        return f"（{n}）{text}" if drift else f"{n}.{text}"

    denied = ["属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
              "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"]  # fmt: skip
    for n, (key, text) in enumerate(
        zip(
            [r.split(".", 1)[1] for r in K.T3_ROWS_2019 if r.startswith("denied.")],
            denied,
            strict=True,
        ),
        start=1,
    ):
        paths.append((f"denied.{key}", [result, "（三）不予公开", number(n, text)]))
    unavailable = ["本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"]
    for n, (key, text) in enumerate(
        zip(("not_held", "needs_creation", "unclear"), unavailable, strict=True), 1
    ):
        paths.append((f"unavailable.{key}", [result, "（四）无法提供", number(n, text)]))
    unprocessed = ["信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
                   "要求行政机关确认或重新出具已获取信息"]  # fmt: skip
    keys = ("petition", "repeat", "publication", "excessive", "confirmation")
    for n, (key, text) in enumerate(zip(keys, unprocessed, strict=True), 1):
        paths.append((f"unprocessed.{key}", [result, "（五）不予处理", number(n, text)]))
    if layout == "2021" and not styles.t3_other_one_row:
        subs = [
            "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "其他",
        ]
        for n, (key, text) in enumerate(zip(K.OTHER_SUB_ROWS, subs, strict=True), 1):
            paths.append((key, [result, "（六）其他处理", number(n, text)]))
    else:
        paths.append(("other", [result, "（六）其他处理"]))
    paths.append(("total", [result, "（七）总计"]))
    paths.append(("carried_forward", ["四、结转下年度继续办理"]))
    return paths


def table_three(
    layout: str, printed: dict[str, str], styles: Styles, rng: random.Random
) -> list[Table]:
    depth = {"nested": 3, "paired": 2, "rows": 1}[styles.t3_labels]
    labels = {
        column: rng.choice(options) if styles.breaks else options[0]
        for column, options in _T3_COLUMN_LABELS.items()
    }
    rows: list[list[Cell]] = []
    if styles.t3_header == "template":
        rows.append(
            [
                Cell(_NOTE, colspan=depth, rowspan=3, header=True),
                Cell("申请人情况", colspan=7, header=True),
            ]
        )
        rows.append([Cell(labels["natural"], rowspan=2, header=True), Cell("法人或其他组织", colspan=5, header=True),
                     Cell(labels["total"], rowspan=2, header=True)])  # fmt: skip
        rows.append([Cell(labels[c], header=True) for c in K.APPLICANT_COLUMNS[1:]])
    elif styles.t3_header == "two":
        rows.append([Cell("", colspan=depth, rowspan=2, header=True), Cell(labels["natural"], rowspan=2, header=True),
                     Cell("法人或其他组织", colspan=5, header=True), Cell(labels["total"], rowspan=2, header=True)])  # fmt: skip
        rows.append([Cell(labels[c], header=True) for c in K.APPLICANT_COLUMNS[1:]])
    else:
        rows.append([Cell("项目" if rng.random() < 0.5 else "申请人情况", colspan=depth, header=True)]
                    + [Cell(labels[c], header=True) for c in K.T3_COLUMNS])  # fmt: skip
    header_rows = len(rows)
    paths = _t3_paths(layout, styles)
    body: list[list[Cell]] = []
    if depth == 1:
        groups_done: set[str] = set()
        for key, path in paths:
            for group in path[:-1]:
                if group not in groups_done:
                    groups_done.add(group)
                    body.append([Cell(group, colspan=1 + 7)])
            body.append([Cell(path[-1]), *_value_cells(key, printed)])
    else:
        compressed: list[tuple[str, list[str]]] = []
        for key, path in paths:
            if depth == 2 and len(path) == 3:
                path = [path[0], path[1] + rng.choice(["", " ", "："]) + path[2]]
            compressed.append((key, path))
        for index, (key, path) in enumerate(compressed):
            row: list[Cell] = []
            for level, label in enumerate(path):
                if level == len(path) - 1:
                    row.append(Cell(label, colspan=depth - level))
                    break
                previous = compressed[index - 1][1] if index else []
                if previous[: level + 1] == path[: level + 1]:
                    continue  # covered by the rowspan above
                run = 1
                while (
                    index + run < len(compressed)
                    and compressed[index + run][1][: level + 1] == path[: level + 1]
                    and len(compressed[index + run][1]) > level + 1
                ):
                    run += 1
                row.append(Cell(label, rowspan=run))
            body.append(row + _value_cells(key, printed))
    return [Table("t3", rows + body, header_rows=header_rows)]


def _value_cells(row: str, printed: dict[str, str]) -> list[Cell]:
    return [Cell(printed.get(f"t3.{row}.{c}", ""), key=f"t3.{row}.{c}") for c in K.T3_COLUMNS]


# ---------------------------------------------------------------- table 四

_T4_COLUMN_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def table_four(printed: dict[str, str], styles: Styles, rng: random.Random) -> list[Table]:
    cols = [("结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计")[i] if styles.breaks else c
            for i, c in enumerate(_T4_COLUMN_LABELS)]  # fmt: skip

    def values(group: str) -> list[Cell]:
        return [
            Cell(printed.get(f"t4.{group}.{c}", ""), key=f"t4.{group}.{c}") for c in K.T4_COLUMNS
        ]

    if styles.t4 == "template":
        return [
            Table(
                "t4",
                [
                    [
                        Cell("行政复议", colspan=5, header=True),
                        Cell("行政诉讼", colspan=10, header=True),
                    ],
                    [Cell(c, rowspan=2, header=True) for c in cols]
                    + [
                        Cell("未经复议直接起诉", colspan=5, header=True),
                        Cell("复议后起诉", colspan=5, header=True),
                    ],
                    [Cell(c, header=True) for c in cols * 2],
                    values("review") + values("suit_direct") + values("suit_after_review"),
                ],
                header_rows=3,
            )
        ]
    if styles.t4 == "two":
        return [
            Table(
                "t4",
                [
                    [
                        Cell("行政复议", colspan=5, header=True),
                        Cell("行政诉讼（未经复议直接起诉）", colspan=5, header=True),
                        Cell("行政诉讼（复议后起诉）", colspan=5, header=True),
                    ],
                    [Cell(c, header=True) for c in cols * 3],
                    values("review") + values("suit_direct") + values("suit_after_review"),
                ],
                header_rows=2,
            )
        ]
    if styles.t4 == "split":
        return [
            Table(
                "t4.1",
                [
                    [Cell("行政复议", colspan=5, header=True)],
                    [Cell(c, header=True) for c in cols],
                    values("review"),
                ],
                header_rows=2,
            ),
            Table(
                "t4.2",
                [
                    [Cell("行政诉讼", colspan=10, header=True)],
                    [
                        Cell("未经复议直接起诉", colspan=5, header=True),
                        Cell("复议后起诉", colspan=5, header=True),
                    ],
                    [Cell(c, header=True) for c in cols * 2],
                    values("suit_direct") + values("suit_after_review"),
                ],
                header_rows=3,
            ),
        ]
    names = {
        "review": "行政复议",
        "suit_direct": rng.choice(["行政诉讼（未经复议直接起诉）", "未经复议直接起诉"]),
        "suit_after_review": rng.choice(["行政诉讼（复议后起诉）", "复议后起诉"]),
    }
    return [
        Table(
            "t4",
            [[Cell("类别", header=True)] + [Cell(c, header=True) for c in cols]]
            + [[Cell(names[g]), *values(g)] for g in K.T4_GROUPS],
            header_rows=1,
        )
    ]
