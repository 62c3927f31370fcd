"""The Archive: the one Python API over the archive's SQL records and WARC files.

The command line, the crawler's pipeline and any web layer call this; no module above
storage writes SQL (every statement lives in a store module of ``storage/``). Nothing
archived is ever deleted or overwritten: captures, versions, observations and
extractions are only added; documents and reports carry derived state (``status``,
``last_seen_at``) that observations update.
"""

from __future__ import annotations

from storage.ingest import IngestStore
from storage.records import RecordStore
from storage.registry_store import RegistryStore
from storage.runs import RunStore
from storage.types import (
    LOOKUP_CHUNK,
    CapturedPage,
    CaptureIn,
    DocumentIn,
    ImportSummary,
    IngestResult,
    KnownDocument,
    Lookup,
    PriorCapture,
    RunStats,
    Validators,
    VersionIn,
    as_utc,
    iso,
    utcnow,
)

__all__ = [
    "LOOKUP_CHUNK",
    "Archive",
    "CaptureIn",
    "CapturedPage",
    "DocumentIn",
    "ImportSummary",
    "IngestResult",
    "KnownDocument",
    "Lookup",
    "PriorCapture",
    "RunStats",
    "Validators",
    "VersionIn",
    "as_utc",
    "iso",
    "utcnow",
]


class Archive(RegistryStore, RunStore, IngestStore, RecordStore):
    """Open an archive: ``Archive()`` uses ``NIANBAO_DB`` or SQLite under ``./data/``.

    The stores it is made of, one per seam: ``storage.registry_store`` (agencies,
    sites), ``storage.runs`` (runs, failures), ``storage.ingest`` (captures indexed,
    documents, versions, observations), ``storage.records`` (what is held, read back);
    ``storage.base`` the engine and sessions they share, ``storage.types`` the values.
    """
