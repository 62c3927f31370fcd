"""The crawl's NIANBAO_* settings are parsed once into a frozen CrawlConfig whose defaults
are those of docs/settings.md and crawler/settings.py."""

from __future__ import annotations

import dataclasses
import gc
import re
import weakref
from pathlib import Path

import pytest
from paths import REPO
from scrapy import Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.archive_access import ArchiveAccess
from crawler.config import CrawlConfig


def _project_settings(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides, priority="cmdline")
    return settings


def test_defaults_are_the_project_settings() -> None:
    """Unset, a value is the default of crawler/settings.py (and of docs/settings.md)."""
    assert CrawlConfig.from_settings(_project_settings()) == CrawlConfig()
    assert CrawlConfig.from_settings(Settings()) == CrawlConfig()


def test_every_field_names_a_documented_setting() -> None:
    doc = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    source = (REPO / "crawler" / "config.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"(NIANBAO_[A-Z0-9_]+)"', source))
    assert len(read) == len(dataclasses.fields(CrawlConfig))
    assert all(f"`{name}`" in doc for name in read)


def test_values_are_parsed_from_strings() -> None:
    """Settings given on the command line (`-s NAME=VALUE`) are strings."""
    config = CrawlConfig.from_settings(
        _project_settings(
            NIANBAO_SITES="a,b",
            NIANBAO_RUN_ID="7",
            NIANBAO_PAGE_BUDGET="30",
            NIANBAO_MIN_LINK_SCORE="0.5",
            NIANBAO_FRONTIER_HOLD="false",
            NIANBAO_RENDER_ENABLED="0",
            NIANBAO_PROGRESS="FALSE",
            NIANBAO_TEST_DNS='{"x.gov.cn": "127.0.0.1"}',
        )
    )
    assert config.sites == ("a", "b")
    assert config.run_id == 7
    assert config.page_budget == 30
    assert config.min_link_score == 0.5
    assert config.frontier_hold is False
    assert config.render_enabled is False
    assert config.progress == "false"
    assert config.test_dns_table == {"x.gov.cn": "127.0.0.1"}
    assert CrawlConfig.from_settings(_project_settings(NIANBAO_RUN_ID=0)).run_id is None


def test_frozen_and_parsed_once_per_crawler() -> None:
    crawler = get_crawler(Spider, {"NIANBAO_PAGE_BUDGET": 12})
    config = CrawlConfig.of(crawler)
    assert config.page_budget == 12
    assert CrawlConfig.of(crawler) is config
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.page_budget = 3  # type: ignore[misc]
    other = get_crawler(Spider, {"NIANBAO_PAGE_BUDGET": 13})
    assert CrawlConfig.of(other).page_budget == 13


def test_a_crawler_is_not_kept_alive_by_its_config_or_archive_access(tmp_path: Path) -> None:
    crawler = get_crawler(Spider, {"NIANBAO_DB": f"sqlite:///{tmp_path}/a.sqlite3"})
    CrawlConfig.of(crawler)
    ArchiveAccess.of(crawler)
    gone = weakref.ref(crawler)
    del crawler
    gc.collect()
    assert gone() is None
