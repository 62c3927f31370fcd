"""Printings the readers had not seen (issue 11): each fixture is cut from a document of
``benchmarks/extract_generalisation.py`` (fresh seed 606113) whose printed values were
read wrong, to the pages or lines that show the cause; every value is read through
``extract_document`` and compared with what the document prints (blank cells stay
blank: ``None``).

- ``t3-other-numbered-in-brackets.txt`` (LibreOffice's text export of a docx: a cell a
  line): the row （3）其他 of （六）其他处理 is numbered in brackets, not ``3.``;
- ``header-repeated.pdf`` (LibreOffice, ruled): table 三 goes on over a page break under
  its header rows printed again; they are not the end of the cut row above them;
- ``unruled-wrapped-header.pdf`` (no rules): the applicant columns' names wrap inside
  their cells (社会公 / 益组织), and table 四 prints only its 总计 figures, under a
  heading that is no row's label;
- ``unruled-wrapped-t4-header.pdf`` (no rules): table 四's names wrap inside their cells
  (结果维 / 持) beside 总计 printed on one line;
- ``t4-heading-above-header.ofd``: the section heading 四、… right above table 四's
  header is not the label of its row of figures, and does not hide the header;
- ``unruled-label-columns.pdf`` (no rules): group labels (（三）不予公开, （四）无法提供)
  stand in a column of their own beside the rows' labels, on the same text lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import TESTS

from extract import extract_document
from extract import keys as K
from extract.types import CellValue, Extraction

FIXTURES = TESTS / "fixtures" / "unseen"


def _read(name: str) -> dict[str, CellValue]:
    path: Path = FIXTURES / name
    extraction = extract_document(path.read_bytes(), filename=path.name)
    assert extraction.layout in ("2019", "2021"), extraction.layout
    return extraction.values


def _t3(values: dict[str, CellValue], row: str) -> list[CellValue]:
    return [values.get(f"t3.{row}.{column}") for column in K.T3_COLUMNS]


def _t4(values: dict[str, CellValue]) -> list[CellValue]:
    return [values.get(key) for key in K.t4_keys()]


def test_other_row_numbered_in_brackets_in_a_text_export() -> None:
    values = _read("t3-other-numbered-in-brackets.txt")
    assert _t3(values, "other.other") == [1, 0, 0, 0, 0, 0, 1]
    assert _t3(values, "total") == [2, 0, 0, 0, 0, 0, 2]


def test_header_rows_repeated_after_a_page_break_are_not_cell_text() -> None:
    values = _read("header-repeated.pdf")
    # the row cut by the page break: 无 (blank) under 自然人, 1 under 商业企业
    assert _t3(values, "unprocessed.petition") == [None, 1, None, None, None, None, 1]
    assert _t3(values, "unprocessed.repeat") == [None, None, None, None, None, 2, 2]


def test_unruled_header_names_wrapped_in_their_cells() -> None:
    values = _read("unruled-wrapped-header.pdf")
    assert _t3(values, "new") == [1, None, None, None, None, None, 1]
    assert _t3(values, "carried_forward") == [0, None, None, None, None, None, 0]
    assert _t4(values) == [None, None, None, None, 0] * 3


@pytest.mark.parametrize("name", ["unruled-wrapped-t4-header.pdf", "t4-heading-above-header.ofd"])
def test_unruled_table_four_blank_cell_kept_in_its_column(name: str) -> None:
    values = _read(name)
    assert _t4(values) == [1, 1, 1, 1, 4, None, None, 0, 1, 1, 0, None, 2, 1, 3]


def test_unruled_group_labels_in_a_column_of_their_own() -> None:
    values = _read("unruled-label-columns.pdf")
    assert _t3(values, "denied.third_party") == [0] * 7
    assert _t3(values, "unavailable.needs_creation") == [6, 0, 0, 0, 0, 0, 6]


def test_money_unit_printed_in_the_column_header() -> None:
    """采购总金额（万元） over a bare 5373.60: the amount is 53,736,000 yuan, as printed."""
    values = _read("money-unit-in-header.html")
    assert values["t2.procurement.amount_raw"] == "5373.60"
    assert values["t2.procurement.amount_yuan"] == 53736000


def test_blank_cells_printed_as_empty_lines_in_a_text_export() -> None:
    """LibreOffice's text export of a docx: a cell a line, a blank cell an empty line."""
    values = _read("blank-cells-as-empty-lines.txt")
    assert _t3(values, "unprocessed.confirmation") == [None, None, 0, None, None, None, 0]
    assert _t3(values, "unprocessed.excessive") == [None, None, None, 0, None, None, 0]
    assert _t3(values, "unprocessed.publication") == [0, 0, 0, None, None, None, None]


def test_unruled_figures_wrapped_in_narrow_columns() -> None:
    """3001 too wide for its column prints as 300 over 1, the row's other figures
    centred between the two lines (pdf-platypus-unruled at seed 7)."""
    values = _read("unruled-wrapped-figures.pdf")
    assert _t3(values, "new") == [3001, 53, 0, 0, 61, 4, 3119]
    assert _t3(values, "granted") == [1288, 21, 0, 0, 50, 3, 1362]
    assert _t3(values, "total") == [2932, 53, 0, 0, 61, 4, 3050]


def test_table_four_alone_on_the_last_page_of_a_split_report() -> None:
    """A report split over two pages, the second holding only table 四 (html-paged)."""
    path = FIXTURES / "table-four-alone-paged.html"
    extraction = extract_document(path.read_bytes(), filename=path.name)
    assert extraction.layout == "none"  # nothing on the page says which layout
    assert _t4(extraction.values) == [10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]


def test_unruled_table_two_columns_from_its_header() -> None:
    """A part of table 二 with one figure printed (规章: 本年废止件数 1, the others blank)
    is placed under the column its header names; table 三's header at the foot of the
    page before its rows still places their figures (fresh seed 105458)."""
    values = _read("unruled-t2-and-header-page-before.pdf")
    assert [values[f"t2.regulations.{c}"] for c in ("issued", "repealed", "in_force")] == [
        None,
        1,
        None,
    ]
    assert _t3(values, "unprocessed.repeat") == [None] * 6 + [4]


def test_money_unit_printed_as_one_word_with_its_figure() -> None:
    values = _read("unit-joined-to-figure.ofd")
    assert values["t2.procurement.amount_raw"] == "342500元"
    assert values["t2.procurement.amount_yuan"] == 342500


def test_table_four_header_cells_merged_down_into_the_figures_row() -> None:
    """结果维持 … 尚未审结 merged down into the row of figures (only the 总计 cells hold
    one): no figure is printed under them."""
    values = _read("t4-header-merged-into-figures.pdf")
    assert _t4(values) == [None, None, None, None, 0] * 3


def test_unruled_row_label_begun_just_above_its_figures() -> None:
    """四、结转下年度继 / 续办理 around its figures, left of a sub-row label printed
    without figures further up (5.要求行政机关确认…): the row is 结转下年度继续办理."""
    values = _read("unruled-row-label-beside-earlier-ones.pdf")
    assert _t3(values, "carried_forward") == [0, None, None, None, None, None, 0]


def test_slash_inside_a_header_label_is_no_blank_cell() -> None:
    """本年增 / 减 in table 二's header, a cell a line (LibreOffice's text export): the
    slash is not a blank cell held for the next row (fresh seed 355263)."""
    values = _read("t2-header-slash.txt")
    assert [values[f"t2.licensing.{c}"] for c in ("prev_items", "change", "decisions")] == [0] * 3
    assert [values[f"t2.fees.{c}"] for c in ("prev_items", "change")] == [0, 0]
    assert values["t2.procurement.projects"] == 6
    assert values["t2.procurement.amount_yuan"] == 251000


def test_unruled_label_ends_beside_the_next_group_label() -> None:
    """4.保护第三 / 方合法权益: the label's last line comes after 三、本年 … of the group
    column has begun; it stays with its row (fresh seed 355263)."""
    values = _read("unruled-label-end-beside-next-group.pdf")
    assert _t3(values, "denied.third_party") == [5, 0, 0, 0, 0, 0, 5]


def test_unruled_item_number_wrapped_after_its_bracket() -> None:
    """（三）不予公开 （1 / ）其他法律…: the 1 of an item number whose ）wrapped onto the next
    line is label text, not a figure making one column too many (fresh seed 120260)."""
    values = _read("unruled-item-number-wrapped.ofd")
    assert _t3(values, "unprocessed.excessive") == [0] * 7
    assert _t3(values, "other.other") == [0] * 7


def test_unruled_item_number_at_the_end_of_a_label_line() -> None:
    """（五）不予处理2 / .重复申请 and （六）其他处理3 / figures / .其他: the 2 and 3 are the
    items' numbers, not figures; a label line holding one is no row of figures to join
    with the figures beside it (fresh seed 638359)."""
    values = _read("unruled-item-number-at-line-end.pdf")
    assert _t3(values, "unprocessed.repeat") == [0] * 7
    assert _t3(values, "unprocessed.excessive") == [0, 0, 0, 0, 0, 0, 2]
    assert _t3(values, "other.other") == [0] * 7


def test_table_four_blank_cells_as_empty_lines_in_a_text_export() -> None:
    """Table 四 a cell a line, blank cells as empty lines (fresh seed 390094)."""
    path = FIXTURES / "t4-blank-cells-as-empty-lines.txt"
    values = extract_document(path.read_bytes(), filename=path.name).values
    assert _t4(values) == [2, None, 1, None, 3, None, None, None, 5, 5, None, None, 1, 3, 4]


def test_table_four_in_parts_blank_cells_as_empty_lines_in_a_text_export() -> None:
    """Table 四 printed as 行政复议 (five cells) and 行政诉讼 (ten), a cell a line, the
    blank 总计 … cells as empty lines (fresh seed 732012)."""
    path = FIXTURES / "t4-in-parts-blank-cells-as-empty-lines.txt"
    values = extract_document(path.read_bytes(), filename=path.name).values
    assert _t4(values) == [None, None, 1, None, 1] + [None] * 5 + [None, 2, None, 1, 3]


def test_unruled_table_four_one_row_a_group_under_a_five_column_header() -> None:
    """类别 | 结果维持 结果纠正 其他结果 尚未审结 总计 over a row per group, figures in
    only some columns (fresh seed 116513)."""
    values = _read("unruled-t4-one-row-a-group.ofd")
    assert _t4(values) == [None, 0, 0, None, None, 3, None, 1, None, 4, 1, None, 2, None, 3]


def test_word_binary_table_nested_in_a_layout_table_keeps_its_cell_widths() -> None:
    """A docx with table 三 inside a one-cell layout table, saved as .doc by LibreOffice:
    the nested table's rows carry their cell boundaries at their own row ends (itap 2);
    the header's merged cells (申请人情况 over seven columns, 法人或其他组织 over five)
    and the blank cells under them keep every figure in its column (fresh seed 802097)."""
    values = _read("t3-in-layout-table.doc")
    assert _t3(values, "new") == [None, 0, None, 0, 0, None, 0]
    assert _t3(values, "partial") == [None, 0, 0, 0, None, None, None]
    assert _t3(values, "total") == [0, None, None, 0, 0, None, 0]


def test_table_four_one_row_a_group_blank_cells_as_empty_lines_in_a_text_export() -> None:
    """Table 四 one row a group (行政复议 / 行政诉讼（未经复议直接起诉）/ …（复议后起诉）),
    a cell a line, blank cells as empty lines: five cells after each group's label
    (fresh seed 802097)."""
    path = FIXTURES / "t4-one-row-a-group-blank-cells-as-empty-lines.txt"
    values = extract_document(path.read_bytes(), filename=path.name).values
    assert _t4(values) == [1, None, None, None, 1, 2, None, 1, 3, 6, None, None, None, None, None]


def test_table_four_totals_alone_under_header_cells_merged_down() -> None:
    """Table 四 a row a line (tabs), its header's cells merged down into the row of
    figures: the text export leaves the merged cells out and prints 0 0 0, one figure a
    group, each group's 总计 (seed004, fresh seed 802097)."""
    path = FIXTURES / "t4-totals-alone-header-merged-down.txt"
    values = extract_document(path.read_bytes(), filename=path.name).values
    assert _t4(values) == [None, None, None, None, 0] * 3


def test_table_rest_after_a_page_break_touching_the_next_table() -> None:
    """Table 四 in parts (LibreOffice's PDF of an HTML page): 行政复议's header closes
    page 3, its row of figures opens page 4 with 行政诉讼's wider table right under it,
    the borders touching (one ruled region). The row is the rest of 行政复议, not a row of
    行政诉讼 with five blank cells after it (fresh seed 6275)."""
    values = _read("t4-rest-of-part-touching-next-part.pdf")
    assert _t4(values) == [None, 1, None, None, 1, 1, None, 1, None, 2, None, 1, None, None, 1]


def test_table_rest_after_a_page_break_below_stacked_tables_of_other_widths() -> None:
    """Table 二's parts stand one on the other, borders touching, each part as wide as
    its own columns (LibreOffice's PDF of an HTML page): page 1 ends in 第二十条第（八）项's
    header, page 2 opens with its row 行政事业性收费 0 1 and （九）项 below. The row joins
    its header (as wide as the last part of page 1, not as the whole stack), 1 under
    本年增 / 减 (fresh seed 8665)."""
    values = _read("t2-rest-of-part-after-stacked-parts.pdf")
    assert [values["t2.fees.prev_items"], values["t2.fees.change"]] == [0, 1]
    assert values["t2.procurement.amount_yuan"] == 342400


def test_unruled_row_label_and_a_figure_wrapped_in_their_cells_together() -> None:
    """（1）信访举报 / 投诉类申请 wrapped in its cell beside 148 wrapped in its narrow column
    (14 / 8), the row's other figures centred between the two lines: one row, its label
    and its figure each joined top to bottom (fresh seed 2460)."""
    values = _read("unruled-label-and-figure-wrapped-together.pdf")
    assert _t3(values, "unprocessed.petition") == [148, 1, None, None, None, None, None]


def _document(name: str) -> Extraction:
    path: Path = FIXTURES / name
    return extract_document(path.read_bytes(), filename=path.name)


def test_title_wrapped_before_its_last_character_names_the_agency() -> None:
    """A PDF's centred title too long for its line: …2020年度政府信息公开工作年度报 / 告
    (reportlab platypus, fresh seed 13936). The two lines are one title, its agency the
    text before the year."""
    extraction = _document("title-wrapped-last-character-centred.pdf")
    assert extraction.title is not None
    assert extraction.title.value == "邯郸市卫生健康委员会2020年度政府信息公开工作年度报告"
    assert extraction.agency_name is not None
    assert extraction.agency_name.value == "邯郸市卫生健康委员会"
    assert extraction.year is not None and extraction.year.value == 2020


def test_title_in_large_type_is_not_joined_to_the_indented_paragraph_below() -> None:
    """LibreOffice's PDF of a docx: the title (large type, nearly as wide as the text)
    over a paragraph indented two characters of its smaller type (fresh seed 13936). The
    indent was measured in the title's type, too small to count, so the paragraph was
    read as the title's continuation and the title was lost (agency: none)."""
    extraction = _document("title-above-paragraph-in-smaller-type.pdf")
    assert extraction.text.splitlines()[0] == "2023年道里区财政局政府信息公开工作年度报告"
    assert extraction.agency_name is not None
    assert extraction.agency_name.value == "道里区财政局"


def test_section_headings_read_into_the_cells_of_a_table_row() -> None:
    """LibreOffice's PDF of an HTML page: the headings （四）政府信息公开行政复议、行政诉讼
    情况 and （五）政府信息公开工作存在的主要问题及改进情况 next to the tables are read
    as rows of a table, split into cells (（五）政 / 府信息公开 / 工作存在 / …) — the
    sections are still found (fresh seed 13936, real-hongze-district-2024)."""
    extraction = _document("section-headings-read-into-table-cells.pdf")
    assert extraction.sections == [4, 5, 6]


def test_section_headings_numbered_in_digits_read_into_table_cells() -> None:
    """The same printing with the headings numbered 4、 and 5、: 5、存在的 / 主要问题 /
    及改进情 / 况 read into cells is section 5 (fresh seed 27461, syn27461-7)."""
    extraction = _document("section-headings-numbered-in-digits-in-table-cells.pdf")
    assert extraction.sections == [4, 5, 6]


def test_section_heading_whose_number_is_split_across_table_cells() -> None:
    """The heading （五）政府信息公开工作存在的主要问题及改进情况 read into cells that cut its
    number too: （五 / ）政府 / 信息 / … (fresh seed 70419, syn70419-3)."""
    extraction = _document("section-heading-number-split-across-table-cells.pdf")
    assert extraction.sections == [4, 5]
