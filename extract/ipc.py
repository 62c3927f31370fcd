"""The framing shared by :mod:`extract.isolation` (the caller) and :mod:`extract.worker`
(the worker process): length-prefixed pickles on a pipe, and whether this process is a
worker."""

from __future__ import annotations

import struct
from typing import IO

HEADER = struct.Struct("!Q")

_in_worker = False


def in_worker() -> bool:
    """True inside a worker process: isolated functions then run in place."""
    return _in_worker


def become_worker() -> None:
    global _in_worker
    _in_worker = True


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def read_exact(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("stream closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: IO[bytes]) -> bytes:
    return read_exact(stream, HEADER.unpack(read_exact(stream, HEADER.size))[0])
