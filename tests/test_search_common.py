"""PostgreSQL search of a term common to most versions walks the versions newest first
(no bitmap scan); the answers are the same as through the GIN index."""

from __future__ import annotations

import pytest
from archive_helpers import fetched, later, report_page, seed_text, setup_archive

from query import search as search_module
from query.search import search


@pytest.mark.parametrize(
    "query", ["报", "复议", "政府信息公开", "行政 OR 诉讼", "公开 -不存在的词"]
)
def test_common_term_strategy_gives_the_same_answers(
    pg_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    from storage.archive import Archive

    archive = Archive(pg_url, data_dir=tmp_path / "data")
    rec = setup_archive(archive)
    for i in range(12):
        text = seed_text(i % 5).replace("2020", str(2008 + i))
        rec.record(
            fetched(
                f"http://www.ninghai.gov.cn/art/{i}.html",
                report_page(text),
                year=2008 + i,
                agency_name="长街镇",
                at=later(i),
            )
        )
    rec.close()
    via_index = search(archive, query, candidates=5)
    monkeypatch.setattr(search_module, "COMMON_FACTOR", 0)
    assert search_module._common  # the strategy is taken for every term now
    walked = search(archive, query, candidates=5)
    assert [h.version_id for h in walked.hits] == [h.version_id for h in via_index.hits]
    assert via_index.hits
    archive.close()
