"""Decide a document's real type from its bytes (magic numbers, OLE streams, zip members).

The declared media type and the file name are hints only, used when the bytes do not
decide (text formats).
"""

from __future__ import annotations

import io
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
