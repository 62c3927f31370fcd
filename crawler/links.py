"""URL canonicalisation, trap recognition and link classification for the crawler."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

ATTACHMENT_EXTENSIONS: frozenset[str] = frozenset(
    {"pdf", "doc", "docx", "wps", "et", "xls", "xlsx", "ofd", "zip", "rar", "7z"}
)
"""File types a report may be published as or attached in."""

IGNORED_EXTENSIONS: frozenset[str] = frozenset(
    {
        "jpg",
        "jpeg",
        "png",
        "gif",
        "bmp",
        "svg",
        "webp",
        "ico",
        "css",
        "js",
        "mp3",
        "mp4",
        "avi",
        "flv",
        "wmv",
        "mov",
        "swf",
        "exe",
        "apk",
        "dmg",
        "ppt",
        "pptx",
        "txt",
        "xml",
        "rss",
    }
)
"""Extensions that never lead to a report."""

SESSION_PARAMS: frozenset[str] = frozenset(
    {
        "jsessionid",
        "phpsessid",
        "sid",
        "sessionid",
        "session_id",
        "aspsessionid",
        "_t",
        "timestamp",
        "rnd",
        "random",
        "_",
    }
)
"""Query parameters that identify a session or bust a cache, never a resource."""

VIEW_PARAMS: frozenset[str] = frozenset(
    {
        "print",
        "printpage",
        "share",
        "view",
        "viewmode",
        "from",
        "spm",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "fontsize",
        "font",
        "theme",
        "skin",
        "lang_switch",
        "order",
        "orderby",
        "order_by",
        "sort",
        "sortby",
        "sort_by",
        "sortfield",
        "sorttype",
        "sortorder",
    }
)
"""Query parameters that change how a page is shown (its order, its look) or where it was
shared, not what it holds."""

_SEARCH_PARAMS: frozenset[str] = frozenset(
    {
        "q",
        "query",
        "keyword",
        "keywords",
        "searchword",
        "kw",
        "wd",
        "searchkey",
        "sword",
        "qt",
    }
)
_SESSION_PATH = re.compile(r";(jsessionid|sessionid|sid)=[^/?#]*", re.IGNORECASE)
_PRINT_VIEW = re.compile(
    r"(^|[/_.?&=-])(print|printable|printview|print_view|dayin)([/_.?&=-]|$)", re.IGNORECASE
)
_CALENDAR_PATH = re.compile(r"(^|/)(calendar|rili|日历)(/|$|\.)", re.IGNORECASE)
_CALENDAR_PARAMS: frozenset[str] = frozenset(
    {"date", "day", "month", "ym", "yearmonth", "calendar", "caldate", "rq"}
)
_DOWNLOAD_ENDPOINT = re.compile(
    r"(download|downfile|downloadfile|getfile|fileget|attachment|attach|filedown|"
    r"showfile|openfile|file\.do|downLoad)",
    re.IGNORECASE,
)
_FILE_NAME_IN_TEXT = re.compile(r"\.(pdf|docx?|wps|et|xlsx?|ofd|zip|rar)\s*$|^附件", re.IGNORECASE)
_REPEATED_SEGMENTS = re.compile(r"((?:/[^/]+){1,3})\1{2,}")


_AMBIGUOUS_SESSION_PARAMS = frozenset({"sid"})
"""Names that are a session id on some sites and a site id on others (gkmlpt `sid=662021`)."""


def _is_session_param(name: str, value: str) -> bool:
    name = name.lower()
    if name not in SESSION_PARAMS:
        return False
    if name in _AMBIGUOUS_SESSION_PARAMS:
        return len(value) >= 16  # a session token, not a short site or column id
    return True


def canonical_url(url: str) -> str:
    """The crawler's key for a URL: scheme and host lower-cased, fragment and session or
    cache-busting parameters dropped, query sorted, default ports removed."""
    url = safe_url_string(url.strip())
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    path = _SESSION_PATH.sub("", parts.path) or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_session_param(k, v)
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def dedup_key(url: str) -> str:
    """The key under which a crawl visits a URL once: its canonical form without the
    scheme (sites serve the same page over http and https) and without a leading `www.`
    (host aliases), print/share/view parameters dropped."""
    canonical = canonical_url(url)
    parts = urlsplit(canonical)
    host = parts.netloc.removeprefix("www.")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in VIEW_PARAMS
    ]
    return host + (parts.path or "/") + ("?" + urlencode(query) if query else "")


_DIGIT_RUN = re.compile(r"\d+")


def novelty_pattern(url: str) -> str:
    """The shape of a URL for trap detection: host, path with digit runs generalised,
    and the names (not values) of its query parameters."""
    parts = urlsplit(dedup_key(url) if "://" in url else "http://" + url)
    keys = sorted({k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{parts.netloc}{_DIGIT_RUN.sub('#', parts.path)}?{'&'.join(keys)}"


def url_extension(url: str) -> str:
    """The lower-case extension of the URL's last path segment ('' when none)."""
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    if "." not in last:
        return ""
    return last.rsplit(".", 1)[-1].lower()


def trap_reason(url: str) -> str | None:
    """Why following this URL would waste the crawl (calendar, print view, path loop), or
    None when it looks like an ordinary page."""
    parts = urlsplit(url)
    if _PRINT_VIEW.search(parts.path) or _PRINT_VIEW.search("?" + parts.query):
        return "print-view"
    if _CALENDAR_PATH.search(parts.path):
        return "calendar"
    keys = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if keys & _CALENDAR_PARAMS:
        return "calendar"
    if any(
        k.lower() in _SEARCH_PARAMS and v.strip()
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ):
        return "search"  # free-text queries: an unbounded URL space
    if _REPEATED_SEGMENTS.search(parts.path):
        return "path-loop"
    if len(url) > 600:
        return "overlong-url"
    return None


def is_attachment_link(url: str, anchor_text: str = "") -> bool:
    """Whether a link points at a file (by extension, a download endpoint, or an anchor
    text that names a file)."""
    ext = url_extension(url)
    if ext in ATTACHMENT_EXTENSIONS:
        return True
    if ext in IGNORED_EXTENSIONS:
        return False
    if _DOWNLOAD_ENDPOINT.search(urlsplit(url).path + "?" + urlsplit(url).query):
        return True
    return bool(_FILE_NAME_IN_TEXT.search(anchor_text.strip()))


def is_ignored_link(url: str) -> bool:
    """Links that never lead to reports: images, scripts, media, mail, javascript."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        return True
    return url_extension(url) in IGNORED_EXTENSIONS


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def host_port_of(url: str) -> str:
    """host[:port] as written in a registry's `hosts` list."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def is_private_address(host: str) -> bool:
    """Whether host is an IP literal in a loopback, private, link-local or reserved range
    (or the name localhost)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
        or address.is_multicast
    )
