"""Document bytes → :class:`~extract.types.TextDocument`, dispatching on the sniffed type.

Every document is read in an isolated worker process (:mod:`extract.isolation`) under
:class:`~extract.limits.Limits`; the readers bound what they build (cells, pages, members)
before building it.
"""

from __future__ import annotations

from dataclasses import replace

from extract.isolation import run_isolated
from extract.limits import (
    DEFAULT_LIMITS,
    CellLimitError,
    ExtractionError,
    Limits,
    check_input_size,
)
from extract.sniff import (
    DOC,
    DOCX,
    HTML,
    LABELS,
    OCTET,
    OFD,
    OLE_OTHER,
    PDF,
    RTF,
    TEXT,
    WPS,
    XLS,
    XLSX,
    ZIP,
    ole_stream_names,
    quick_media_type,
    sniff_media_type,
)
from extract.text.grid import cell_budget
from extract.types import TextDocument

__all__ = ["ExtractionError", "Limits", "read_document"]


def _capped(document: TextDocument, limits: Limits) -> TextDocument:
    if len(document.text) > limits.max_text_chars:
        document.text = document.text[: limits.max_text_chars]
        document.meta["truncated"] = f"text cut at {limits.max_text_chars} characters"
    return document


def read_document(
    data: bytes,
    *,
    media_type: str | None = None,
    filename: str | None = None,
    url: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    _depth: int = 0,
) -> TextDocument:
    """Read any supported document in an isolated worker process; raise
    :class:`ExtractionError` when it cannot be read (refused, or stopped by a limit).

    ``media_type`` is the declared HTTP ``Content-Type`` (its charset is honoured for HTML
    and text); ``filename``/``url`` only help tell text formats and WPS apart.
    """
    check_input_size(data, limits)
    if filename is None and url:
        filename = url.split("?", 1)[0].rsplit("/", 1)[-1] or None
    what = LABELS[quick_media_type(data, media_type, filename)]
    # A scan is read again by OCR, with time for every page, once the first reading has
    # shown it has no text layer (as extract.extract_document does).
    first = replace(limits, ocr=False)
    args = (data, media_type, filename, url)
    document: TextDocument = run_isolated(read_here, *args, first, _depth, limits=first, what=what)
    if not (limits.ocr and document.needs_ocr and document.media_type == PDF):
        return document
    from extract.text import ocr

    run_limits, why = ocr.plan(limits, document.pages)
    if run_limits is None:
        assert why is not None  # plan() says why it gives no limits
        document.meta["ocr_error"] = why
        return document
    try:
        read: TextDocument = run_isolated(
            read_here, *args, limits, _depth, limits=run_limits, what="ocr"
        )
    except ExtractionError as exc:
        document.meta["ocr_error"] = str(exc)
        return document
    return read


def read_here(
    data: bytes,
    media_type: str | None = None,
    filename: str | None = None,
    url: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    _depth: int = 0,
) -> TextDocument:
    """:func:`read_document` in the calling process: for worker processes only. A top-level
    document gets a budget of ``limits.max_cells`` table cells that its parts share."""
    if _depth:
        return _capped(_dispatch(data, media_type, filename, url, limits, _depth), limits)
    with cell_budget(limits.max_cells):
        return _capped(_dispatch(data, media_type, filename, url, limits, _depth), limits)


def _dispatch(
    data: bytes,
    media_type: str | None,
    filename: str | None,
    url: str | None,
    limits: Limits,
    _depth: int,
) -> TextDocument:
    check_input_size(data, limits)
    if filename is None and url:
        filename = url.split("?", 1)[0].rsplit("/", 1)[-1] or None
    sniffed = sniff_media_type(data, declared=media_type, filename=filename)
    try:
        return _read_as(sniffed, data, media_type, filename, limits, _depth)
    except CellLimitError as exc:
        raise ExtractionError(f"{LABELS[sniffed]}: {exc}") from exc


def _read_as(
    sniffed: str,
    data: bytes,
    media_type: str | None,
    filename: str | None,
    limits: Limits,
    _depth: int,
) -> TextDocument:
    if sniffed == PDF:
        from extract.text.pdf import read_pdf

        return read_pdf(data, limits, isolate=False)  # the whole document is isolated
    if sniffed in (DOC, WPS):
        from extract.text.doc import read_doc

        return read_doc(data, limits, media_type=sniffed)
    if sniffed == DOCX:
        from extract.text.docx import read_docx

        return read_docx(data, limits)
    if sniffed == XLS:
        from extract.text.sheet import read_xls

        return read_xls(data, limits)
    if sniffed == XLSX:
        from extract.text.sheet import read_xlsx

        return read_xlsx(data, limits)
    if sniffed == OFD:
        from extract.text.ofd import read_ofd

        return read_ofd(data, limits)
    if sniffed == ZIP:
        from extract.text.archive import read_zip

        def read_member(
            content: bytes, name: str | None, member_limits: Limits, depth: int
        ) -> TextDocument:
            return read_here(content, None, name, None, member_limits, depth)

        return read_zip(data, read_member, limits, depth=_depth)
    if sniffed == HTML:
        from extract.text.html import read_html

        return read_html(data, media_type)
    if sniffed == TEXT:
        from extract.text.plain import read_data_or_plain

        return read_data_or_plain(data, media_type, filename)
    if sniffed == OLE_OTHER:
        names = {name.lower() for name in ole_stream_names(data)}
        if "encryptedpackage" in names or "encryptioninfo" in names:
            raise ExtractionError("encrypted (password-protected) Office document")
        if not names:
            raise ExtractionError("corrupt OLE compound file (directory unreadable)")
        raise ExtractionError(f"unsupported OLE document (streams: {', '.join(sorted(names)[:8])})")
    if sniffed == RTF:
        raise ExtractionError("unsupported format: RTF")
    assert sniffed == OCTET
    head = data[:8].hex(" ")
    raise ExtractionError(f"unrecognised binary format (first bytes {head})")
