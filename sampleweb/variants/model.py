"""Ground truth of a generated web: what a perfect crawler finds, fetches and leaves alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Family(StrEnum):
    """Platform families of the field guide (../shared/field-guide/cms-variants.md)."""

    HANWEB = "hanweb"  # Hanweb JCMS classic (§1.1)
    JPAAS = "jpaas"  # Hanweb jpaas (§1.2)
    TRS = "trs"  # TRS WCM static publishing (§1.3)
    TRS_SEARCH = "trs-search"  # TRS search back-ends behind a shell (§1.3)
    GKMLPT = "gkmlpt"  # Guangdong 公开目录平台 (§1.4)
    LABEL = "label"  # Anhui-style label engine (§1.5)
    ASPNET = "aspnet"  # ASP.NET WebForms (§1.7)
    LEGACY = "legacy"  # 2010s ASP/JSP county sites (§1.5, §1.7, §3)
    PORTAL = "portal"  # province portal with traps (§6)
    WAF = "waf"  # a city behind an anti-bot layer (§5)
    FLAKY = "flaky"  # a site that fails intermittently
    COUNTY = "county"  # a county site hosting its townships and departments (§2.2)


class Role(StrEnum):
    PAGE = "page"  # an HTML page whose body is the report
    ATTACHMENT = "attachment"  # a file (pdf, doc, …) holding the report


class StepKind(StrEnum):
    ROBOTS = "robots"
    NAV = "nav"  # a page on the way to the report column
    LISTING = "listing"  # a page of a server-rendered list
    SHELL = "shell"  # a page whose list is filled by script
    SCRIPT = "script"  # a script file a shell needs (it holds the list API)
    API = "api"  # a list API answer (JSON, JSONP, XML, an HTML fragment, a postback)
    CHALLENGE = "challenge"  # an anti-bot challenge answer
    REDIRECT = "redirect"  # a download endpoint that redirects to the file
    REPORT = "report"  # a report document (page or attachment)


class Lookalike(StrEnum):
    """Titles that resemble a report and are not one (guide §2.3)."""

    WEBSITE_FORM = "website-form"  # 政府网站工作年度报表
    HOUSING_FUND = "housing-fund"  # 住房公积金年度报告
    COMPANY = "company"  # 企业年度报告
    UNIVERSITY = "university"  # 高校信息公开年度报告
    GUIDE = "guide"  # 政府信息公开指南
    NOTICE = "notice"  # 关于做好…年度报告…的通知
    INTERPRETATION = "interpretation"  # 解读 / 图解
    WORK_REPORT = "work-report"  # 政府工作报告
    RULE_OF_LAW = "rule-of-law"  # 法治政府建设年度报告
    BUDGET = "budget"  # 部门预算/决算
    KEY_POINTS = "key-points"  # 政务公开工作要点
    TEMPLATE = "template"  # 年度报告格式
    STATISTICS = "statistics"  # 统计公报


class NotExpected(StrEnum):
    ROBOTS = "robots"  # robots.txt forbids it: a polite crawler never fetches it


class TrapKind(StrEnum):
    CLAMPED_PAGES = "clamped-pages"  # pages past the end repeat the last page
    ENDLESS_EMPTY = "endless-empty"  # pages past the end answer 200 with an empty list
    SESSION_ID = "session-id"  # ;jsessionid= / ?sid= variants of every link
    PRINT_VIEW = "print-view"
    SHARE_LINK = "share-link"
    CALENDAR = "calendar"  # date pages linking to the next/previous date forever
    SEARCH = "search"  # site search: any keyword, sort order and page
    MOBILE_MIRROR = "mobile-mirror"  # m./wap. host serving the same documents
    HOST_ALIAS = "host-alias"  # a second host name of the same site
    CACHE_BUSTER = "cache-buster"  # script-added `_=timestamp` parameters
    SORT_VARIANTS = "sort-variants"  # the same list under every sort order


@dataclass(frozen=True)
class Doc:
    """One document of a report: where its content is served (canonical), and the other
    URLs that lead to the same content (a download endpoint that redirects to it, a mirror
    host, a session-id variant)."""

    url: str
    role: Role
    media_type: str  # what the bytes are (sniffed), not what the server claims
    filename: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def urls(self) -> tuple[str, ...]:
        return (self.url, *self.aliases)


@dataclass(frozen=True)
class Report:
    site: str
    agency: str  # the agency the title (or the issuer) names: registry name when registered
    agency_id: str | None  # its registry id; None when the registry does not have it
    registered: bool
    year: int
    title: str
    published: str  # YYYY-MM-DD as the page or list shows it
    documents: tuple[Doc, ...]  # what a polite crawler can archive
    expected: bool = True
    reason: NotExpected | None = None
    withheld: tuple[Doc, ...] = ()  # documents robots.txt forbids
    note: str = ""  # how it is placed (e.g. "another agency's report in the city's list")

    @property
    def urls(self) -> list[str]:
        return [d.url for d in self.documents]


@dataclass(frozen=True)
class Decoy:
    """A look-alike: must not be archived as a report."""

    site: str
    kind: Lookalike
    title: str
    url: str  # the page (or file) the title links to
    files: tuple[str, ...] = ()  # its attachments, also not reports


@dataclass(frozen=True)
class Step:
    """One request of the shortest path a perfect crawler takes through a site.

    `reveals`: strings the (decoded) response must contain — the links, tokens or ids that
    lead to the next steps, as written in the response. The oracle test follows the steps
    with plain HTTP and checks every one.
    """

    method: str
    url: str
    kind: StepKind
    status: int = 200
    media: str = "text/html"  # expected media type prefix of the answer
    encoding: str | None = "utf-8"  # how the body decodes (None: binary)
    body: bytes = b""  # form body of a POST
    headers: tuple[tuple[str, str], ...] = ()  # what a browser sends (Referer, XHR, form)
    reveals: tuple[str, ...] = ()
    doc: str | None = None  # the Doc.url this step fetches (REPORT steps)
    location: str | None = None  # where a redirect points
    challenge: str | None = None  # the challenge kind this step answers with

    @property
    def key(self) -> str:
        return f"{self.method} {self.url}"


@dataclass(frozen=True)
class Trap:
    site: str
    kind: TrapKind
    example: str  # a URL inside the trap
    note: str = ""


@dataclass
class SiteTruth:
    site: str
    family: Family
    dialect: dict[str, str]
    owner: str  # registry agency id of the site's owner
    base_url: str
    start_urls: list[str]
    hosts: dict[str, str] = field(default_factory=dict)  # role (main, oss, m, alias) -> base URL
    reports: list[Report] = field(default_factory=list)
    decoys: list[Decoy] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    traps: list[Trap] = field(default_factory=list)
    challenge: str | None = None  # ruishu | jsl | None: the cookie challenge in front
    burst_limit: int | None = None  # more requests than this per second get blank pages
    flaky: bool = False  # some first attempts fail (5xx, stall, reset): retry

    @property
    def expected_reports(self) -> list[Report]:
        return [r for r in self.reports if r.expected]

    @property
    def min_fetches(self) -> list[str]:
        return [s.key for s in self.steps]

    @property
    def expected_documents(self) -> list[Doc]:
        return [d for r in self.expected_reports for d in r.documents]


@dataclass
class WebTruth:
    seed: int
    state: str
    sites: list[SiteTruth]

    @property
    def reports(self) -> list[Report]:
        return [r for s in self.sites for r in s.reports]

    @property
    def expected_reports(self) -> list[Report]:
        return [r for r in self.reports if r.expected]

    @property
    def robots_forbidden(self) -> list[Report]:
        """Reports robots.txt forbids entirely."""
        return [r for r in self.reports if r.reason == NotExpected.ROBOTS]

    @property
    def withheld_documents(self) -> list[Doc]:
        """Every document robots.txt forbids (not expected; fetching one is a violation)."""
        return [d for r in self.reports for d in r.withheld]

    @property
    def decoys(self) -> list[Decoy]:
        return [d for s in self.sites for d in s.decoys]

    @property
    def min_fetches(self) -> list[str]:
        return [k for s in self.sites for k in s.min_fetches]

    @property
    def traps(self) -> list[Trap]:
        return [t for s in self.sites for t in s.traps]

    def site(self, site_id: str) -> SiteTruth:
        for s in self.sites:
            if s.site == site_id:
                return s
        raise KeyError(site_id)
