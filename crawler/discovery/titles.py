"""Recognise annual-report titles (政府信息公开工作年度报告) and rank links that may lead to them.

`classify_title` says whether a title (a page title, an anchor text, a file name) names an
agency's information-disclosure annual report, and for which year and agency; look-alikes
(the notice asking for the reports, the 指南, 要点, 格式, budgets, 政府工作报告, 统计公报,
企业年报, 解读 …) give None.

`link_score` ranks links by how likely they lead to reports, for the crawler's priorities.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = ["TitleMatch", "classify_title", "link_score", "normalise_title"]

FIRST_YEAR = 2007  # the 2008 条例 took effect in 2008; allow 2007 for early reports


@dataclass(frozen=True)
class TitleMatch:
    year: int
    agency: str | None
    kind: str  # "report" | "announcement" (关于…年度报告的公告/公示)


_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3",
              "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}  # fmt: skip
_CN_YEAR = re.compile(r"[二一][〇○零ＯO一二三四五六七八九]{3}(?=年)")
_FILE_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd|zip|rar|html?|shtml)$", re.I)
_PREFIX = re.compile(
    r"^(附件\d*[:：]?|【[^】]{0,8}】|\[[^\]]{0,8}\]|（[^）]{0,8}）\s*(?=\d|[二一]))"
)

# the report itself: 政府信息公开(工作)(情况)年度报告 / 年报, or 年度…政府信息公开工作(情况)(的)报告
_CORE = re.compile(
    r"(?:政府)?信息公开(?:工作)?(?:情况)?(?:的)?(?:年度报告|年报)"
    r"|年度(?:的)?(?:政府)?信息公开工作(?:情况)?的?报告"
    r"|政府信息公开工作的年度报告"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年度?|年)")
_YEAR_PAREN = re.compile(r"[（(]((?:19|20)\d{2})(?:年度?)?[）)]")

# words that make a title about the reports rather than a report
_NOT_REPORT = re.compile(
    r"通知|通报|通告|解读|图解|一图|读懂|格式|模板|样本|范本|培训|编制|报送|要求|发布情况|检查|评估|考核"
    r"|时间表|制度|指南|办法|征求|意见|汇报|总结|学习|体会|召开|举办|上半年|季度|月报|透明度|统计表以外"
    r"|工作要点|目录|申请表|查询|栏目|公开指南|整改|抽查"
)
_ANNOUNCE = re.compile(r"^(.*?)关于(?:公布|发布|公开|印发)?")
_AGENCY_TRIM = re.compile(r"^(?:关于(?:公布|发布|公开)?|《)+|(?:关于|的|《|》|:|\s)+$")


def normalise_title(title: str) -> str:
    """NFKC (fullwidth digits and brackets), no spaces, no file extension or list prefixes."""
    text = unicodedata.normalize("NFKC", title)
    text = re.sub(r"\s+", "", text)
    text = _FILE_EXT.sub("", text)
    text = _PREFIX.sub("", text)
    text = _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS.get(c, c) for c in m.group(0)), text)
    return text.replace("《", "").replace("》", "")


def _year(text: str, core_start: int) -> tuple[int, int, int] | None:
    """(year, start, end) of the report year: the last year before the core phrase, else one
    in brackets after it."""
    before = [m for m in _YEAR.finditer(text) if m.start() < core_start]
    if before:
        m = before[-1]
        return int(m.group(1)), m.start(), m.end()
    after = _YEAR_PAREN.search(text, core_start) or _YEAR.search(text, core_start)
    if after:
        return int(after.group(1)), after.start(), after.end()
    return None


def _agency(text: str, year_start: int, year_end: int, core_start: int) -> str | None:
    head = text[:year_start] if year_start < core_start else text[:core_start]
    head = _AGENCY_TRIM.sub("", head)
    if year_start < core_start and not head:
        # 2020年度宁海县政府信息公开… : the agency sits between the year and the core phrase
        head = _AGENCY_TRIM.sub("", text[year_end:core_start])
    if not head:
        return None
    announce = _ANNOUNCE.match(head)
    if announce and announce.group(1):
        head = announce.group(1)
    head = _AGENCY_TRIM.sub("", head)
    if head.endswith("政府") and not head.endswith("人民政府"):
        head = head[:-2] or head  # 宁海县政府信息公开…: the 政府 belongs to the core phrase
    return head or None


def classify_title(title: str) -> TitleMatch | None:
    """The report year, agency and kind named by `title`, or None for anything else."""
    if not title or not title.strip():
        return None
    text = normalise_title(title)
    core = _CORE.search(text)
    if core is None:
        return None
    tail = text[core.end() :]
    announcement = bool(re.search(r"的?(?:公告|公示)$", tail))
    if _NOT_REPORT.search(text):
        return None
    # anything long after the core phrase other than a year, 公告, 更正/修订 marks, or a
    # 统计表 note is a different document (…年度报告编制要求, …年度报告评估报告)
    rest = re.sub(r"[（(][^）)]*[）)]|的?(?:公告|公示)$", "", tail)
    if len(rest) > 2:
        return None
    found = _year(text, core.start())
    if found is None:
        return None
    year, year_start, year_end = found
    if not FIRST_YEAR <= year <= date.today().year + 1:
        return None
    agency = _agency(text, year_start, year_end, core.start())
    if agency is not None and re.fullmatch(r"[\d年度]*", agency):
        agency = None
    return TitleMatch(year=year, agency=agency, kind="announcement" if announcement else "report")


# ---------------------------------------------------------------------- link ranking

_ANCHOR_WEIGHTS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"信息公开年报|公开年报|年度报告|年报"), 0.45),
    (re.compile(r"政府信息公开|信息公开"), 0.3),
    (re.compile(r"法定主动公开内容|主动公开"), 0.25),
    (re.compile(r"政务公开|公开目录|公开专栏"), 0.15),
)
_URL_WEIGHTS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"zfxxgknb|xxgknb|gknb|ndbg|nianbao|ndbaogao|年报", re.I), 0.45),
    (re.compile(r"zfxxgk|xxgk|zwgk|gkml", re.I), 0.2),
)
_TRAP_URL = re.compile(
    r"[?&](print|printpage|share)=|calendar|rili|[?&](date|ym|month)=\d|/search|"
    r"login|javascript:|mailto:",
    re.I,
)
_NOISE_ANCHOR = re.compile(r"日历|打印|分享|登录|注册|无障碍|English|繁體|关闭窗口|返回顶部")
_LOOKALIKE_ANCHOR = re.compile(r"通知|指南|要点|预算|决算|政府工作报告|统计公报|解读|格式")


def link_score(url: str, anchor_text: str) -> float:
    """How likely following the link leads to annual reports: 0.0 (never) … 1.0 (a report).

    Print views, calendars and searches score 0. Session ids (`;jsessionid=`) do not lower
    the score: canonicalising such URLs is the crawler's job, and reports hide behind them.
    """
    text = normalise_title(anchor_text or "")
    if _TRAP_URL.search(url or "") or _NOISE_ANCHOR.search(text):
        return 0.0
    if classify_title(text) is not None:
        return 1.0
    score = 0.0
    for pattern, weight in _ANCHOR_WEIGHTS:
        if pattern.search(text):
            score += weight
    for pattern, weight in _URL_WEIGHTS:
        if pattern.search(url or ""):
            score += weight
    if _LOOKALIKE_ANCHOR.search(text):
        score *= 0.3
    return round(min(score, 0.95), 3)
