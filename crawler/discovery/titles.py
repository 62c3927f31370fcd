"""Recognise annual-report titles (政府信息公开工作年度报告) and rank links that may lead to them.

`classify_title` says whether a title (a page title, an anchor text, a file name) names an
agency's information-disclosure annual report, and for which year and agency; look-alikes
give None. The rules follow the structure of a title rather than a list of examples:

    [prefix] [issuer 关于 [印发|发布…]《] [agency] year [agency] CORE [tail] [site suffix]

- prefix: 附件N：, 【…】/[…] tags, a leading date or ``（2022年）``; a tag that is itself a
  look-alike (【图解】, 【一图读懂】) makes the title one.
- CORE: (政府|政务)信息公开(工作)(情况)年度报告 / 年报, 政务公开(工作)年度报告, or
  …信息公开工作(情况)(的)报告 right after a year (``2021年度政府信息公开工作报告``); a cut
  listing text ending in …年度报… counts.
- tail: a year (``（2023年）``, ``2021``), notes in brackets (更正版, 修订稿, 全文, 附统计表,
  a date, the agency ``（城厢镇）``), ``的公告/公示`` (kind announcement), a file extension,
  or a site name after a separator (``_宁海县人民政府``); anything else after the core
  (解读, 编制要求, 汇总, 来了 …) makes it a different document.
- look-alikes: notices about the reports (通知/通报/函, except a notice that 印发/发布 the
  report itself), 指南, 解读/图解, drafts (征求意见稿, 送审稿), 工作总结/要点, 政府网站工作
  年度报表, 住房公积金年度报告 and every 年度报告 whose subject is not 政府信息公开 or 政务公开
  (企业, 环境信息, 法治政府 …).
- Not a government body: universities and schools (学年 reports under the 高等学校信息公开
  办法), hospitals, companies and their groups, people's congresses, CPPCC, courts,
  procuratorates and Party organs publish under other rules; their 信息公开年度报告 are not
  reports of this archive (``tests/data/titles.md``).

`link_score` ranks links by how likely they lead to reports, for the crawler's priorities.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from urllib.parse import urlsplit

from registry.names import clean_text

__all__ = [
    "TitleKind",
    "TitleMatch",
    "classify_title",
    "link_score",
    "lookalike_anchor",
    "normalise_title",
]

FIRST_YEAR = 2007  # the 2008 条例 took effect in 2008; allow 2007 for early reports
MAX_TITLE = 200  # characters: longer texts are not titles


class TitleKind(StrEnum):
    REPORT = "report"
    ANNOUNCEMENT = "announcement"
    """关于发布/印发…年度报告的公告/公示/通知: the report published under a cover notice."""


@dataclass(frozen=True)
class TitleMatch:
    year: int
    agency: str | None
    """The agency the title names, as printed (None: the title names none)."""
    kind: str  # a TitleKind


_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "O": "0", "o": "0", "一": "1", "二": "2",
              "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}  # fmt: skip
_CN_YEAR = re.compile(r"[二一2][〇○零ＯOo0-9一二三四五六七八九]{3}(?=年)")
_FILE_EXT = re.compile(
    r"\.(?:pdf|docx?|wps|xlsx?|et|ofd|zip|rar|html?|shtml)(?:\(\d+(?:\.\d+)?[KMG]?B\))?$", re.I
)
_PREFIX = re.compile(
    r"^(附件\d*[:：.、]?|【[^】]{0,8}】|\[[^\]]{0,8}\]|（[^）]{0,8}）\s*(?=\d|[二一]))"
)
_SEPARATORS = "_|｜-—–~"

# a date (not a report year): 2021-01-28, 2021.1.28, 2021/01/28, 2021年1月28日
_DATE = r"(?:19|20)\d{2}(?:[-./]\d{1,2}[-./]\d{1,2}|年\d{1,2}月\d{1,2}日)"
_LEADING_DATE = re.compile(rf"^(?:[(\[〔【]{_DATE}[)\]〕】]|{_DATE})")
_TRAILING_DATE = re.compile(
    rf"(?:[(\[〔【](?:发布(?:时间|日期)?[:：]?)?{_DATE}[)\]〕】]|(?:发布(?:时间|日期)?[:：]?)?{_DATE})$"
)
_LEADING_TAG = re.compile(r"^(?:附件\d*[:：.、]?|[【\[]([^】\]]{0,12})[】\]])")
_LEADING_YEAR = re.compile(r"^[(\[〔【]((?:19|20)\d{2})年?度?[)\]〕】]")
_TRUNCATED = re.compile(r"(?:…+|\.{3,})$")

# the report itself
_CORE = re.compile(
    r"(?:政府|政务)?信息公开(?:和政务公开|暨政务公开)?(?:工作)?(?:情况)?的?(?:年度报告|年报|年度工作报告)"
    r"|政务公开(?:和|暨)?(?:政府信息公开)?(?:工作)?(?:年度报告|年报)"
)
# …信息公开工作(情况)(的)报告: a report of the year written just before it
_CORE_AFTER_YEAR = re.compile(r"(?:政府|政务)?信息公开(?:工作)?(?:情况)?的?报告")
_CORE_CUT = re.compile(r"(?:政府|政务)?信息公开(?:工作)?年度报?$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年度|年)?(?!\d)")
_YEAR_ONLY = re.compile(r"^((?:19|20)\d{2})(?:年度|年)?$")

# words of documents about the reports, or of other documents
_NOT_REPORT = re.compile(
    r"通报|通告|解读|图解|一图|读懂|看懂|数说|图说|视频|动漫|动画|H5|格式|模板|样本|范本|范例"
    r"|提纲|细则|课件|培训|编写|填报|报送|征集|要求|发布情况|检查情况|检查结果|自查|评查|审核"
    r"|考核|评估|评价|绩效|获评|时间表|时间安排|制度|指南|办法|征求|意见稿|送审稿|草稿|讨论稿"
    r"|初稿|草案|汇报|总结|学习|体会|召开|举办|开展|上半年|下半年|季度|月报|\d+-\d+月|透明度|统计表以外"
    r"|工作要点|目录|申请表|查询|栏目|专栏|整改|抽查|汇总|一览|历年|说明|提示|提醒|撤回|学年"
    r"|编制(?!委员会|办公室)"
)
# phrases of agency names that contain such words (机构编制委员会办公室, 边防检查站)
_NAME_MASK = re.compile(r"机构编制委员会|编制委员会办公室|边防检查|检查站|评估中心|考核办")
# publishers that are not government bodies under the 条例
# (institutions only when the name ends with them: 中国银行保险监督管理委员会 is a regulator)
_NOT_GOVERNMENT = re.compile(
    r"(?:大学|(?<!科)学院|学校|中学|小学|幼儿园|医院|卫生院|集团|公司|(?<!人民)银行)$"
    r"|人大常委会|人民代表大会|政协|法院|检察院|中共|党委|党校|县委|市委|区委"
)
# a subject other than government information before a bare 信息公开 (环境信息公开…)
_OTHER_SUBJECT = re.compile(
    r"(?:环境|信用|企业|财务|价格|能源|质量|安全|社会责任|院务|校务|村务|厂务)$"
)
# notes in brackets after the core that leave the report a report
_NOTE = re.compile(
    r"更正|修订|修改|更新|第.版|重新|全文|正文|文字版|文本|PDF|WORD|DOC|WPS|OFD|附.{0,6}表"
    r"|含.{0,6}(?:表|数据)|统计表|统计数据|附件|定稿|终稿|公开版|发布版|\d+(?:\.\d+)?[KMG]?B$",
    re.I,
)
# words after the core that leave the report a report: its tables, a download link, a badge
_TAIL_NOTE = re.compile(
    r"^(?:(?:及|和|含)?(?:数据)?(?:统计)?(?:附表|统计表|表格|附件)"
    r"|点击下载|全文下载|下载|查看全文|阅读全文|在线阅读|查看|详情|new|hot|top|置顶|最新|荐)",
    re.I,
)
_LEADING_MARK = re.compile(r"^[★☆●◆◇■□▲△▶►•·>»※\-—]+")
_SITE_WORDS = re.compile(r"(?:门户网站|门户网|官方网站|官网|网站|网)$")
# a title that reports on the report: 宁海县发布…, 我市…
_NEWS_HEAD = re.compile(r"发布|公布|印发|出炉|推出|我(?:市|县|区|省|镇|乡|局|委|办|州)")
_ANNOUNCE_TAIL = re.compile(r"^》?的?(公告|公示|通知)$")
_ANNOUNCE_HEAD = re.compile(
    r"^(?P<issuer>.*?)关于(?P<verb>印发|发布|公布|公开|转发)?《?(?P<inner>.*)$"
)
_AGENCY_SUFFIX = re.compile(
    r"(?:政府|办公室|办公厅|办事处|委员会|管委会|委|局|厅|署|部|办|中心|站|所|队|院|会|社"
    r"|省|自治区|市|州|盟|县|区|旗|镇|乡|街道|苏木|分局|海关|支行|分行|调查队|兵团)$"
)
# digits in a name (青河20镇) are possible; a year, a long number or a leading number is not
_NOT_A_NAME = re.compile(r"(?:19|20)\d{2}年|\d{6,}|[A-Za-z]\d{3,}|^\d|\d[-./:]|[-./:]\d")
_AGENCY_EDGES = " :：;；,，、.。·|｜_-—–~\"“”'‘’()（）[]【】〔〕《》"


def _cn_year(match: re.Match[str]) -> str:
    return "".join(_CN_DIGITS.get(c, c) for c in match.group(0))


def _prepare(title: str) -> str:
    """Cleaned text, NFKC (fullwidth digits and brackets), no white space, years in
    Chinese numerals as digits."""
    text = clean_text(title, max_length=4 * MAX_TITLE) or ""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    return _CN_YEAR.sub(_cn_year, text)


def normalise_title(title: str) -> str:
    """NFKC (fullwidth digits and brackets), no spaces, no file extension or list prefixes."""
    text = _FILE_EXT.sub("", _prepare(title))
    text = _PREFIX.sub("", text)
    return text.replace("《", "").replace("》", "")


def _valid_year(year: int) -> bool:
    return FIRST_YEAR <= year <= date.today().year + 1


def _agency_name(text: str) -> str | None:
    text = text.strip(_AGENCY_EDGES)
    text = re.sub(r"^(?:关于(?:印发|发布|公布|公开|转发)?)+", "", text).strip(_AGENCY_EDGES)
    text = re.sub(r"(?:关于|的)+$", "", text).strip(_AGENCY_EDGES)
    site = _SITE_WORDS.search(text)
    if site and _AGENCY_SUFFIX.search(text[: site.start()]):
        text = text[: site.start()]  # 宁海县人民政府门户网站-2020年…: the site names its owner
    return text or None


@dataclass
class _Parts:
    text: str
    core_start: int
    core_end: int
    core: str


def _find_core(text: str, truncated: bool) -> _Parts | None:
    core = _CORE.search(text)
    if core is None:
        for after in _CORE_AFTER_YEAR.finditer(text):
            before = text[: after.start()]
            year = re.search(r"((?:19|20)\d{2})(?:年度|年)?$", before)
            if year is None:
                # 2020年宁海县政府信息公开工作报告: an agency between the year and the core
                year = re.search(r"((?:19|20)\d{2})(?:年度|年)(?P<name>[^\d]{2,30})$", before)
                if year is None or not _AGENCY_SUFFIX.search(year.group("name")):
                    continue
            core = after
            break
    if core is None and truncated:
        core = _CORE_CUT.search(text)
    if core is None:
        return None
    return _Parts(text, core.start(), core.end(), core.group(0))


def _tail(tail: str) -> tuple[int | None, str | None, bool, str] | None:
    """(year, agency, announcement, announcement word) read from what follows the core, or
    None when the tail makes the title another document."""
    year: int | None = None
    agency: str | None = None
    while tail:
        if tail[0] == "》":
            tail = tail[1:]
            continue
        if tail[0] in _SEPARATORS:
            rest = tail.lstrip(_SEPARATORS)
            only_year = _YEAR_ONLY.match(rest)
            if only_year and year is None:
                year = int(only_year.group(1))
            # anything else after a separator is the site's name (page <title>s)
            return year, agency, False, ""
        bracket = re.match(r"^[(\[〔【]([^)\]〕】]*)[)\]〕】]", tail)
        if bracket:
            content = bracket.group(1)
            tail = tail[bracket.end() :]
            only_year = _YEAR_ONLY.match(content)
            if only_year:
                year = year or int(only_year.group(1))
            elif re.fullmatch(_DATE + r"|\d{4}-\d{1,2}-\d{1,2}", content) or _NOTE.search(content):
                continue
            elif _AGENCY_SUFFIX.search(content) and not re.search(r"\d", content):
                agency = agency or _agency_name(content)
            continue
        bare = re.match(r"^((?:19|20)\d{2})(?:年度|年)?", tail)
        if bare:
            year = year or int(bare.group(1))
            tail = tail[bare.end() :]
            continue
        note = _TAIL_NOTE.match(tail)
        if note:
            tail = tail[note.end() :]
            continue
        announce = _ANNOUNCE_TAIL.match(tail)
        if announce:
            return year, agency, True, announce.group(1)
        return None
    return year, agency, False, ""


def classify_title(title: str) -> TitleMatch | None:
    """The report year, agency and kind named by `title`, or None for anything else."""
    if not title or not title.strip() or len(title) > 50 * MAX_TITLE:
        return None
    text = _prepare(title)
    if not text or len(text) > MAX_TITLE:
        return None
    # decorations: file extension, dates, list tags, a cut ending
    text = _FILE_EXT.sub("", text)
    year_before: int | None = None
    while True:
        before = text
        text = _TRAILING_DATE.sub("", text)
        text = _LEADING_DATE.sub("", text)
        leading_year = _LEADING_YEAR.match(text)
        if leading_year:
            year_before = int(leading_year.group(1))
            text = text[leading_year.end() :]
        tag = _LEADING_TAG.match(text)
        if tag:
            if tag.group(1) and _NOT_REPORT.search(tag.group(1)):
                return None  # 【图解】, 【一图读懂】
            text = text[tag.end() :]
        text = _LEADING_MARK.sub("", text).lstrip(_SEPARATORS + ":：")
        if text == before:
            break
    truncated = bool(_TRUNCATED.search(text))
    text = _TRUNCATED.sub("", text)

    parts = _find_core(text, truncated)
    if parts is None:
        return None
    head, tail = text[: parts.core_start], text[parts.core_end :]
    read = _tail(tail)
    if read is None:
        return None
    year_after, agency_after, announcement, word = read
    if tail and tail[0] in _SEPARATORS:
        text = text[: parts.core_end]  # without the site's name
    # look-alike words anywhere in the title proper (agency names masked)
    masked = _NAME_MASK.sub("", text)
    if _NOT_REPORT.search(masked):
        return None
    if "通知" in masked and not announcement:
        return None

    issuer = ""
    verb = None
    heading = _ANNOUNCE_HEAD.match(head)
    if heading:
        issuer, verb, head = heading.group("issuer"), heading.group("verb"), heading.group("inner")
    if announcement and word == "通知" and verb not in ("印发", "发布", "公布", "转发"):
        return None
    if heading and verb is None and truncated and not announcement:
        return None  # 关于做好…年度报…: what it is about is cut off
    if "通知" in head or "通知" in issuer or _NEWS_HEAD.search(head):
        return None

    # the year: the last one before the core, else one after it, else a leading （2022年）
    years = list(_YEAR.finditer(head))
    agency: str | None
    if years:
        found = years[-1]
        year = int(found.group(1))
        agency = _agency_name(head[: found.start()]) or _agency_name(head[found.end() :])
    else:
        year_found = year_after or year_before
        if year_found is None:
            return None
        year = year_found
        agency = _agency_name(head)
    if not _valid_year(year):
        return None
    if agency is not None and agency.endswith("人民") and parts.core.startswith("政府"):
        agency += "政府"  # 湖州市人民政府信息公开…: the 政府 belongs to the name
    agency = agency or agency_after or (_agency_name(issuer) if issuer else None)
    if agency is not None:
        if _NOT_A_NAME.search(agency) or len(agency) > 40:
            return None
        if _NOT_GOVERNMENT.search(agency):
            return None
        if not parts.core.startswith(("政府", "政务")) and _OTHER_SUBJECT.search(agency):
            return None
    if not parts.core.startswith(("政府", "政务")) and _OTHER_SUBJECT.search(head):
        return None
    kind = TitleKind.ANNOUNCEMENT if announcement else TitleKind.REPORT
    return TitleMatch(year=year, agency=agency, kind=kind)


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
# a column of another annual report: its subject is not government information (住房公积金
# 年度报告, 法治政府建设年度报告, 政府网站工作年度报表, 国有企业年报, 高校信息公开年报 …)
_OTHER_REPORT = re.compile(r"年度报告|年报|年度报表|报表|公报|工作报告")
_OTHER_REPORT_SUBJECT = re.compile(
    r"公积金|法治|网站|统计|预算|决算|环境|社会责任|信用|院务|校务|村务|厂务|国民经济"
)
# publishers outside the 条例, whatever their report is called (高校信息公开年报)
_OTHER_PUBLISHER = re.compile(r"企业|公司|集团|学年|高校|大学|学院|学校|医院")
_DISCLOSURE = re.compile(r"信息公开|政务公开")


def lookalike_anchor(anchor_text: str) -> bool:
    """A link named like a look-alike (指南, 解读, 决算 …) or like another kind of annual
    report (住房公积金年度报告, 政府网站工作年度报表 …): it does not lead to reports, however
    much it says 年度报告."""
    text = normalise_title(anchor_text or "")
    if _LOOKALIKE_ANCHOR.search(text):
        return True
    if not _OTHER_REPORT.search(text):
        return False
    if _OTHER_PUBLISHER.search(text):
        return True
    # 统计局信息公开年报 is a department's column of reports; 统计公报 is not
    return not _DISCLOSURE.search(text) and bool(_OTHER_REPORT_SUBJECT.search(text))


_CUT_END = re.compile(r"(?:…|\.{2,}|．{2,}|。。)\s*$")
_REPORT_PREFIX = re.compile(r"(?:19|20)\d{2}\s*年|年度|政府信息|信息公开|公开工作")
_NOT_REPORT_PREFIX = re.compile(
    r"^关于|通知|公告|通告|方案|办法|规定|要点|指南|解读|会议|工作总结|公司|集团|大学|学校|医院"
)


def maybe_report_title(text: str) -> bool:
    """A list entry whose visible title was cut short (…) before it could say whether it
    is a report, and whose visible part is the start of a report's title: its page must
    be read to tell (the page's own title decides)."""
    text = normalise_title(text or "")
    if not _CUT_END.search(text) or classify_title(text) is not None:
        return False
    visible = _CUT_END.sub("", text)
    return bool(_REPORT_PREFIX.search(visible)) and not _NOT_REPORT_PREFIX.search(visible)


# a URL says most by its own name; the sections it lives in (/zwgk/zcwj/: 政策文件 under
# 政务公开) say less: every page of a 政务公开 section is not a way to its reports
_ANCESTOR_SHARE = 0.5
DEFAULT_PAGE = re.compile(r"^(?:index|default|list|main)(?:_\d+)?\.\w+$", re.I)


def _url_names(url: str) -> tuple[str, str]:
    """The link's own name (its last path segment, or its folder's when it is the
    folder's default page, with the query) and the names of the folders above it."""
    parts = urlsplit(url)
    segments = [seg for seg in parts.path.split("/") if seg]
    if segments and DEFAULT_PAGE.match(segments[-1]) and len(segments) > 1:
        segments.pop()
    own = (segments[-1] if segments else "") + ("?" + parts.query if parts.query else "")
    return own, "/".join(segments[:-1])


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
    own, ancestors = _url_names(url or "")
    for pattern, weight in _URL_WEIGHTS:
        if pattern.search(own):
            score += weight
        elif pattern.search(ancestors):
            score += weight * _ANCESTOR_SHARE
    if lookalike_anchor(text):
        return round(min(score, 0.95) * 0.15, 3)
    return round(min(score, 0.95), 3)
