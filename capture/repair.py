"""Torn tails: the incomplete last record a killed writer leaves in its WARC file.

A writer killed (``kill -9``, power loss) in the middle of a record leaves the file ending
inside a gzip member. No capture points there — the index row is written only after the
record is fsynced — but the file no longer passes ``gzip -t`` or a WARC reader's scan to
the end. :func:`repair_tails` moves such a tail aside, so that the file ends on its last
complete record again:

- only files whose writer is known dead (this host, its pid gone or reused) are touched;
  files of live writers and of other hosts are left alone;
- only the part after the last indexed record of the file is read, from that member
  boundary on, and only a member the file ends inside is cut;
- the cut bytes are kept, not deleted: copied (and fsynced) to
  ``<warc dir>/repair/<file>.<offset>.torn`` before the file is truncated;
- an empty WARC file of a dead writer (created, then the disk was full) is moved there
  too, and a file left empty by the cut is removed (its bytes are in the ``.torn`` copy);
- files found complete are listed in ``<warc dir>/repair/sealed`` and not read again.

Every crawl runs it before it writes (``CaptureRecorder.open``), and ``nianbao verify
--repair`` on demand. Concurrent repairs on one host take turns on a lock file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from capture.reader import iter_members
from capture.warc import writer_of

REPAIR_DIR = "repair"
SEALED = "sealed"


@dataclass(frozen=True)
class Repair:
    warc_file: str
    offset: int
    length: int
    kept_as: Path

    def __str__(self) -> str:
        return (
            f"{self.warc_file}: cut the incomplete record at byte {self.offset} "
            f"({self.length} bytes, kept as {self.kept_as})"
        )


@contextlib.contextmanager
def _repair_lock(folder: Path) -> Iterator[None]:
    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def repair_tails(warc_dir: Path, indexed_end: Callable[[str], int | None]) -> list[Repair]:
    """Cut the torn tails of the WARC files of dead writers in ``warc_dir``.
    ``indexed_end(name)`` gives the end of the file's last indexed record (None when the
    index has none): scanning starts there."""
    if not warc_dir.is_dir():
        return []
    folder = warc_dir / REPAIR_DIR
    folder.mkdir(exist_ok=True)
    done: list[Repair] = []
    with _repair_lock(folder):
        sealed_file = folder / SEALED
        sealed = (
            set(sealed_file.read_text(encoding="utf-8").split()) if sealed_file.exists() else set()
        )
        newly_sealed: list[str] = []
        for path in sorted(warc_dir.glob("*.warc.gz")):
            if path.name in sealed:
                continue
            writer = writer_of(path.name)
            if writer is None or writer.alive() is not False:
                continue  # not ours to judge: a live writer, another host, a foreign name
            repair = _repair_file(path, folder, indexed_end(path.name) or 0)
            if repair is not None:
                done.append(repair)
            if path.exists():
                newly_sealed.append(path.name)
        if newly_sealed:
            with open(sealed_file, "a", encoding="utf-8") as fh:
                fh.write("".join(f"{name}\n" for name in newly_sealed))
                fh.flush()
                os.fsync(fh.fileno())
    return done


def _repair_file(path: Path, folder: Path, start: int) -> Repair | None:
    size = path.stat().st_size
    if size == 0:
        kept = folder / f"{path.name}.0.torn"
        path.rename(kept)
        return Repair(path.name, 0, 0, kept)
    if start >= size:
        return None
    torn_at: int | None = None
    for member in iter_members(path, start):
        if member.data is not None:
            member.data.close()
        if member.torn:
            torn_at = member.offset
    if torn_at is None:
        return None
    kept = folder / f"{path.name}.{torn_at}.torn"
    with open(path, "r+b") as src, open(kept, "wb") as dst:
        src.seek(torn_at)
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
        src.truncate(torn_at)
        src.flush()
        os.fsync(src.fileno())
    if torn_at == 0:  # not even its warcinfo record was complete: an empty file is left
        path.unlink()
    return Repair(path.name, torn_at, size - torn_at, kept)
