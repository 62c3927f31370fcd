"""An article split over pages: its further parts are found from its pager, whatever its
form, and nothing else on the page is taken for a part."""

from __future__ import annotations

from crawler.adapters.types import ListingPage
from crawler.anchors import extract_anchors
from crawler.listings.article_parts import article_parts

FIRST = "http://h.example/XXGK/NDBG/202501/t20250102_10066.html"


def parts(url: str, html: str, parent: str | None = None) -> list[str]:
    return article_parts(ListingPage(url=url, text=html), extract_anchors(html, url), parent)


def test_a_trs_script_pager_names_the_parts() -> None:
    html = (
        "<div class='article'>一、总体情况</div><script>function createPageHTML(n,c,name,ext)"
        "{for(var i=0;i<n;i++){document.write(i==0?name+'.'+ext:name+'_'+i+'.'+ext);}}"
        'createPageHTML(3, 0, "t20250102_10066", "html");</script>'
        "<a href='../index_1.html'>2</a> <a href='t20250101_999.html'>上一篇</a>"
    )
    assert parts(FIRST, html) == [
        "http://h.example/XXGK/NDBG/202501/t20250102_10066_1.html",
        "http://h.example/XXGK/NDBG/202501/t20250102_10066_2.html",
    ]


def test_numbered_links_from_a_later_part_name_the_first_parts_siblings() -> None:
    second = FIRST.replace(".html", "_1.html")
    html = (
        "<a href='t20250102_10066.html'>1</a> <a href='t20250102_10066_1.html'>2</a> "
        "<a href='t20250102_10066_2.html'>3</a> <a href='t20250102_10066_2.html'>下一页</a>"
    )
    assert parts(second, html, parent=FIRST) == [FIRST.replace(".html", "_2.html")]


def test_a_page_without_parts_has_none() -> None:
    html = (
        "<div class='article'>正文</div><a href='../index_1.html'>2</a>"
        "<a href='../index_2.html'>3</a><a href='t20250102_10067.html'>下一篇</a>"
    )
    assert parts(FIRST, html) == []
    assert parts(FIRST, "<p>正文</p>") == []
