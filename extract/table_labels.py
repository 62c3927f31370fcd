"""What the printed labels of the three tables mean: row labels, column labels, layout markers.

Labels are matched by meaning (distinctive words), not exact text: real reports drop or
garble characters (``其他法律行政止公开``), wrap labels over lines, and vary the numbering.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s\u00a0\u3000]+")


def squash(text: str) -> str:
    """Label text without any whitespace (labels are compared in this form)."""
    return _SPACES.sub("", text)


MARKERS_2021 = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "本年处理决定数量")
MARKERS_2019 = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "采购总金额",
)
"""Column labels of 第二十条 that only one layout prints (the spec: decide from these)."""

T3_MARKERS_2021 = ("逾期不补正", "缴纳费用", "收费通知")
"""Row labels of table 三 that only layout 2021 prints."""

T2_ROW_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("regulations", re.compile(r"规章")),
    ("normative", re.compile(r"规范性文件")),
    ("licensing", re.compile(r"行政许可")),
    ("other_services", re.compile(r"其他对外管理服务")),
    ("penalty", re.compile(r"行政处罚")),
    ("coercion", re.compile(r"行政强制")),
    ("fees", re.compile(r"行政事业性收费|事业性收费")),
    ("procurement", re.compile(r"政府集中采购|集中采购")),
)

T2_COLUMN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("made", re.compile(r"新制作")),
    ("published", re.compile(r"新公开")),
    ("total", re.compile(r"公开总数")),
    ("prev_items", re.compile(r"上一?年.*项目")),
    ("change", re.compile(r"增.?减")),
    ("decisions", re.compile(r"处理决定")),
    ("projects", re.compile(r"采购项目")),
    ("amount", re.compile(r"采购总金额|总金额")),
    ("issued", re.compile(r"制发")),
    ("repealed", re.compile(r"废止")),
    ("in_force", re.compile(r"现行有效")),
    ("amount_wan", re.compile(r"收费金额")),
)

T3_ROW_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("new", re.compile(r"新收")),
    ("carried_over", re.compile(r"上年(?:度)?(?:结转|转结)")),
    ("granted", re.compile(r"予以公开|予以公")),
    ("partial", re.compile(r"部分公开")),
    ("denied.state_secret", re.compile(r"国家秘密|家秘密|国家秘")),
    ("denied.prohibited", re.compile(r"禁止公开|其他法律|法规禁止|行政法规")),
    ("denied.three_safeties", re.compile(r"三安全|一稳定|安全一稳")),
    ("denied.third_party", re.compile(r"第三方|方合法权益")),
    ("denied.internal", re.compile(r"内部事务")),
    ("denied.process", re.compile(r"过程性")),
    ("denied.enforcement_file", re.compile(r"执法案卷|执法案")),
    ("denied.inquiry", re.compile(r"行政查询|查询事项")),
    ("unavailable.not_held", re.compile(r"不掌握|掌握相关")),
    ("unavailable.needs_creation", re.compile(r"另行制作|没有现成")),
    ("unavailable.unclear", re.compile(r"仍不明确|补正后")),
    ("unprocessed.petition", re.compile(r"信访|举报投诉")),
    ("unprocessed.repeat", re.compile(r"重复申请")),
    ("unprocessed.publication", re.compile(r"出版物")),
    ("unprocessed.excessive", re.compile(r"大量反复")),
    ("unprocessed.confirmation", re.compile(r"确认或重新|重新出具|已获取信息|出具已获取")),
    ("other", re.compile(r"其他处理")),
    ("other.no_correction", re.compile(r"逾期不补|不补正")),
    ("other.unpaid_fee", re.compile(r"收费通知|缴纳费用|逾期未按")),
    (
        "other.other",
        re.compile(r"(?:^|[^\d])(?:3\s*[.、．]|[（(]\s*3\s*[)）][.、．]?)\s*其他(?!处理)"),
    ),
    ("total", re.compile(r"七[)）、.．]*总计|^总计")),
    ("carried_forward", re.compile(r"下年度?(?:继续)?办理|结转下年|转结下年")),
)
T3_ROW_ORDER: dict[str, int] = {key: index for index, (key, _) in enumerate(T3_ROW_PATTERNS)}

T3_HEADER = re.compile(r"自然人|商业企业|科研机构|社会公益|法律服务|法人或其他组织|申请人情况")
T3_COLUMN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("natural", re.compile(r"^自然人$")),
    ("commercial", re.compile(r"^商业企业$")),
    ("research", re.compile(r"^科研机构$")),
    ("social_welfare", re.compile(r"^社会公益组织$")),
    ("legal_service", re.compile(r"^法律服务机构$")),
    ("other_org", re.compile(r"^其他$")),
    ("total", re.compile(r"^总计$")),
)

T2_START = re.compile(r"第二十条第.{1,5}项|^信息内容")
T3_START = re.compile(r"申请人情况|勾稽关系|自然人|新收.*申请")
T4_START = re.compile(r"行政复议")
TABLES_END = re.compile(r"^五[、.．]|存在的主要问题|存在的问题|改进情况")
AFTER_TABLES = re.compile(r"存在的主要问题|存在的问题|其他需要报告")


T2_ROW_NAMES: dict[str, str] = {
    "regulations": "规章",
    "normative": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
T3_ROW_NAMES: dict[str, str] = {
    "new": "本年新收政府信息公开申请数量",
    "carried_over": "上年结转政府信息公开申请数量",
    "granted": "予以公开",
    "partial": "部分公开区分处理的只计这一情形不计其他情形",
    "denied.state_secret": "属于国家秘密",
    "denied.prohibited": "其他法律行政法规禁止公开",
    "denied.three_safeties": "危及三安全一稳定",
    "denied.third_party": "保护第三方合法权益",
    "denied.internal": "属于三类内部事务信息",
    "denied.process": "属于四类过程性信息",
    "denied.enforcement_file": "属于行政执法案卷",
    "denied.inquiry": "属于行政查询事项",
    "unavailable.not_held": "本机关不掌握相关政府信息",
    "unavailable.needs_creation": "没有现成信息需要另行制作",
    "unavailable.unclear": "补正后申请内容仍不明确",
    "unprocessed.petition": "信访举报投诉类申请",
    "unprocessed.repeat": "重复申请",
    "unprocessed.publication": "要求提供公开出版物",
    "unprocessed.excessive": "无正当理由大量反复申请",
    "unprocessed.confirmation": "要求行政机关确认或重新出具已获取信息",
    "other": "其他处理",
    "other.no_correction": "申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请",
    "other.unpaid_fee": "申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请",
    "total": "总计",
    "carried_forward": "结转下年度继续办理",
}
"""The standard row labels (numbering and punctuation left out), for labels misread by
OCR that no pattern matches (:func:`closest_row`)."""

_NOT_WORDS = re.compile(r"[^\u4e00-\u9fff]")


def closest_row(label: str, names: dict[str, str], least: float = 0.75) -> str | None:
    """The row whose standard label ``label`` holds best — a label read by OCR with a
    character or two wrong (``其他对外答理服务事项``) — when at least ``least`` of that
    label's characters are found in order, and no other row comes as close. Labels of
    fewer than five characters are left to the patterns."""
    from difflib import SequenceMatcher

    words = _NOT_WORDS.sub("", label)
    if len(words) < 3:
        return None
    scored: list[tuple[float, str]] = []
    for key, name in names.items():
        if len(name) < 5:
            continue
        blocks = SequenceMatcher(None, words, name, autojunk=False).get_matching_blocks()
        scored.append((sum(block.size for block in blocks) / len(name), key))
    scored.sort(reverse=True)
    best, key = scored[0]
    if best < least or (len(scored) > 1 and scored[1][0] > best - 0.15):
        return None
    return key


def match_t2_row(label: str) -> str | None:
    for key, pattern in T2_ROW_PATTERNS:
        if pattern.search(label):
            return key
    return None


def match_t2_column(label: str) -> str | None:
    for key, pattern in T2_COLUMN_PATTERNS:
        if pattern.search(label):
            return key
    return None


def match_t3_rows(label: str) -> list[str]:
    """Every table 三 row whose words occur in ``label``, in table order."""
    return [key for key, pattern in T3_ROW_PATTERNS if pattern.search(label)]


def match_t3_column(label: str) -> str | None:
    for key, pattern in T3_COLUMN_PATTERNS:
        if pattern.match(label):
            return key
    return None


def match_t4_group(label: str) -> str | None:
    """The group of table 四 a row label names (one row per group)."""
    if re.search(r"复议后(?:起诉)?", label):
        return "suit_after_review"
    if re.search(r"直接起诉|未经复议", label):
        return "suit_direct"
    if "行政复议" in label and "诉讼" not in label:
        return "review"
    return None


_T2_COLUMNS_ANY = re.compile("|".join(MARKERS_2019 + MARKERS_2021))
_T4_HEADER = re.compile(r"行政复议.*(?:维持|纠正)|(?:维持|纠正).*行政复议|行政诉讼.*(?:维持|纠正)")


def looks_like_report_table(text: str) -> bool:
    """Whether a table's text (whitespace removed) is, or is a piece of, one of the three
    statistical tables: its standard column labels or several of its standard row labels.
    Used to read such tables wherever a page puts them."""
    if T2_START.search(text) and ("信息内容" in text or _T2_COLUMNS_ANY.search(text)):
        return True
    if _T2_COLUMNS_ANY.search(text):
        return True
    if "自然人" in text and ("商业企业" in text or "法人或其他组织" in text):
        return True
    if len(match_t3_rows(text)) >= 3 and re.search(r"\d", text):
        return True
    if _T4_HEADER.search(text) and ("尚未审结" in text or "总计" in text):
        return True
    t2_rows = sum(1 for _, pattern in T2_ROW_PATTERNS if pattern.search(text))
    return t2_rows >= 3 and bool(re.search(r"\d", text))
