"""The archive as a worker of a distributed crawl uses it: ingests retried on races.

``Archive.ingest`` serialises writers with a lock of its own process. Workers are many
processes writing to one database: two of them may archive the first documents of the
same report (or of the same unregistered agency) at the same moment, and the second
insert of the report row then breaks its unique constraint. The whole ingest ran in one
transaction, rolled back: done again, it finds the row the other worker committed. So a
race costs a retry, never a capture.
"""

from __future__ import annotations

import logging
import random
import time

from sqlalchemy.exc import IntegrityError

from storage.archive import Archive, CaptureIn, DocumentIn, IngestResult, VersionIn

log = logging.getLogger(__name__)
ATTEMPTS = 5


class SharedArchive(Archive):
    def ingest(
        self,
        capture: CaptureIn,
        document: DocumentIn | None = None,
        version: VersionIn | None = None,
    ) -> IngestResult:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return super().ingest(capture, document, version)
            except IntegrityError:
                if attempt == ATTEMPTS:
                    raise
                log.info("ingest of %s raced another worker; again (%d)", capture.url, attempt)
                time.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")
