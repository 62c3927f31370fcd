"""A real crawl of a loopback site whose report links the hostile corpus as attachments:
the crawl completes, its own process stays small (documents are read in isolated
workers), every hostile attachment is archived and its failure recorded, and the report
around them is read."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from localsite import FAST, REPORT, Answer, archive_for, failures, html, listing
from test_hostile_documents import EXPECTED, check_outcome
from test_hostile_documents import corpus as corpus  # the session fixture

from crawler.attachments import sniff_file_type
from crawler.run import crawl

MiB = 1024 * 1024
SERVED = sorted(
    name
    for name in EXPECTED
    # HTML "attachments" are pages to the crawler (and 60/200 MB bodies would test the
    # downloader's size limit); the slowest bounded documents are read in
    # test_hostile_documents already
    if not name.endswith(".html")
    and name not in ("broken/empty.pdf", "many-pages.ofd", "pages-100k.pdf")
)


def test_a_crawl_of_hostile_attachments_completes_and_records_them(
    tmp_path: Path, make_site, corpus: dict[str, Path]
) -> None:
    links = "".join(
        f'<li><a href="/download/{quote(name)}">{name.rsplit("/", 1)[-1]}</a></li>'
        for name in SERVED
    )
    routes = {
        "/col/index.html": listing(("/a.html", REPORT)),
        "/a.html": html(
            f"<h1>{REPORT}</h1><p>一、总体情况</p><p>附件：</p><ul>{links}</ul>", title=REPORT
        ),
    }
    for name in SERVED:
        routes[f"/download/{quote(name)}"] = Answer(
            200,
            corpus[name].read_bytes(),
            {
                "Content-Type": "application/octet-stream",
                "Content-Disposition": f'attachment; filename="{name.rsplit("/", 1)[-1]}"',
            },
        )
    site = make_site(routes)
    archive = archive_for(tmp_path, site)
    summary = crawl(
        archive,
        settings_overrides={
            **FAST,
            "DOWNLOAD_TIMEOUT": 30,
            "MEMUSAGE_ENABLED": True,
            "MEMUSAGE_CHECK_INTERVAL_SECONDS": 0.2,
        },
    )
    assert summary.sites["ceshi-gov"].reports_found == 1
    for name in SERVED:
        assert site.hits.get(f"/download/{quote(name)}") == 1, name
    # the crawl process itself: its peak resident memory (Scrapy's memusage extension).
    # It holds what it downloads (up to DOWNLOAD_MAXSIZE each, a few at once, until their
    # group is archived: 200 MB and 60 MB bodies among them), never what reading them
    # takes (gigabytes, in the issue): within the 1 GB whatever the timing.
    assert summary.stats["memusage/max"] < 1024 * MiB, summary.stats["memusage/max"]

    recorded = {
        str(f["url"]).rsplit("/download/", 1)[-1]: str(f["detail"])
        for f in failures(archive).get("extraction", [])
    }
    documents = {
        doc.url.rsplit("/download/", 1)[-1]: doc for doc in archive.known_documents("ceshi-gov")
    }
    for name in SERVED:
        key = quote(name)
        error = recorded.get(key)
        if sniff_file_type(corpus[name].read_bytes(), name) is None:
            # not a document at all for the crawler (no known signature)
            assert error == "attachment link did not return a document", (name, error)
            continue
        assert key in documents, f"{name} was not archived"
        kind, _ = EXPECTED[name]
        if kind == "error":
            check_outcome(name, error, "")
        elif kind == "read":
            assert error is None, (name, error)
    # the report page itself was read normally
    [report] = [doc for doc in archive.known_documents("ceshi-gov") if doc.role == "report"]
    assert report.title == REPORT
