"""Title, agency, report year and publication date of a report, each with its source.

Sources: ``meta:<name>`` (format metadata such as HTML ``<meta name="PubDate">``), ``title``
(the document's own title), ``text`` (the first heading lines), ``text:发布日期`` (a
发布时间/发布日期 line), ``signature`` (the date under the signature), ``table`` (the year
from the report's statistics period).
"""

from __future__ import annotations

import re
from datetime import date

from extract.text.plain import strip_markup
from extract.types import Sourced, TextDocument

_TITLE_WORDS = re.compile(r"政府信息公开.{0,6}(?:年度)?报告|年度报告|工作报告")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_LEADING_YEAR = re.compile(r"^\s*(?:19|20)\d{2}\s*年")
_LEADING_NOISE = re.compile(r"^(?:附件\s*\d*\s*[:：]?\s*|关于(?:印发|公布|发布)?\s*)")
_BRACKETS = re.compile(r"^[（(【\[]\s*(.+?)\s*[)）】\]]$")
_AGENCY_AFTER_YEAR = re.compile(r"^(?:度)?\s*(.+?)\s*(?:政府信息公开|政务公开|信息公开)")
_DATE_NUMERIC = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_DATE_CHINESE = re.compile(
    r"([〇○零O一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
_PUBLISHED_LINE = re.compile(r"(发布时间|发布日期|发布于|成文日期|印发日期)\s*[:：]?\s*")
_META_DATE_NAMES = ("PubDate", "pubdate", "publishdate", "PublishDate", "firstpublishedtime")
_META_TITLE_NAMES = ("ArticleTitle", "articletitle", "title", "Title")


def _first_lines(text: str, count: int = 6) -> list[str]:
    lines = []
    for line in text.splitlines():
        stripped = strip_markup(line).strip(" \t\u3000\u00a0")
        if stripped:
            lines.append(stripped)
        if len(lines) >= count:
            break
    return lines


def title_from_text(text: str) -> str | None:
    """The report title from the first lines: one line, or two when the heading is broken
    (``广武镇人民政府`` / ``2020 年政府信息公开工作年度报告``)."""
    lines = _join_wrapped_title([line for line in _first_lines(text) if "\t" not in line])
    for index, line in enumerate(lines):
        if len(line) > 60:
            break
        if not (line.endswith("报告") or _TITLE_WORDS.search(line)):
            continue
        lacks_agency = bool(_LEADING_YEAR.match(line)) or not _YEAR.search(line)
        if index > 0 and lacks_agency and _is_title_head(lines[index - 1]):
            return clean_title(lines[index - 1] + line)
        return clean_title(line)
    return None


def _join_wrapped_title(lines: list[str]) -> list[str]:
    """The lines with a title that wrapped (``…2020年度政府信息公开工作年度报`` / ``告``, a
    PDF's centred heading too long for one line) joined: a line that is no title alone,
    followed by a short line without punctuation that completes it."""
    for index, line in enumerate(lines[:-1]):
        after = lines[index + 1]
        if line.endswith("报告") or len(after) > 12 or re.search(r"[。，；：:,]", after):
            continue
        joined = line + after
        if joined.endswith("报告") and _TITLE_WORDS.search(joined):
            return [*lines[:index], joined, *lines[index + 2 :]]
    return lines


def _is_title_head(line: str) -> bool:
    return len(line) <= 30 and not re.search(r"[。，；]", line) and not line.startswith("附件")


def clean_title(title: str) -> str:
    """Markup stripped (``# …``, ``**…**``, tags), whitespace collapsed, and dropped next to
    CJK (``2023 年`` → ``2023年``)."""
    title = re.sub(r"\s+", " ", strip_markup(title)).strip()
    return re.sub(r"(?<=[\u4e00-\u9fff（）])\s+|\s+(?=[\u4e00-\u9fff（）])", "", title)


def agency_from_title(title: str) -> str | None:
    """The agency named in a title: the text before the year (``长街镇2020年度…`` → 长街镇),
    else after it (``2019年上海市人民政府办公厅政府信息公开…`` → 上海市人民政府办公厅)."""
    text = _LEADING_NOISE.sub("", title.strip())
    match = _YEAR.search(text)
    if not match:
        head = re.split(r"政府信息公开|政务公开", text)[0]
        return _clean_agency(head)
    before = _clean_agency(text[: match.start()])
    if before:
        return before
    after = _AGENCY_AFTER_YEAR.match(text[match.end() :])
    return _clean_agency(after.group(1)) if after else None


def _clean_agency(text: str) -> str | None:
    text = re.sub(r"\s+", "", strip_markup(text)).strip("：:，,、 #*")
    bracketed = _BRACKETS.match(text)
    if bracketed:
        text = bracketed.group(1)
    text = re.sub(r"^关于", "", text)
    # an agency is named in Chinese: a spreadsheet's sheet name (Sheet1) or a file name
    # before the year is no agency
    return text if re.search(r"[\u4e00-\u9fff]", text) else None


def year_from_title(title: str) -> int | None:
    match = _YEAR.search(title)
    return int(match.group(1)) if match else None


def year_from_text(text: str) -> int | None:
    """The report year from the statistics period (``统计…自2020年1月1日``) or the first
    ``YYYY年`` of the text."""
    period = re.search(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日", text)
    if period:
        return int(period.group(1))
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD`` (numeric or Chinese numerals)."""
    match = _DATE_NUMERIC.search(text)
    if match:
        return _iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _DATE_CHINESE.search(text)
    if match:
        year = int("".join(str(_CN_DIGITS[c]) for c in match.group(1)))
        return _iso(year, _cn_number(match.group(2)), _cn_number(match.group(3)))
    return None


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if "十" in text:
        tens, _, units = text.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[units] if units else 0)
    return _CN_DIGITS[text]


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def published_date(doc: TextDocument) -> Sourced | None:
    """From page metadata, a 发布时间/发布日期 line, or the date under the signature."""
    for name in _META_DATE_NAMES:
        value = doc.meta.get(name)
        if value and (iso := parse_date(value)):
            return Sourced(iso, f"meta:{name}")
    lines = [line.strip() for line in doc.text.splitlines() if line.strip()]
    for line in lines[:40]:
        label = _PUBLISHED_LINE.search(line)
        if label and (iso := parse_date(line[label.end() :])):
            return Sourced(iso, f"text:{label.group(1)}")
    for line in reversed(lines[-6:]):
        if len(line) > 24 or "\t" in line:
            continue
        body = re.sub(r"\s+", "", line)
        if (_DATE_NUMERIC.fullmatch(body) or _DATE_CHINESE.fullmatch(body)) and (
            iso := parse_date(body)
        ):
            return Sourced(iso, "signature")
    return None


def document_title(doc: TextDocument) -> Sourced | None:
    """The report title: ``meta:ArticleTitle``, the document title, else the first heading;
    a metadata title that names no year (``政府信息公开工作年度报告``) loses to the text."""
    from_text = title_from_text(doc.text)
    for name in _META_TITLE_NAMES:
        value = doc.meta.get(name)
        if value and _TITLE_WORDS.search(value) and (_YEAR.search(value) or not from_text):
            return Sourced(clean_title(value), f"meta:{name}")
    if doc.title and _TITLE_WORDS.search(doc.title) and (_YEAR.search(doc.title) or not from_text):
        return Sourced(clean_title(doc.title), "title")
    if from_text:
        return Sourced(from_text, "text")
    return None
