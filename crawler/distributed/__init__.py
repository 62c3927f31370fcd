"""The crawler's side of distributed crawling on scrapy-redis: the components a crawl
process runs with when it works from a shared queue (``ops.distributed`` starts and
coordinates the crawls and the workers).

- ``keys``: the Redis keys of one crawl;
- ``queue``: the reliable priority queue (a popped request stays in its worker's
  processing hash until fully handled; a dead worker's are put back);
- ``scheduler``: the scrapy-redis scheduler using it, with heartbeats and acks;
- ``politeness``: per-host concurrency across all workers;
- ``robots``: robots.txt read once per crawl and shared by its workers;
- ``figures``: each worker's figures published for the coordinator;
- ``outage``: a Redis outage waited out;
- ``spider``: the reports spider for a shared crawl (closes when the whole crawl is done);
- ``seeding``: the start requests, through the shared dupefilter;
- ``settings``: the Scrapy settings layer of a distributed crawl;
- ``worker_process``: the crawl child process of a ``nianbao worker``.
"""
