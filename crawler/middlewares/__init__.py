"""Downloader middlewares of the crawler (scope, budget, WAF, conditional requests,
retry back-off, per-site statistics)."""
