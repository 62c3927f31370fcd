"""What every sample site shares: the builder interface and page helpers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote

from sampleweb.model import (
    FURNITURE_MARK,
    Attachment,
    Change,
    Resource,
    SiteContent,
)
from sampleweb.render import sniff_media_type

STATES = ("before", "after")


@dataclass(frozen=True)
class AgencyEntry:
    """A registry agency (see ../shared/spec/registry.md)."""

    id: str
    name: str
    level: str
    kind: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    division_code: str | None = None


@dataclass(frozen=True)
class SiteEntry:
    id: str
    agency: str
    start_urls: tuple[str, ...]
    render: str = "auto"


@dataclass
class RegistryPart:
    agencies: list[AgencyEntry] = field(default_factory=list)
    sites: list[SiteEntry] = field(default_factory=list)


def at(day: str, hour: int = 9) -> datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, hour, 0, tzinfo=UTC)


def check_state(state: str) -> str:
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}: expected one of {STATES}")
    return state


class SiteBuilder(ABC):
    """Builds what one site serves in a state, with the ground truth for that state."""

    id: str
    title: str
    server_name: str = "nginx"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def url(self, path: str) -> str:
        return self.base_url + path

    @abstractmethod
    def build(self, state: str) -> SiteContent: ...

    @abstractmethod
    def registry(self) -> RegistryPart: ...

    def changes(self) -> list[Change]:
        """The before → after differences on this site."""
        return []


def html_document(
    title: str,
    body: str,
    *,
    meta_charset: str | None = "utf-8",
    furniture: bool = True,
    head_extra: str = "",
) -> str:
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    mark = FURNITURE_MARK.decode() if furniture else ""
    return (
        f"<!DOCTYPE html>\n<html><head>{meta}<title>{escape(title)}</title>{head_extra}</head>\n"
        f'<body><div class="header">{escape(title)}</div>\n{body}\n'
        f'<div class="footer">{mark}<p>主办单位：本站 技术支持：大汉网络</p></div></body></html>\n'
    )


def html_resource(
    doc: str,
    *,
    encoding: str = "utf-8",
    header_charset: bool = True,
    modified: datetime | None = None,
    furniture: bool = True,
) -> Resource:
    content_type = f"text/html; charset={encoding}" if header_charset else "text/html"
    return Resource(
        body=doc.encode(encoding, "xmlcharrefreplace"),
        content_type=content_type,
        last_modified=modified or datetime(2021, 1, 7, 9, tzinfo=UTC),
        furniture=furniture,
    )


def attachment_resource(
    data: bytes,
    *,
    content_type: str = "application/octet-stream",
    filename: str | None = None,
    disposition: str = "plain",
    modified: datetime | None = None,
) -> Resource:
    """An attachment; `disposition` is plain | gbk | rfc5987 | none."""
    headers: dict[str, str] = {}
    if filename and disposition == "gbk":
        # raw GBK bytes in the header, as many JSP download endpoints send them
        headers["Content-Disposition"] = (
            'attachment; filename="' + filename.encode("gbk").decode("latin-1") + '"'
        )
    elif filename and disposition == "rfc5987":
        headers["Content-Disposition"] = (
            f"attachment; filename=\"report\"; filename*=UTF-8''{quote(filename)}"
        )
    elif filename and disposition == "plain":
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Resource(
        body=data,
        content_type=content_type,
        headers=headers,
        last_modified=modified or datetime(2021, 1, 7, 9, tzinfo=UTC),
    )


def attachment_truth(url: str, data: bytes, filename: str) -> Attachment:
    return Attachment(url=url, media_type=sniff_media_type(data), filename=filename)
