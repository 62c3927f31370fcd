"""Decide a document's real type from its bytes (magic numbers, OLE streams, zip members).

The declared media type and the file name are hints only, used when the bytes do not
decide (text formats).
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile

PDF = "application/pdf"
DOC = "application/msword"
WPS = "application/wps-office.wps"
"""Kingsoft WPS 文字: a Word 97 binary (``WordDocument`` stream) under another name."""
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"
OFD = "application/ofd"
HTML = "text/html"
TEXT = "text/plain"
OLE_OTHER = "application/x-ole-storage"
RTF = "application/rtf"
OCTET = "application/octet-stream"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_MARKERS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<meta",
    b"<p",
    b"<div",
    b"<table",
)


def base_media_type(media_type: str | None) -> str:
    """``text/html; charset=gbk`` → ``text/html``."""
    if not media_type:
        return ""
    return media_type.split(";", 1)[0].strip().lower()


def ole_stream_names(data: bytes) -> set[str]:
    """Top-level stream names of an OLE compound file (empty set when unreadable)."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except Exception:
        return set()


def _sniff_ole(data: bytes, filename: str | None) -> str:
    names = {name.lower() for name in ole_stream_names(data)}
    if "worddocument" in names:
        # Kingsoft WPS 文字 writes Word 97 binaries too; keep the .wps name visible.
        if (filename and filename.lower().endswith(".wps")) or any(
            "wps" in name or "kso" in name for name in names
        ):
            return WPS
        return DOC
    if "workbook" in names or "book" in names:
        return XLS
    return OLE_OTHER


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except Exception:
        return ZIP
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return DOCX
        if any(name.startswith("xl/") for name in names):
            return XLSX
    if "OFD.xml" in names or "ofd.xml" in names:
        return OFD
    return ZIP


def _looks_like_html(head: bytes) -> bool:
    sample = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return any(marker in sample for marker in _HTML_MARKERS)


def _text_export(head: bytes, declared: str | None, filename: str | None) -> bool:
    """A Markdown or text export that embeds some HTML (raw tables, ``<br>``): named or
    declared as such, and not starting with a tag."""
    named = (filename or "").lower().endswith((".md", ".markdown", ".txt"))
    typed = base_media_type(declared) in ("text/markdown", "text/x-markdown", "text/plain")
    starts_with_tag = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    return (named or typed) and not starts_with_tag and _looks_like_text(head)


def _looks_like_text(head: bytes) -> bool:
    sample = head[:4096]
    if b"\x00" in sample:
        return sample.startswith((b"\xff\xfe", b"\xfe\xff"))
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return controls <= len(sample) // 100


def sniff_media_type(data: bytes, declared: str | None = None, filename: str | None = None) -> str:
    """The media type of ``data`` from its content; ``declared``/``filename`` only break ties."""
    head = data[:8192]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(data, filename)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if head.startswith(b"{\\rtf"):
        return RTF
    if _looks_like_html(head) and not _text_export(head, declared, filename):
        return HTML
    declared_base = base_media_type(declared)
    if _looks_like_text(head):
        if declared_base in {"text/html", "application/xhtml+xml"}:
            return HTML
        lower = (filename or "").lower()
        if lower.endswith((".htm", ".html", ".shtml", ".jsp", ".php", ".asp", ".aspx")):
            return HTML
        return TEXT
    return OCTET


LABELS = {
    PDF: "pdf",
    DOC: "doc",
    WPS: "wps",
    XLS: "xls",
    DOCX: "docx",
    XLSX: "xlsx",
    ZIP: "zip",
    OFD: "ofd",
    HTML: "html",
    TEXT: "text",
    OLE_OTHER: "ole",
    RTF: "rtf",
    OCTET: "document",
}
"""Short names of the media types, used as the first word of error messages."""

_OLE_EXTENSIONS = {".wps": WPS, ".et": XLS}
_OLE_ENTRY = struct.Struct("<H")


def ole_entries_present(data: bytes, names: tuple[str, ...]) -> set[str]:
    """Which of ``names`` are entries of an OLE file's directory, found in the raw bytes
    without following any sector chain (safe on hostile files, O(size)): a directory entry
    is 128-byte aligned and starts with its UTF-16LE name, whose byte length is at +64."""
    found: set[str] = set()
    for name in names:
        needle = name.encode("utf-16-le") + b"\0\0"
        length = _OLE_ENTRY.pack(len(needle))
        at = data.find(needle, 512)
        while at >= 0:
            if at % 128 == 0 and data[at + 64 : at + 66] == length:
                found.add(name)
                break
            at = data.find(needle, at + 1)
    return found


def zip_directory_mentions(data: bytes, names: tuple[bytes, ...]) -> set[bytes]:
    """Which of ``names`` appear in a zip file's central directory, found in the raw bytes
    without building the member list (a hostile directory can list millions)."""
    start, end = 0, len(data)
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if eocd >= 0 and eocd + 22 <= len(data):
        size, offset = struct.unpack_from("<II", data, eocd + 12)
        if offset != 0xFFFFFFFF and offset + size <= eocd:
            start, end = offset, offset + size
    return {name for name in names if data.find(name, start, end) >= 0}


def quick_media_type(data: bytes, declared: str | None = None, filename: str | None = None) -> str:
    """The media type from the bytes, without parsing any container (the zip directory and
    OLE directory entries are only searched for known names): safe to call outside an
    isolated worker on any input, and used to name a document whose reader was stopped."""
    head = data[:8192]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(OLE_MAGIC):
        entries = ole_entries_present(data, ("WordDocument", "Workbook", "Book"))
        suffix = posixpath.splitext(filename or "")[1].lower()
        if "WordDocument" in entries:
            return WPS if suffix == ".wps" else DOC
        if entries:
            return XLS
        return _OLE_EXTENSIONS.get(suffix, OLE_OTHER)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        names = zip_directory_mentions(data, (b"word/document.xml", b"xl/workbook.xml", b"OFD.xml"))
        if b"word/document.xml" in names:
            return DOCX
        if b"xl/workbook.xml" in names:
            return XLSX
        if b"OFD.xml" in names:
            return OFD
        return ZIP
    if head.startswith(b"{\\rtf"):
        return RTF
    if _looks_like_html(head):
        return HTML
    if _looks_like_text(head):
        declared_base = base_media_type(declared)
        if declared_base in {"text/html", "application/xhtml+xml"}:
            return HTML
        return TEXT
    return OCTET
