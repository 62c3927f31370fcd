"""Attachments: the file type from the bytes; the file name from Content-Disposition or
the URL (``capture.filenames``, which the reading room shares)."""

from __future__ import annotations

from capture.filenames import content_disposition_filename, filename_from_url
from crawler.links import url_extension
from extract.sniff import ole_entries_present, zip_directory_mentions

__all__ = ["content_disposition_filename", "filename_from_url", "sniff_file_type"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_file_type(body: bytes, url: str = "", filename: str | None = None) -> str | None:
    """The file type of an attachment, read from its content: pdf, doc, wps, xls, et, docx,
    xlsx, ofd, zip, rar, 7z; None when the bytes are not a document (an HTML error page,
    an empty body). The name is consulted only to tell apart formats that share a
    container (doc/wps, xls/et)."""
    named = url_extension(filename or "") or url_extension(url)
    head = body[:1024].lstrip()
    if head.startswith(b"%PDF") or body[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if body.startswith(_OLE_MAGIC):
        return _sniff_ole(body, named)
    if body.startswith(b"PK\x03\x04"):
        return _sniff_zip(body)
    if body.startswith(b"Rar!"):
        return "rar"
    if body.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    return None


def _sniff_ole(body: bytes, named: str) -> str:
    # The directory entries are searched in the raw bytes: the crawl process never
    # follows the sector chains of an untrusted file (extraction does, in a worker).
    streams = ole_entries_present(body, ("Workbook", "Book", "WordDocument"))
    if "Workbook" in streams or "Book" in streams:
        return "et" if named == "et" else "xls"
    if "WordDocument" in streams:
        return "wps" if named == "wps" else "doc"
    if named in ("doc", "wps", "xls", "et"):
        return named
    return "doc"


def _sniff_zip(body: bytes) -> str:
    # Names searched in the central directory's bytes: a hostile zip may list millions
    # of members, which the crawl process must not build.
    names = zip_directory_mentions(body, (b"word/document.xml", b"xl/workbook.xml", b"OFD.xml"))
    if b"word/document.xml" in names:
        return "docx"
    if b"xl/workbook.xml" in names:
        return "xlsx"
    if b"OFD.xml" in names or zip_directory_mentions(body, (b"/ofd.xml",)):
        return "ofd"
    return "zip"
