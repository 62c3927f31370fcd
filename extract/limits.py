"""Hard limits for reading untrusted documents, and the error every reader raises.

A hostile or broken file must never stop a crawl: it hits a size, member-count, ratio,
cell, page, time or memory limit and comes back as one :class:`ExtractionError` with a
precise message. Time and memory are enforced by the isolated worker processes of
:mod:`extract.isolation`; the structural limits by the readers themselves.
"""

from __future__ import annotations

import resource
import subprocess
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass


class ExtractionError(Exception):
    """A document could not be read; the message says precisely why."""


class CellLimitError(ExtractionError):
    """Tables (or a sheet) would take more cells than ``Limits.max_cells`` once expanded."""


@dataclass(frozen=True)
class Limits:
    """Resource limits applied to one document."""

    max_input_bytes: int = 64 * 1024 * 1024
    """Documents larger than this are refused before parsing."""
    max_unpacked_bytes: int = 256 * 1024 * 1024
    """Total uncompressed size allowed inside a zip container (docx, xlsx, zip, ofd)."""
    max_member_bytes: int = 128 * 1024 * 1024
    """Uncompressed size allowed for one member of a zip container."""
    max_members: int = 2000
    """Number of members allowed in a zip container."""
    max_ratio: float = 200.0
    """Largest allowed compression ratio of a zip member above 1 MiB (zip bombs)."""
    max_archive_depth: int = 2
    """How deep zip archives may nest."""
    timeout_s: float = 45.0
    """Wall time for reading one document (isolated worker, helper programs)."""
    cpu_s: float = 40.0
    """CPU time for reading one document in an isolated worker."""
    memory_bytes: int = 1024 * 1024 * 1024
    """Address-space limit of isolated workers and helper programs (their resident memory
    cannot pass it)."""
    max_pages: int = 2000
    """PDF/OFD pages read at most."""
    max_text_chars: int = 2_000_000
    """Text kept at most per document (about 1,000 pages; the rest is cut)."""
    max_cells: int = 1_000_000
    """Table cells per document, counted once merged cells are expanded (spreadsheet
    cells, docx/html/pdf table grids): above it the document is refused."""
    ocr: bool = True
    """Read PDFs without a text layer by OCR. :func:`extract.extract_document` reads a
    document with OCR off first, then, for a scan, again with OCR on and time for every
    page (:func:`extract.text.ocr.ocr_limits`)."""


DEFAULT_LIMITS = Limits()


def check_input_size(data: bytes, limits: Limits) -> None:
    """Refuse empty documents and documents above ``limits.max_input_bytes``."""
    if not data:
        raise ExtractionError("empty document (0 bytes)")
    if len(data) > limits.max_input_bytes:
        raise ExtractionError(
            f"document too large: {len(data)} bytes > limit {limits.max_input_bytes} bytes"
        )


def check_zip(archive: zipfile.ZipFile, limits: Limits, what: str = "zip") -> None:
    """Refuse zip containers whose directory announces a bomb (too many members, too large,
    or a suspicious compression ratio). Actual reads must still go through
    :func:`read_zip_member`, which enforces the sizes on the bytes really inflated."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise ExtractionError(
            f"{what}: too many members: {len(infos)} > limit {limits.max_members}"
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_member_bytes:
            raise ExtractionError(
                f"{what}: member {info.filename!r} too large when unpacked: "
                f"{info.file_size} bytes > limit {limits.max_member_bytes}"
            )
        if info.file_size > 1024 * 1024 and info.compress_size > 0:
            ratio = info.file_size / info.compress_size
            if ratio > limits.max_ratio:
                raise ExtractionError(
                    f"{what}: member {info.filename!r} has compression ratio {ratio:.0f} "
                    f"> limit {limits.max_ratio:.0f} (zip bomb)"
                )
    if total > limits.max_unpacked_bytes:
        raise ExtractionError(
            f"{what}: unpacked size {total} bytes > limit {limits.max_unpacked_bytes}"
        )


def read_zip_member(
    archive: zipfile.ZipFile, name: str, limits: Limits, what: str = "zip"
) -> bytes:
    """Read one member, stopping at ``limits.max_member_bytes`` whatever the directory says."""
    try:
        with archive.open(name) as stream:
            data = stream.read(limits.max_member_bytes + 1)
    except KeyError as exc:
        raise ExtractionError(f"{what}: member {name!r} missing") from exc
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ExtractionError(f"{what}: member {name!r} unreadable: {exc}") from exc
    except MemoryError:
        raise
    except zlib.error as exc:
        if "allocate" in str(exc):  # zlib out of memory: the worker's memory limit
            raise MemoryError(str(exc)) from exc
        raise ExtractionError(f"{what}: member {name!r} unreadable: {exc}") from exc
    except Exception as exc:
        raise ExtractionError(f"{what}: member {name!r} unreadable: {exc}") from exc
    if len(data) > limits.max_member_bytes:
        raise ExtractionError(
            f"{what}: member {name!r} inflates beyond {limits.max_member_bytes} bytes"
        )
    return data


def open_zip(data: bytes, limits: Limits, what: str = "zip") -> zipfile.ZipFile:
    """Open zip bytes, checking the directory against the limits."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ExtractionError(f"{what}: not a readable zip container: {exc}") from exc
    if any(info.flag_bits & 0x1 for info in archive.infolist()):
        raise ExtractionError(f"{what}: encrypted zip members")
    check_zip(archive, limits, what)
    return archive


def _limit_memory(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_program(
    args: Sequence[str],
    *,
    limits: Limits,
    what: str,
    input_bytes: bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a helper program (antiword, catdoc, soffice…) with a timeout and memory limit."""
    try:
        return subprocess.run(
            list(args),
            input=input_bytes,
            capture_output=True,
            timeout=limits.timeout_s,
            preexec_fn=lambda: _limit_memory(limits.memory_bytes),
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"{what}: timed out after {limits.timeout_s:g} s") from exc
    except FileNotFoundError as exc:
        raise ExtractionError(f"{what}: program {args[0]!r} is not installed") from exc
