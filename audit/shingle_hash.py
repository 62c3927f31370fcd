"""Sampled character-shingle hashes of many texts at once, vectorised with numpy.

A text's shingles are the CRC-32 of every run of ``SHINGLE`` kept characters (Chinese and
Latin letters; digits, punctuation and the agency's own names are dropped first), hashed
as UTF-16-LE — exactly ``zlib.crc32`` of those 16 bytes. Only the shingles whose CRC is
divisible by ``SAMPLE`` are kept: a sample chosen by content, so two texts keep the same
shingles of what they share.

CRC-32 of a fixed-length message is affine over GF(2): ``crc(m) = crc(0) ^ T₀[m₀] ^ … ^
T₇[m₇]`` where ``Tⱼ[c]`` is the CRC of the message holding only the code unit ``c`` at
position ``j`` (xor ``crc(0)``). With eight 65,536-entry tables the hash of every window of
a whole batch of texts is eight gathers and xors, with no Python loop per character.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

SHINGLE = 8
SAMPLE = 4
"""Only shingles whose hash is divisible by this are kept (content-defined sampling)."""
BATCH_UNITS = 16_000_000
"""UTF-16 code units hashed per numpy batch (bounds memory: about 40 bytes per unit)."""
_KEPT_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (ord("A"), ord("Z")), (ord("a"), ord("z")))


@dataclass
class ShingleTable:
    """The distinct sampled shingles of ``count`` texts: parallel arrays sorted by text,
    then shingle (``text[i]`` is the index of the text that holds ``shingle[i]``)."""

    count: int
    text: np.ndarray
    """int64 text indexes"""
    shingle: np.ndarray
    """uint32 CRC-32 values"""

    def sets(self) -> list[frozenset[int]]:
        """The shingles of each text as a set of ints."""
        bounds = np.searchsorted(self.text, np.arange(self.count + 1))
        values = self.shingle.tolist()
        return [frozenset(values[bounds[i] : bounds[i + 1]]) for i in range(self.count)]


@cache
def _kept() -> np.ndarray:
    kept = np.zeros(1 << 16, dtype=bool)
    for low, high in _KEPT_RANGES:
        kept[low : high + 1] = True
    return kept


@cache
def _crc_tables() -> tuple[int, np.ndarray]:
    """``crc(0…0)`` and the tables ``T[j, c]`` (see the module docstring), built from the
    CRC of each single set bit by linearity."""
    width = 2 * SHINGLE
    base = zlib.crc32(bytes(width))
    units = np.arange(1 << 16, dtype=np.uint32)
    tables = np.zeros((SHINGLE, 1 << 16), dtype=np.uint32)
    for j in range(SHINGLE):
        for bit in range(16):
            message = bytearray(width)
            value = 1 << bit
            message[2 * j] = value & 0xFF
            message[2 * j + 1] = value >> 8
            term = np.uint32(zlib.crc32(bytes(message)) ^ base)
            tables[j] ^= np.where((units >> bit) & 1 == 1, term, np.uint32(0))
    return base, tables


def strip_names(body: str, names: Iterable[str]) -> str:
    """``body`` without the given names (longest first, so a name inside another goes too)."""
    for name in sorted((n for n in names if n), key=len, reverse=True):
        body = body.replace(name, "")
    return body


def shingle_table(
    bodies: Sequence[str], names: Sequence[Sequence[str]] | None = None
) -> ShingleTable:
    """The sampled shingles of every body (``names[i]``: names to drop from ``bodies[i]``)."""
    if names is not None and len(names) != len(bodies):
        raise ValueError(f"{len(names)} name lists for {len(bodies)} texts")
    encoded = [
        strip_names(body, names[i] if names is not None else ()).encode("utf-16-le")
        for i, body in enumerate(bodies)
    ]
    texts: list[np.ndarray] = []
    hashes: list[np.ndarray] = []
    start = 0
    while start < len(encoded):
        end, units = start, 0
        while end < len(encoded) and (end == start or units < BATCH_UNITS):
            units += len(encoded[end]) // 2
            end += 1
        t, h = _hash_batch(encoded[start:end], start)
        texts.append(t)
        hashes.append(h)
        start = end
    if not texts:
        return ShingleTable(0, np.zeros(0, np.int64), np.zeros(0, np.uint32))
    return ShingleTable(len(bodies), np.concatenate(texts), np.concatenate(hashes))


def _hash_batch(encoded: list[bytes], first: int) -> tuple[np.ndarray, np.ndarray]:
    units = np.frombuffer(b"".join(encoded), dtype=np.uint16)
    lengths = np.fromiter((len(e) // 2 for e in encoded), dtype=np.int64, count=len(encoded))
    keep = _kept()[units]
    chars = units[keep]
    kept_lengths = np.zeros(len(encoded), dtype=np.int64)
    nonempty = np.flatnonzero(lengths)
    if len(nonempty):
        starts = np.r_[0, np.cumsum(lengths)[:-1]][nonempty]
        kept_lengths[nonempty] = np.add.reduceat(keep, starts, dtype=np.int64)
    owner = np.repeat(np.arange(first, first + len(encoded), dtype=np.int32), kept_lengths)
    windows = len(chars) - SHINGLE + 1
    if windows <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.uint32)
    base, tables = _crc_tables()
    crc = np.full(windows, base, dtype=np.uint32)
    for j in range(SHINGLE):
        crc ^= tables[j][chars[j : j + windows]]
    valid = (owner[:windows] == owner[SHINGLE - 1 :]) & (crc % SAMPLE == 0)
    key = np.sort((owner[:windows][valid].astype(np.uint64) << np.uint64(32)) | crc[valid])
    # (np.unique would do, but in numpy 2.x it hashes, many times slower than a sort.)
    key = key[np.r_[True, key[1:] != key[:-1]]]
    text = (key >> np.uint64(32)).astype(np.int64)
    return text, (key & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def shingles(body: str, names: Iterable[str] = ()) -> frozenset[int]:
    """The sampled shingles of one text."""
    return shingle_table([body], [list(names)]).sets()[0]
