"""Discovery: recognising report titles and ranking the links that may lead to them."""

from crawler.discovery.titles import TitleMatch, classify_title, link_score

__all__ = ["TitleMatch", "classify_title", "link_score"]
