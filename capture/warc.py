"""The WARC 1.1 writer: one per process, gzip per record, files rolled by size.

Each kept exchange is a request record and a response record; a response whose payload
is identical to one already archived is written as a ``revisit`` record (profile
identical-payload-digest) that names the original, so it is not stored again.
Payload digests are SHA-256 (``sha256:`` + base32), the same digest the SQL index keeps.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from capture.liveness import alive_since, hostname
from capture.types import FetchedResponse

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
# Hop-by-hop and encoding headers no longer describe the decoded payload we store.
DROPPED_HEADERS = {
    "transfer-encoding",
    "content-encoding",
    "content-length",
    "connection",
    "keep-alive",
}


class WarcWriteError(OSError):
    """The WARC file could not be written (disk full, read-only directory…)."""


@dataclass(frozen=True)
class WriterId:
    """The process that wrote a WARC file, read from the file's name
    (``<prefix>-<UTC time>-<host>-<pid>-<serial>.warc.gz``)."""

    host: str
    """The host name, ``-`` written ``_``."""
    pid: int
    created: float
    """When the file was created (epoch seconds)."""

    def alive(self) -> bool | None:
        """Is the writer still running (None: a file of another host)?"""
        if self.host != _host_in_names():
            return None
        return alive_since(hostname(), self.pid, self.created)


def _host_in_names() -> str:
    return hostname().replace("-", "_")


def writer_of(name: str) -> WriterId | None:
    """Who wrote the WARC file ``name`` (None for a name this writer does not make)."""
    stem = name.removesuffix(".warc.gz")
    parts = stem.rsplit("-", 4)
    if len(parts) != 5:
        return None
    _prefix, stamp, host, pid, _serial = parts
    try:
        created = datetime.strptime(stamp, "%Y%m%d%H%M%S%f").replace(tzinfo=UTC).timestamp()
        return WriterId(host, int(pid), created)
    except ValueError:
        return None


def ensure_writable(directory: Path) -> None:
    """Create the WARC directory if needed; WarcWriteError when it cannot be written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarcWriteError(
            f"cannot create the WARC directory {directory}: {exc.strerror}"
        ) from exc
    if not os.access(directory, os.W_OK):
        raise WarcWriteError(f"the WARC directory {directory} is not writable")


def digest_of_hex(sha256_hex: str) -> str:
    """The WARC form (``sha256:`` + base32) of a hex SHA-256 digest."""
    return "sha256:" + base64.b32encode(bytes.fromhex(sha256_hex)).decode("ascii")


def sha256_digest(data: bytes) -> str:
    """The WARC form of the SHA-256 digest of ``data``."""
    return digest_of_hex(hashlib.sha256(data).hexdigest())


class _Sha256WARCWriter(WARCWriter):  # type: ignore[misc]  # warcio is untyped: WARCWriter is Any
    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


@dataclass(frozen=True)
class WarcLocation:
    file: str
    """The file name, relative to the WARC directory."""
    offset: int
    length: int
    record_id: str


IDENTICAL_PAYLOAD_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
CONTENT_PROFILE = "urn:nianbao:revisit:identical-normalised-content"
"""nianbao's revisit profile: the payload (whose own digest the record carries) differs
from the referred record's only in what normalisation removes — visit counters, clocks,
navigation — so the report's content is the same (``WARC-Nianbao-Content-Digest``). The
HTTP headers are kept; the payload is not stored again."""


RENDERED_CONTENT_TYPE = "text/html; charset=utf-8"
"""Content type of the conversion record holding a browser-rendered DOM."""


@dataclass(frozen=True)
class RevisitOf:
    url: str
    captured_at: datetime
    record_id: str
    capture_id: int | None = None
    profile: str = IDENTICAL_PAYLOAD_PROFILE
    content_sha256: str | None = None


class RollingWarcWriter:
    """Writes records to ``<directory>/<prefix>-<time>-<host>-<pid>-<n>.warc.gz``."""

    def __init__(
        self, directory: str | Path, *, prefix: str = "nianbao", max_bytes: int = DEFAULT_MAX_BYTES
    ):
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._fh: BinaryIO | None = None
        self._name: str | None = None
        self._writer: _Sha256WARCWriter | None = None
        self._broken: BinaryIO | None = None
        self._serial = 0
        ensure_writable(self.directory)

    # -- files ------------------------------------------------------------------------
    def _open_next(self) -> None:
        self._close_current()
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.prefix}-{stamp}-{_host_in_names()}-{os.getpid()}-{self._serial:05d}.warc.gz"
        try:
            # Unbuffered: what write() returned is in the file, and after a failed write
            # no buffered remainder can land later, behind a truncation.
            fh = open(self.directory / name, "xb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise WarcWriteError(f"cannot create {self.directory / name}: {exc.strerror}") from exc
        writer = _Sha256WARCWriter(fh, gzip=True, warc_version="1.1")
        info = writer.create_warcinfo_record(
            name,
            {
                "software": "nianbao (warcio)",
                "format": "WARC File Format 1.1",
                "hostname": socket.gethostname(),
                "description": "China government information-disclosure annual reports archive",
            },
        )
        try:
            writer.write_record(info)
        except OSError as exc:
            # Not even the warcinfo record fits: the new file holds nothing; remove it.
            with contextlib.suppress(OSError):
                fh.close()
            with contextlib.suppress(OSError):
                (self.directory / name).unlink()
            raise WarcWriteError(
                f"cannot write WARC record to {name}: {exc.strerror or exc}"
            ) from exc
        self._fh, self._name, self._writer = fh, name, writer

    def _close_current(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
        self._fh = self._writer = self._name = None

    def close(self) -> None:
        with self._lock:
            self._close_current()

    def salvage(self) -> bool:
        """After a failed write: fsync the records the file holds before the failed one
        (complete, and flushed when written) and close it. True when they are on disk —
        then they may be indexed; False when even that failed."""
        with self._lock:
            broken, self._broken = self._broken, None
            if broken is None:
                return True
            try:
                os.fsync(broken.fileno())
                return True
            except OSError:
                return False
            finally:
                with contextlib.suppress(OSError):
                    broken.close()

    def sync(self) -> None:
        """Fsync the open file (records in files already rolled over were fsynced then)."""
        with self._lock:
            if self._fh is None:
                return
            name = self._name
            try:
                self._fh.flush()
                os.fsync(self._fh.fileno())
            except OSError as exc:
                self._fh = self._writer = self._name = None
                raise WarcWriteError(
                    f"cannot write WARC records to {name}: {exc.strerror}"
                ) from exc

    # -- records ----------------------------------------------------------------------
    def write_exchange(
        self,
        resp: FetchedResponse,
        revisit_of: RevisitOf | None = None,
        *,
        sync: bool = True,
        concurrent_to: str | None = None,
    ) -> WarcLocation:
        """Write the request and the response (or revisit) records; return where the
        response record lies. The data is flushed and fsynced before this returns, unless
        ``sync`` is false: then the caller calls :meth:`sync` once for several records (a
        group commit) before it indexes any of them. ``concurrent_to``: the record id of
        the response this exchange was part of (a page the browser rendered, for the XHR
        answers it received), written as the response record's ``WARC-Concurrent-To``."""
        with self._lock:
            offset: int | None = None
            try:
                if self._fh is None or self._fh.tell() >= self.max_bytes:
                    self._open_next()
                assert self._writer is not None and self._fh is not None and self._name is not None
                response = self._response_record(resp, revisit_of)
                if concurrent_to:
                    response.rec_headers.add_header("WARC-Concurrent-To", concurrent_to)
                request = self._request_record(resp)
                offset = self._fh.tell()
                self._writer.write_record(response)
                length = self._fh.tell() - offset
                if resp.rendered_html:
                    # right after the response: readers find it at offset + length
                    self._writer.write_record(self._rendered_record(resp, response))
                request.rec_headers.add_header(
                    "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
                )
                self._writer.write_record(request)
                self._fh.flush()
                if sync:
                    os.fsync(self._fh.fileno())
            except OSError as exc:
                name = self._name
                # The failed exchange is cut off (truncating frees space, even on a full
                # disk), so the file ends on its last complete record and stays a valid
                # WARC file; the next write starts a new file. The records before the
                # failed one may still be made safe: see salvage(). If even the cut
                # fails, the torn tail is moved aside later (capture.repair).
                if self._fh is not None and offset is not None:
                    with contextlib.suppress(OSError):
                        os.ftruncate(self._fh.fileno(), offset)
                self._broken = self._fh
                self._fh = self._writer = self._name = None
                raise WarcWriteError(
                    f"cannot write WARC record to {name}: {exc.strerror or exc}"
                ) from exc
            return WarcLocation(
                self._name, offset, length, response.rec_headers.get_header("WARC-Record-ID")
            )

    def _warc_headers(self, resp: FetchedResponse) -> dict[str, str]:
        return {
            "WARC-Date": datetime_to_iso_date(
                resp.fetched_at.astimezone(UTC).replace(tzinfo=None), use_micros=True
            )
        }

    def _http_headers(self, resp: FetchedResponse, length: int) -> StatusAndHeaders:
        headers = [(k, v) for k, v in resp.response_headers if k.lower() not in DROPPED_HEADERS]
        headers.append(("Content-Length", str(length)))
        return StatusAndHeaders(
            f"{resp.status} {_reason(resp.status)}", headers, protocol=resp.protocol
        )

    def _response_record(
        self, resp: FetchedResponse, revisit_of: RevisitOf | None
    ) -> ArcWarcRecord:
        assert self._writer is not None
        if revisit_of is not None:
            record = self._writer.create_revisit_record(
                resp.url,
                sha256_digest(resp.body),
                revisit_of.url,
                datetime_to_iso_date(
                    revisit_of.captured_at.astimezone(UTC).replace(tzinfo=None), use_micros=True
                ),
                http_headers=self._http_headers(resp, len(resp.body)),
                warc_headers_dict=self._warc_headers(resp),
            )
            record.rec_headers.add_header("WARC-Refers-To", revisit_of.record_id)
            if revisit_of.profile != IDENTICAL_PAYLOAD_PROFILE:
                record.rec_headers.replace_header("WARC-Profile", revisit_of.profile)
                record.rec_headers.add_header(
                    "WARC-Nianbao-Content-Digest", digest_of_hex(revisit_of.content_sha256 or "")
                )
            return record
        return self._writer.create_warc_record(
            resp.url,
            "response",
            payload=BytesIO(resp.body),
            length=len(resp.body),
            http_headers=self._http_headers(resp, len(resp.body)),
            warc_headers_dict=self._warc_headers(resp),
        )

    def _rendered_record(self, resp: FetchedResponse, response: ArcWarcRecord) -> ArcWarcRecord:
        """The DOM a browser rendered from the response, as a ``conversion`` record (an
        alternative form of the response's content) that refers to the response."""
        assert self._writer is not None and resp.rendered_html is not None
        headers = self._warc_headers(resp)
        headers["WARC-Refers-To"] = response.rec_headers.get_header("WARC-Record-ID")
        headers["WARC-Nianbao-Conversion"] = "browser-rendered-dom"
        return self._writer.create_warc_record(
            resp.url,
            "conversion",
            payload=BytesIO(resp.rendered_html),
            length=len(resp.rendered_html),
            warc_content_type=RENDERED_CONTENT_TYPE,
            warc_headers_dict=headers,
        )

    def _request_record(self, resp: FetchedResponse) -> ArcWarcRecord:
        assert self._writer is not None
        from urllib.parse import urlsplit

        parts = urlsplit(resp.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = list(resp.request_headers)
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        http = StatusAndHeaders(
            f"{resp.method} {path} {resp.protocol}", headers, is_http_request=True
        )
        return self._writer.create_warc_record(
            resp.url,
            "request",
            payload=BytesIO(resp.request_body),
            length=len(resp.request_body),
            http_headers=http,
            warc_headers_dict=self._warc_headers(resp),
        )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


__all__ = [
    "CONTENT_PROFILE",
    "IDENTICAL_PAYLOAD_PROFILE",
    "RENDERED_CONTENT_TYPE",
    "RevisitOf",
    "RollingWarcWriter",
    "WarcLocation",
    "WarcWriteError",
    "WriterId",
    "digest_of_hex",
    "ensure_writable",
    "sha256_digest",
    "writer_of",
]
