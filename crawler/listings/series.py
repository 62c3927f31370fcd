"""How the pages of one listing are named, and which listing a URL belongs to.

A listing's pages differ from its first page in one place only: a page parameter in the
query (`?page=3`, `curPage=3`, `offset=30`, …) or a numeric suffix of the file name
(`index_2.html`, 0-based in TRS where `index_1` is page 2, 1-based elsewhere). Everything
else — other parameters, the folder, the file stem — names *another* listing. Session ids
(`;jsessionid=`, `sid=`) and cache busters vary between pages of one listing and are
ignored when comparing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Parameter names that carry a page (compared lower-case).
PAGE_PARAMS = frozenset(
    {
        "page",
        "pageno",
        "page_no",
        "pagenum",
        "page_num",
        "pagenumber",
        "pageindex",
        "page_index",
        "curpage",
        "cur_page",
        "currpage",
        "currentpage",
        "current_page",
        "cpage",
        "pn",
        "p",
        "pg",
        "offset",
        "start",
        "startrecord",
    }
)
# Parameters counted in records rather than pages.
RECORD_PARAMS = frozenset({"offset", "start", "startrecord"})
# Parameters that vary between requests of one listing without changing it.
VOLATILE_PARAMS = frozenset(
    {"sid", "jsessionid", "phpsessid", "aspsessionid", "_", "t", "r", "rnd", "random", "ts"}
)
_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^?#/]*", re.IGNORECASE)
_NUMBERED = re.compile(r"^(?P<stem>.+?)[_-](?P<n>\d{1,4})\.(?P<ext>[A-Za-z]{2,5})$")
_PLAIN = re.compile(r"^(?P<stem>.+?)\.(?P<ext>[A-Za-z]{2,5})$")
_NUMBER = re.compile(r"^-?\d+(?:\.0+)?$")


def is_page_param(name: str) -> bool:
    lower = name.lower()
    return lower in PAGE_PARAMS or ("page" in lower and "size" not in lower)


def as_int(value: str | None) -> int | None:
    """An integer written as `3`, `3.0` (declared totals are sometimes floats)."""
    if value is None:
        return None
    value = value.strip()
    if not _NUMBER.match(value):
        return None
    return int(float(value))


def strip_session(url: str) -> str:
    return _SESSION.sub("", url)


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def stable_query(url: str) -> dict[str, str]:
    """The query parameters that name the listing (no page, no session, no cache buster)."""
    return {
        k: v for k, v in _query(url) if not is_page_param(k) and k.lower() not in VOLATILE_PARAMS
    }


def split_file(path: str) -> tuple[str, str, int | None, str]:
    """(folder, stem, number suffix or None, extension) of a path; a folder URL is its
    index file."""
    folder, _, name = path.rpartition("/")
    if not name:
        return folder, "index", None, ""
    if m := _NUMBERED.match(name):
        return folder, m["stem"], int(m["n"]), m["ext"].lower()
    if m := _PLAIN.match(name):
        return folder, m["stem"], None, m["ext"].lower()
    return folder, name, None, ""


def listing_key(url: str) -> str:
    """The listing a page URL belongs to: host (scheme ignored), folder, file stem without
    its page suffix, and the query without page, session and cache-buster parameters."""
    parts = urlsplit(strip_session(url))
    folder, stem, _n, _ext = split_file(parts.path)
    query = urlencode(sorted(stable_query(url).items()))
    return f"{parts.netloc.lower()}{folder}/{stem}" + (f"?{query}" if query else "")


def same_host(a: str, b: str) -> bool:
    return urlsplit(a).netloc.lower() == urlsplit(b).netloc.lower()


def same_folder(a: str, b: str) -> bool:
    """Both URLs name files of one folder of one host (pages of one column)."""
    pa, pb = urlsplit(strip_session(a)), urlsplit(strip_session(b))
    return (
        pa.netloc.lower() == pb.netloc.lower() and split_file(pa.path)[0] == split_file(pb.path)[0]
    )


@dataclass(frozen=True)
class QuerySeries:
    """Pages named by one query parameter: value(n) = first + (n - 1) * step."""

    base: str
    """The listing's URL without the page parameter (session ids kept)."""
    param: str
    first: int = 1
    step: int = 1
    page1_has_param: bool = False

    def url(self, n: int) -> str:
        if n == 1 and not self.page1_has_param:
            return self.base
        parts = urlsplit(self.base)
        query = [*_query(self.base), (self.param, str(self.first + (n - 1) * self.step))]
        return urlunsplit(parts._replace(query=urlencode(query)))

    def number(self, url: str) -> int | None:
        """The page a URL of this series shows (1 when the parameter is absent)."""
        values = [v for k, v in _query(url) if k == self.param]
        if not values:
            return 1
        value = as_int(values[0])
        if value is None or self.step == 0 or (value - self.first) % self.step:
            return None
        n = (value - self.first) // self.step + 1
        return n if n >= 1 else None


@dataclass(frozen=True)
class FileSeries:
    """Pages named by a file suffix: page 1 `stem.ext`, page n `stem_{n-1}.ext` (0-based,
    TRS) or `stem_{n}.ext` (1-based), or by the number alone (`bare`)."""

    folder_url: str
    """The folder, ending with a slash."""
    stem: str
    ext: str
    zero_based: bool = True
    bare: bool = False
    """Pages named by their number alone (`2.html`, `3.html`; page 1 is `stem.ext`)."""

    def url(self, n: int) -> str:
        if n == 1:
            return urljoin(self.folder_url, f"{self.stem}.{self.ext}")
        if self.bare:
            return urljoin(self.folder_url, f"{n}.{self.ext}")
        suffix = n - 1 if self.zero_based else n
        return urljoin(self.folder_url, f"{self.stem}_{suffix}.{self.ext}")

    def number(self, url: str) -> int | None:
        """The page a URL of this series shows, None when it is not of the series."""
        path = urlsplit(strip_session(url)).path
        folder, _, name = path.rpartition("/")
        name = name or "index"
        if folder + "/" != urlsplit(self.folder_url).path:
            return None
        if name in (self.stem, f"{self.stem}.{self.ext}") or name.lower() == "index" == self.stem:
            return 1
        if self.bare:
            m = re.fullmatch(rf"(\d{{1,4}})\.{re.escape(self.ext)}", name)
            return int(m[1]) if m and int(m[1]) >= 1 else None
        m = re.fullmatch(rf"{re.escape(self.stem)}_(\d{{1,4}})\.{re.escape(self.ext)}", name)
        if not m:
            return None
        page = int(m[1]) + 1 if self.zero_based else int(m[1])
        return page if page >= 2 else None


Series = QuerySeries | FileSeries


def query_base(url: str, param: str) -> str:
    """The URL without `param`."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in _query(url) if k != param]
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def file_series_of(
    url: str, zero_based: bool, stem: str | None = None, ext: str | None = None
) -> FileSeries:
    """The file series a static page belongs to (its own stem and extension unless given)."""
    parts = urlsplit(url)
    folder, own_stem, _n, own_ext = split_file(parts.path)
    folder_url = urlunsplit(parts._replace(path=folder + "/", query="", fragment=""))
    return FileSeries(folder_url, stem or own_stem, (ext or own_ext or "html").lower(), zero_based)
