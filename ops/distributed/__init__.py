"""Distributed crawling on scrapy-redis: a shared queue and dupefilter per crawl, any
number of ``nianbao worker`` processes, no request lost when a worker dies. The
components a crawl process runs with (queue, scheduler, politeness, robots, …) are the
crawler's, in ``crawler.distributed``; here are the processes around them:

- ``crawl``: the coordinator (``nianbao crawl --distributed``, the scheduler);
- ``worker``: the ``nianbao worker`` loop and its crawl child process.
"""
