"""Zip archives of reports: every readable member, under member-count/size/ratio limits."""

from __future__ import annotations

from collections.abc import Callable

from extract.limits import DEFAULT_LIMITS, ExtractionError, Limits, open_zip, read_zip_member
from extract.sniff import ZIP
from extract.types import TextDocument

Reader = Callable[[bytes, str | None, Limits, int], TextDocument]


def _member_name(raw: str, flag_bits: int) -> str:
    """Zip names without the UTF-8 flag are usually GBK on Chinese systems."""
    if flag_bits & 0x800:
        return raw
    try:
        return raw.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw


def read_zip(
    data: bytes, read_member: Reader, limits: Limits = DEFAULT_LIMITS, depth: int = 0
) -> TextDocument:
    """Read each member with ``read_member(bytes, filename, limits, depth + 1)``."""
    if depth > limits.max_archive_depth:
        raise ExtractionError(f"zip: archives nested deeper than {limits.max_archive_depth}")
    archive = open_zip(data, limits, "zip")
    parts: list[str] = []
    texts: list[str] = []
    tables = []
    errors: list[str] = []
    needs_ocr = False
    with archive:
        for info in archive.infolist():
            if info.is_dir() or info.file_size == 0:
                continue
            name = _member_name(info.filename, info.flag_bits)
            if name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith("."):
                continue
            content = read_zip_member(archive, info.filename, limits, "zip")
            try:
                member = read_member(content, name, limits, depth + 1)
            except ExtractionError as exc:
                errors.append(f"{name}: {exc}")
                continue
            parts.append(name)
            texts.append(f"[{name}]\n{member.text}")
            tables.extend(member.tables)
            needs_ocr = needs_ocr or member.needs_ocr
    if not parts:
        raise ExtractionError(f"zip: nothing readable ({_summary(errors)})")
    meta = {"errors": _summary(errors)} if errors else {}
    return TextDocument(
        media_type=ZIP,
        text="\n\n".join(texts),
        tables=tables,
        meta=meta,
        needs_ocr=needs_ocr,
        parts=parts,
    )


def _summary(errors: list[str], shown: int = 3, width: int = 300) -> str:
    """The first member errors, each cut short (nested archives nest their messages)."""
    if not errors:
        return "no readable members"
    parts = [e if len(e) <= width else e[: width - 3] + "..." for e in errors[:shown]]
    if len(errors) > shown:
        parts.append(f"and {len(errors) - shown} more")
    return "; ".join(parts)
