"""A response that cannot be archived is recorded as a ``capture`` failure, and the crawl
goes on (regression: ``capture`` was once missing from the failure kinds, so the
``ValueError`` raised while recording it lost the failure)."""

from __future__ import annotations

import asyncio

import pytest
from archive_helpers import fetched, setup_archive
from scrapy import Spider
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from capture.types import Role
from crawler.archive_access import ArchiveAccess
from crawler.items import CrawlFailure
from crawler.pipelines.archive import ArchivePipeline
from storage.models import CaptureRow, FailureRow
from storage.vocab import FailureKind

NO_SUCH_RUN = 987654
"""A crawl run id the archive does not hold: indexing a capture that names it fails."""


def test_a_capture_that_fails_is_recorded_and_the_crawl_goes_on(archive) -> None:
    setup_archive(archive).close()
    crawler = get_crawler(
        Spider,
        {
            "NIANBAO_DB": archive.url,
            "NIANBAO_DATA_DIR": str(archive.data_dir),
            "NIANBAO_INGEST_BATCH": 1,
            "NIANBAO_DB_RETRY_SECONDS": 0,
        },
    )
    pipeline = ArchivePipeline(crawler)
    pipeline.open_spider()
    broken_url = "http://www.ninghai.gov.cn/col/col1/broken.html"
    good_url = "http://www.ninghai.gov.cn/col/col1/good.html"

    async def crawl() -> None:
        # a real error of the capture (the index refuses a run it does not hold)
        await pipeline.process_item(
            fetched(broken_url, b"<html>broken</html>", role=Role.LISTING, run_id=NO_SUCH_RUN)
        )
        await pipeline.process_item(fetched(good_url, b"<html>good</html>", role=Role.LISTING))

    try:
        asyncio.run(crawl())
    finally:
        pipeline.close_spider()
        ArchiveAccess.of(crawler).close_archive()

    with archive.session() as s:
        failures = s.execute(select(FailureRow.site_id, FailureRow.url, FailureRow.kind)).all()
        detail = s.scalars(select(FailureRow.detail)).one()
        captured = set(s.scalars(select(CaptureRow.url)))
    assert failures == [("ninghai-gov", broken_url, "capture")]
    assert detail.startswith("capture failed: IntegrityError")
    assert crawler.stats.get_value("nianbao/ninghai-gov/errors/capture") == 1
    assert good_url in captured and broken_url not in captured  # the crawl went on


def test_failure_kinds_are_the_vocabulary() -> None:
    """A kind given as its stored string becomes the member; an unknown kind raises."""
    for kind in FailureKind:
        failure = CrawlFailure("ninghai-gov", "http://x.gov.cn/", kind.value, "detail")  # type: ignore[arg-type]  # the string, on purpose
        assert failure.kind is kind
    with pytest.raises(ValueError, match="unknown failure kind 'nonsense'"):
        CrawlFailure("ninghai-gov", "http://x.gov.cn/", "nonsense", "detail")  # type: ignore[arg-type]
