"""Distributed crawling on scrapy-redis: a shared queue and dupefilter per crawl, any
number of ``nianbao worker`` processes, no request lost when a worker dies.

- ``keys``: the Redis keys of one crawl;
- ``queue``: the reliable priority queue (a popped request stays in its worker's
  processing hash until fully handled; a dead worker's are put back);
- ``scheduler``: the scrapy-redis scheduler using it, with heartbeats and acks;
- ``politeness``: per-host concurrency across all workers;
- ``spider``: the reports spider for a shared crawl (closes when the whole crawl is done);
- ``seeding``: the start requests, through the shared dupefilter;
- ``crawl``: the coordinator (``nianbao crawl --distributed``, the scheduler);
- ``worker``: the ``nianbao worker`` loop and its crawl child process.
"""
