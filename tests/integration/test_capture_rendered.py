"""A page whose body only a browser shows: the crawler's rendered DOM is extracted with
the page and kept in WARC as a ``conversion`` record referring to the response; a
re-extraction reads it back (issue 11)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from archive_helpers import fetched, setup_archive
from html_variants import seed_body
from paths import SEED_LABELS
from warcio.archiveiterator import ArchiveIterator

from capture.fixity import verify
from capture.reader import read_rendered
from query.reextract import reextract
from query.stats import iter_stats

URL = "http://www.ninghai.gov.cn/gkmlpt/content/3/3678/post_3678466.html"
WARCIO = str(Path(sys.executable).parent / "warcio")


def _shell_and_dom() -> tuple[bytes, bytes]:
    """A shell whose article arrives by XHR (nothing of it in the served bytes), and the
    DOM the browser shows after the scripts ran."""
    title, blocks = seed_body(0)
    shell = (
        "<html><head><meta charset='utf-8'><title>长街镇</title>"
        "<script src='/gkmlpt/static/js/detail.js'></script></head><body>"
        "<div class='nav'><a href='/'>首页</a></div><div id='app'>正在加载……</div>"
        "<div class='footer'>访问量：45678</div></body></html>"
    ).encode()
    dom = (
        "<html><head><meta charset='utf-8'><title>长街镇</title></head><body>"
        "<div class='nav'><a href='/'>首页</a></div><div id='app'><div class='article'>"
        f"<h1>{title}</h1>{''.join(blocks)}</div></div>"
        "<div class='footer'>访问量：45678</div></body></html>"
    ).encode()
    return shell, dom


def test_rendered_dom_is_extracted_and_archived(archive) -> None:
    label = json.loads(next(SEED_LABELS.glob("000_*.json")).read_text("utf-8"))
    shell, dom = _shell_and_dom()
    rec = setup_archive(archive)
    result = rec.record(fetched(URL, shell, rendered_html=dom, title="长街镇2020年报", year=2020))
    rec.close()
    assert result.extraction_error is None and result.version_id is not None
    [stats] = list(iter_stats(archive))
    assert stats["values"] == label["values"]

    [warc] = list(archive.warc_dir.glob("*.warc.gz"))
    with open(warc, "rb") as fh:
        records = [
            (r.rec_type, dict(r.rec_headers.headers), r.content_stream().read())
            for r in ArchiveIterator(fh)
        ]
    kinds = [kind for kind, _, _ in records]
    assert kinds == ["warcinfo", "response", "conversion", "request"]
    response, conversion = records[1][1], records[2][1]
    assert conversion["WARC-Refers-To"] == response["WARC-Record-ID"]
    assert conversion["WARC-Target-URI"] == URL
    assert conversion["Content-Type"].startswith("text/html")
    assert records[1][2] == shell and records[2][2] == dom  # the evidence as served + seen
    out = subprocess.run([WARCIO, "check", str(warc)], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert verify(archive.warc_dir, archive.indexed_records())[1] == []
    location = archive.capture_location(result.capture_id)
    assert read_rendered(archive.warc_dir, location) == dom


def test_reextraction_reads_the_rendered_dom_back(archive, monkeypatch) -> None:
    from extract import document

    label = json.loads(next(SEED_LABELS.glob("000_*.json")).read_text("utf-8"))
    shell, dom = _shell_and_dom()
    rec = setup_archive(archive)
    rec.record(fetched(URL, shell, rendered_html=dom, title="长街镇2020年报", year=2020))
    rec.close()
    # a new parser version in this process only: extraction must run here, not in a
    # worker process (which would run the unpatched code)
    monkeypatch.setattr("extract.ipc._in_worker", True)
    monkeypatch.setattr(document, "PARSER_VERSION", "99.0.0")
    assert reextract(archive) == (1, 0)
    [stats] = list(iter_stats(archive))
    assert stats["parser_version"] == "99.0.0" and stats["values"] == label["values"]


def test_page_without_rendered_dom_has_no_conversion_record(archive) -> None:
    shell, _ = _shell_and_dom()
    rec = setup_archive(archive)
    result = rec.record(fetched(URL, shell))
    rec.close()
    assert read_rendered(archive.warc_dir, archive.capture_location(result.capture_id)) is None
