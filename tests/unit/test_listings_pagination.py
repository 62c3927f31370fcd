"""crawler.listings: every page of a listing from every kind of evidence (field guide §1.1,
§1.3, §1.5, §1.7, §3), nothing that is not a page of the same listing, and — on webs the
tests did not write — every page of every generated listing reached from its first page."""

from __future__ import annotations

import importlib.util
import sys
from urllib.parse import parse_qsl, urlsplit

import pytest
from paths import REPO

from crawler.adapters.types import ListingFetch, ListingFormat, ListingPage
from crawler.anchors import extract_anchors
from crawler.listings import hanweb, listing_fetches_for, pagination_fetches
from crawler.listings.series import listing_key

BENCHMARK = REPO / "benchmarks" / "listings.py"
COL = "http://www.example.gov.cn/zwgk/xxgknb/"


def fetches(url: str, body: str, *, max_pages: int = 200, key: str = "") -> list[ListingFetch]:
    html = f"<html><body>{body}</body></html>"
    page = ListingPage(url, html, listing_key=key)
    anchors = extract_anchors(html, url)
    if hanweb.is_hanweb_page(html):
        anchors += extract_anchors(hanweb.records_html(html), url)
    return pagination_fetches(page, anchors, max_pages=max_pages)


def urls(found: list[ListingFetch]) -> list[str]:
    return [f.url for f in found]


def numbers(found: list[ListingFetch]) -> list[int | None]:
    return [f.page_number for f in found]


ARTICLES = (
    "<ul>"
    '<li><a href="./202403/t20240301_123.html">2023年政府信息公开工作年度报告</a><span>2024-03-01</span></li>'
    '<li><a href="./202302/t20230210_99.html">2022年度报告</a><span>2023-02-10</span></li>'
    "</ul>"
)

# ------------------------------------------------------------------ createPageHTML


def test_classic_four_arguments_zero_based() -> None:
    found = fetches(
        COL + "index.html", ARTICLES + '<script>createPageHTML(4, 0, "index", "html");</script>'
    )
    assert urls(found) == [COL + "index_1.html", COL + "index_2.html", COL + "index_3.html"]
    assert numbers(found) == [2, 3, 4]
    assert {f.listing_key for f in found} == {listing_key(COL + "index.html")}
    assert all(f.method == "GET" and f.format == ListingFormat.HTML for f in found)


def test_classic_form_from_a_middle_page_returns_the_others() -> None:
    found = fetches(COL + "index_2.html", '<script>createPageHTML(4, 2, "index", "html");</script>')
    assert urls(found) == [COL + "index.html", COL + "index_1.html", COL + "index_3.html"]
    assert numbers(found) == [1, 2, 4]


def test_six_arguments_with_record_total() -> None:
    found = fetches(
        COL + "index.shtml",
        '<script>createPageHTML(3, 0, "index", "shtml", "black2", 25);</script>',
    )
    assert urls(found) == [COL + "index_1.shtml", COL + "index_2.shtml"]


def test_list_prefix() -> None:
    found = fetches(COL + "list.html", "<script>createPageHTML(3, 0, 'list', 'html');</script>")
    assert urls(found) == [COL + "list_1.html", COL + "list_2.html"]


def test_article_paging_prefix() -> None:
    url = "http://www.example.gov.cn/zwgk/xxgknb/202403/t20151009_67430.html"
    found = fetches(url, '<script>createPageHTML(3, 0, "t20151009_67430", "html");</script>')
    assert urls(found) == [url.replace(".html", "_1.html"), url.replace(".html", "_2.html")]


def test_div_first_form_is_one_based() -> None:
    found = fetches(
        COL + "index.html",
        "<div id='page_div'></div><script>createPageHTML('page_div', 3, 1, 'index', 'html', 40);</script>",
    )
    assert urls(found) == [COL + "index_2.html", COL + "index_3.html"]
    assert numbers(found) == [2, 3]


def test_div_first_form_with_no_records_pages_nothing() -> None:
    found = fetches(
        COL + "index.html", "<script>createPageHTML('page_div', 3, 1, 'index', 'html', 0);</script>"
    )
    assert found == []


def test_inline_definition_is_skipped_for_the_call() -> None:
    definition = (
        "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){"
        "for(var i = 1; i < _nPageCount; i++){document.write('<a href=\"' + _sPageName + '_' + i"
        " + '.' + _sPageExt + '\">' + (i + 1) + '</a>');}}"
    )
    found = fetches(
        COL + "index.html",
        f'<script>{definition}\ncreatePageHTML(3, 0, "index", "html");</script>',
    )
    assert urls(found) == [COL + "index_1.html", COL + "index_2.html"]


def test_div_first_definition_before_the_call() -> None:
    definition = (
        "function createPageHTML(divName, _nPageCount, _nCurrIndex, _sPageName, _sPageExt, _nPageSum){"
        "if(_nPageSum == 0){return;}}"
    )
    found = fetches(
        COL + "index.html",
        f"<script>{definition}</script><script>createPageHTML('d', 2, 1, 'index', 'html', 9);</script>",
    )
    assert urls(found) == [COL + "index_2.html"]


def test_arguments_held_in_variables() -> None:
    found = fetches(
        COL + "index.html",
        '<script>var countPage = 3; var currentPage = 0;\ncreatePageHTML(countPage, currentPage, "index", "html");</script>',
    )
    assert urls(found) == [COL + "index_1.html", COL + "index_2.html"]


def test_float_count_and_max_pages_cap() -> None:
    found = fetches(
        COL + "index.html",
        '<script>createPageHTML(714.0, 0, "index", "html");</script>',
        max_pages=5,
    )
    assert len(found) == 4 and found[-1].url == COL + "index_4.html"


def test_base_href_resolves_script_names() -> None:
    found = fetches(
        "http://www.example.gov.cn/some/other/path.html",
        '<base href="http://www.example.gov.cn/zwgk/xxgknb/">'
        '<script>createPageHTML(2, 0, "index", "html");</script>',
    )
    assert urls(found) == [COL + "index_1.html"]


def test_folder_url_counts_as_the_first_page() -> None:
    found = fetches(COL, '<script>createPageHTML(2, 0, "index", "html");</script>')
    assert urls(found) == [COL + "index_1.html"]


# ------------------------------------------------------------------ page-count variables


def test_inline_count_variables_document_write() -> None:
    script = (
        "var currentPage = 0;//所在页从0开始\nvar countPage = 3//共多少页\n"
        "var nextPage = currentPage + 1;\n"
        'if (nextPage < countPage) { document.write("<a href=\\"index_" + nextPage + ".html\\">下一页</a>"); }'
    )
    found = fetches(COL + "index.html", f"<script>{script}</script>")
    assert urls(found) == [COL + "index_1.html", COL + "index_2.html"]


def test_jump_box_bound_with_concatenated_names() -> None:
    script = (
        "function pageJump(){ var ele = document.getElementById('jumpPage');"
        "if (ele.value > (4) || ele.value < 1) { return; }"
        "location.href = (ele.value == 1) ? 'index.html' : 'index_' + (ele.value - 1) + '.html';}"
    )
    found = fetches(COL + "index.html", f'共40条 <input id="jumpPage"><script>{script}</script>')
    assert urls(found) == [COL + "index_1.html", COL + "index_2.html", COL + "index_3.html"]


def test_jump_box_one_based_names() -> None:
    script = "if (ele.value > (3)) {return;} location.href = 'list_' + ele.value + '.html';"
    found = fetches(COL + "list.html", f"<script>{script}</script>")
    assert urls(found) == [COL + "list_2.html", COL + "list_3.html"]


def test_total_pages_variable_extends_query_links() -> None:
    url = "http://xxgk.example.gov.cn/list.jsp?catid=5"
    body = '<script>var totalPage = 4;</script><a href="list.jsp?catid=5&amp;page=2">下一页</a>'
    found = fetches(url, body)
    assert urls(found) == [url + f"&page={n}" for n in (2, 3, 4)]


def test_total_record_and_per_page_float() -> None:
    url = "http://xxgk.example.gov.cn/list.jsp?catid=5"
    body = '<script>var totalRecord=714.0; var perPage = 300;</script><a href="list.jsp?catid=5&amp;pageNum=2">2</a>'
    assert urls(fetches(url, body)) == [url + "&pageNum=2", url + "&pageNum=3"]


# ------------------------------------------------------------------ pager links


def test_numbered_window_returns_what_is_linked() -> None:
    url = "http://xxgk.example.gov.cn/list.jsp?catid=5&curPage=6"
    body = (
        "".join(f'<a href="/list.jsp?catid=5&amp;curPage={n}">{n}</a> ' for n in (4, 5, 7, 8))
        + '<a href="/list.jsp?catid=5&amp;curPage=7">下一页</a>'
    )
    found = fetches(url, body)
    assert [dict(parse_qsl(urlsplit(u).query))["curPage"] for u in urls(found)] == [
        "4",
        "5",
        "7",
        "8",
    ]
    assert numbers(found) == [4, 5, 7, 8]


def test_last_page_link_gives_the_total() -> None:
    url = "http://xxgk.example.gov.cn/openInfo.action?depCode=1&menuCat=219"
    body = (
        '<a href="openInfo.action?depCode=1&amp;menuCat=219&amp;pageIndex=2">下一页</a>'
        '<a href="openInfo.action?depCode=1&amp;menuCat=219&amp;pageIndex=5">尾页</a>'
    )
    found = fetches(url, body)
    assert numbers(found) == [2, 3, 4, 5]
    assert urls(found)[1] == url + "&pageIndex=3"


def test_next_only_returns_the_next_page() -> None:
    url = "http://xxgk.example.gov.cn/info/iList.jsp?node_id=GK1&cat_id=15"
    found = fetches(url, '<a href="iList.jsp?node_id=GK1&amp;cat_id=15&amp;cur_page=2">下一页</a>')
    assert urls(found) == [url + "&cur_page=2"]
    assert numbers(found) == [2]


@pytest.mark.parametrize(
    "param", ["page", "pageNum", "curPage", "cur_page", "currpage", "pageIndex", "pageNumber", "p"]
)
def test_page_parameters(param: str) -> None:
    url = "http://xxgk.example.gov.cn/col/list.aspx?cid=3"
    body = f'<a href="list.aspx?cid=3&amp;{param}=2">2</a><a href="list.aspx?cid=3&amp;{param}=9">末页</a>'
    found = fetches(url, body)
    assert numbers(found) == list(range(2, 10))
    assert found[0].url == url + f"&{param}=2"


def test_zero_based_page_parameter() -> None:
    url = "http://xxgk.example.gov.cn/list.do?col=8"
    body = '<a href="list.do?col=8&amp;page=1">2</a><a href="list.do?col=8&amp;page=2">3</a><a href="list.do?col=8&amp;page=3">尾页</a>'
    found = fetches(url, body)
    assert urls(found) == [url + "&page=1", url + "&page=2", url + "&page=3"]
    assert numbers(found) == [2, 3, 4]


def test_offset_in_records() -> None:
    url = "http://www.example.gov.cn/zfxxgk/list.jsp?channel=9"
    body = (
        '<a href="list.jsp?channel=9&amp;offset=15">2</a><a href="list.jsp?channel=9&amp;offset=30">3</a>'
        '<a href="list.jsp?channel=9&amp;offset=60">末页</a>'
    )
    found = fetches(url, body)
    assert [dict(parse_qsl(urlsplit(u).query))["offset"] for u in urls(found)] == [
        "15",
        "30",
        "45",
        "60",
    ]


def test_offset_next_only() -> None:
    url = "http://www.example.gov.cn/zfxxgk/list.jsp?channel=9&offset=15"
    found = fetches(url, '<a href="list.jsp?channel=9&amp;offset=30">下一页</a>')
    assert urls(found) == ["http://www.example.gov.cn/zfxxgk/list.jsp?channel=9&offset=30"]
    assert numbers(found) == [3]


def test_static_numbered_links_zero_based() -> None:
    body = (
        '<a href="index_1.html">2</a> <a href="index_2.html">3</a> <a href="index_9.html">尾页</a>'
    )
    found = fetches(COL + "index.html", body)
    assert numbers(found) == list(range(2, 11))
    assert found[0].url == COL + "index_1.html" and found[-1].url == COL + "index_9.html"


def test_static_numbered_links_one_based() -> None:
    body = '<a href="list_2.htm">2</a> <a href="list_3.htm">3</a> <a href="list_4.htm">末页</a>'
    found = fetches(COL + "list.htm", body)
    assert urls(found) == [COL + "list_2.htm", COL + "list_3.htm", COL + "list_4.htm"]
    assert numbers(found) == [2, 3, 4]


def test_static_next_only_tells_the_base() -> None:
    assert numbers(fetches(COL + "index.html", '<a href="index_2.html">下一页</a>')) == [2]
    assert numbers(fetches(COL + "index.html", '<a href="index_1.html">下一页</a>')) == [2]


def test_greater_than_signs_and_brackets() -> None:
    url = "http://xxgk.example.gov.cn/list.php?id=4"
    body = (
        '<a href="list.php?id=4&amp;page=2">[2]</a><a href="list.php?id=4&amp;page=2">&gt;&gt;</a>'
    )
    assert numbers(fetches(url, body)) == [2]


def test_session_ids_are_kept_but_do_not_split_the_listing() -> None:
    url = "http://xxgk.example.gov.cn/xxgk/ndbg/list.jsp?page=1"
    body = '<a href="/xxgk/ndbg/list.jsp?page=2&amp;sid=ABCDEF">下一页</a>'
    found = fetches(url, body)
    assert urls(found) == ["http://xxgk.example.gov.cn/xxgk/ndbg/list.jsp?page=2&sid=ABCDEF"]
    assert found[0].listing_key == listing_key(url)


def test_hanweb_human_paging_with_uid() -> None:
    url = "http://www.example.gov.cn/col/col42150/index.html"
    body = '<a href="index.html?uid=380055&amp;pageNum=2">2</a> <a href="index.html?uid=380055&amp;pageNum=3">3</a>'
    assert urls(fetches(url, body)) == [
        url + "?uid=380055&pageNum=2",
        url + "?uid=380055&pageNum=3",
    ]


def test_pages_past_the_linked_window_keep_the_parameters_the_links_carry() -> None:
    # a declared total (Hanweb <totalpage>) expands the series beyond the linked window: the
    # pages it names carry the links' uid, which the first page's own URL lacks (a series
    # built on the page's URL asked for index.html?pageNum=N, each a 404)
    url = "http://www.example.gov.cn/col/col42150/index.html"
    body = (
        "<script>var totalPage = 6;</script>"
        '<a href="index.html?uid=380055&amp;pageNum=2">2</a> '
        '<a href="index.html?uid=380055&amp;pageNum=3">3</a>'
    )
    assert urls(fetches(url, body)) == [url + f"?uid=380055&pageNum={n}" for n in range(2, 7)]


def test_listing_key_is_carried_from_the_page() -> None:
    found = fetches(COL + "index_1.html", '<a href="index_2.html">下一页</a>', key="the-listing")
    assert [f.listing_key for f in found] == ["the-listing"]
    assert listing_key(COL + "index_3.html") == listing_key(COL + "index.html")
    assert listing_key(COL + "list.jsp?c=1&page=3") == listing_key(COL + "list.jsp?page=1&c=1")
    assert listing_key(COL + "list.jsp?c=1") != listing_key(COL + "list.jsp?c=2")


def test_iframe_pager() -> None:
    src = "/pagemore/iframePagerIndex_12344_2_22.html?objtype=1&page=1"
    found = fetches(
        "http://service.example.gov.cn/xxgk/index.html", f'<iframe src="{src}"></iframe>'
    )
    assert urls(found) == ["http://service.example.gov.cn" + src]


# ------------------------------------------------------------------ forms


def test_get_jump_form_with_total() -> None:
    url = "http://xxgk.example.gov.cn/list.asp?classid=40"
    body = (
        "<span>共47条记录 共5页 当前第1页</span>"
        '<form action="/list.asp" method="get"><input type="hidden" name="classid" value="40">'
        '<input type="text" name="p" value="1" size="3"><input type="submit" value="跳转"></form>'
    )
    found = fetches(url, body)
    assert urls(found) == [url + f"&p={n}" for n in (2, 3, 4, 5)]
    assert numbers(found) == [2, 3, 4, 5]


def test_get_jump_form_unnamed_field_with_go_button() -> None:
    url = "http://xxgk.example.gov.cn/gk/list.php?cat=2"
    body = (
        "<div>第1/3页</div><form action='list.php'><input type='hidden' name='cat' value='2'>"
        "<input name='jump' size='2'><input type='submit' value='GO'></form>"
    )
    assert urls(fetches(url, body)) == [url + "&jump=2", url + "&jump=3"]


def test_get_jump_form_in_records() -> None:
    url = "http://xxgk.example.gov.cn/list.jsp?catid=27"
    rows = "".join(
        f'<tr><td><a href="/content.jsp?id={i}">第{i}条信息</a></td><td>2024-01-{i + 1:02d}</td></tr>'
        for i in range(8)
    )
    body = (
        f"<table>{rows}</table><span>共25条记录 共4页</span>"
        '<form action="/list.jsp" method="get"><input type="hidden" name="catid" value="27">'
        '<input type="text" name="offset" value="0"><input type="submit" value="跳转"></form>'
    )
    assert urls(fetches(url, body)) == [url + f"&offset={n}" for n in (8, 16, 24)]


# ------------------------------------------------------------------ WebForms


def webform(pager: str, page: int = 1) -> str:
    return (
        '<form name="aspnetForm" method="post" action="./InfoPublic.aspx?cid=1019&amp;pid=971" id="aspnetForm">'
        '<input type="hidden" name="__EVENTTARGET" value="" />'
        '<input type="hidden" name="__EVENTARGUMENT" value="" />'
        f'<input type="hidden" name="__VIEWSTATE" value="STATE{page}" />'
        '<input type="hidden" name="__VIEWSTATEGENERATOR" value="CA0B0334" />'
        '<input type="hidden" name="__EVENTVALIDATION" value="EV" />'
        '<input type="submit" name="search" value="搜索" />'
        '<ul><li><a href="Detail.aspx?id=5">2023年度报告</a> 2024-01-02</li></ul>'
        f"{pager}</form>"
    )


ASPX = "http://www.example.gov.cn/InfoPublic.aspx?cid=1019&pid=971"


def test_aspnetpager_postbacks_carry_the_form_state() -> None:
    target = "ctl00$ContentMain$AspNetPager1"
    pager = "<span>1</span>" + "".join(
        f"<a href=\"javascript:__doPostBack('{target}','{n}')\">{n}</a>" for n in (2, 3)
    )
    found = fetches(ASPX, webform(pager))
    assert numbers(found) == [2, 3]
    body = dict(parse_qsl(found[0].body, keep_blank_values=True))
    assert body["__EVENTTARGET"] == target and body["__EVENTARGUMENT"] == "2"
    assert body["__VIEWSTATE"] == "STATE1" and body["__EVENTVALIDATION"] == "EV"
    assert "search" not in body
    assert found[0].method == "POST" and found[0].url == ASPX
    assert found[0].headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert found[0].format == ListingFormat.HTML


def test_aspnetpager_window_with_declared_total() -> None:
    pager = (
        "共12页 <span>1</span>"
        + "".join(
            f"<a href=\"javascript:__doPostBack('AspNetPager1','{n}')\">{n}</a>"
            for n in range(2, 6)
        )
        + "<a href=\"javascript:__doPostBack('AspNetPager1','12')\">尾页</a>"
    )
    found = fetches(ASPX, webform(pager))
    assert sorted(n for n in numbers(found) if n is not None) == list(range(2, 13))


def test_gridview_next_postback() -> None:
    target = "ctl00$ContentPlaceHolder1$GridView1$ctl23$LinkButtonNextPage"
    found = fetches(ASPX, webform(f"<a href=\"javascript:__doPostBack('{target}','')\">下一页</a>"))
    assert len(found) == 1
    assert dict(parse_qsl(found[0].body, keep_blank_values=True))["__EVENTTARGET"] == target


def test_row_commands_and_other_postbacks_are_not_pages() -> None:
    pager = (
        "<a href=\"javascript:__doPostBack('GridView1','Select$0')\">查看</a>"
        "<a href=\"javascript:__doPostBack('ctl00$Menu1','news')\">新闻中心</a>"
    )
    assert fetches(ASPX, webform(pager)) == []


# ------------------------------------------------------------------ Hanweb

DATASTORE = (
    '<div id="3752"><script type="text/xml"><datastore>'
    "<nextgroup><![CDATA[{nextgroup}]]></nextgroup><recordset>"
    + "".join(
        f'<record><![CDATA[<li><a href="/art/2024/1/{i}/art_1229_{i}.html" title="标题{i}">标题{i}</a><span>2024-01-0{i}</span></li>]]></record>'
        for i in range(1, 6)
    )
    + "</recordset><totalrecord>23</totalrecord><totalpage>5</totalpage></datastore></script></div>"
)
NEXTGROUP = '<a href="/module/web/jpage/dataproxy.jsp?page=2&appid=1&webid=3&path=/&columnid=1229&unitid=3752&webname=x&permissiontype=0"></a>'
HANWEB_COL = "http://www.example.gov.cn/col/col1229/index.html"


def test_hanweb_post_record_range() -> None:
    found = fetches(HANWEB_COL, DATASTORE.format(nextgroup=NEXTGROUP))
    assert len(found) == 1
    fetch = found[0]
    assert fetch.method == "POST" and fetch.format == ListingFormat.HANWEB_XML
    query = dict(parse_qsl(urlsplit(fetch.url).query))
    assert (query["startrecord"], query["endrecord"]) == ("6", "23")
    assert dict(parse_qsl(fetch.body))["columnid"] == "1229"
    assert fetch.headers["Referer"] == HANWEB_COL
    assert fetch.headers["X-Requested-With"] == "XMLHttpRequest"
    assert fetch.expected_records == 23


def test_hanweb_get_page_dialect_when_declared() -> None:
    body = (
        DATASTORE.format(nextgroup=NEXTGROUP) + '<script>jpage_load({"ajaxType": "GET"});</script>'
    )
    found = fetches(HANWEB_COL, body)
    assert [dict(parse_qsl(urlsplit(f.url).query))["page"] for f in found] == ["2", "3", "4", "5"]
    assert all(f.method == "GET" and f.format == ListingFormat.HANWEB_XML for f in found)
    assert numbers(found) == [2, 3, 4, 5]
    assert len({f.listing_key for f in found}) == 1


def test_hanweb_encrypted_nextgroup_pages_by_get() -> None:
    encrypted = '<a href="/module/web/jpage/morecolumndataproxy.jsp?page=2&vc=4d805e32ed9c"></a>'
    found = fetches(HANWEB_COL, DATASTORE.format(nextgroup=encrypted))
    assert [f.url.split("?")[1] for f in found][:2] == [
        "page=2&vc=4d805e32ed9c",
        "page=3&vc=4d805e32ed9c",
    ]


def test_hanweb_js_text_answer() -> None:
    answer = (
        "\n\n\n\ntotalRecord=714.0;totalPage = 27;dataStore = [\n"
        '"<li><a href=\\"/art/2020/1/2/art_1_2.html\\">报告</a></li>",\n'
        '"<li><a href=\\"/art/2020/1/3/art_1_3.html\\">通知</a></li>"\n];'
    )
    assert hanweb.records_html(answer).count("<li>") == 2
    assert hanweb.total_records(answer) == 714
    request = "http://x.gov.cn/module/jslib/jquery/jpage/dataproxy.jsp?startrecord=1&endrecord=2&perpage=27"
    more = hanweb.follow_up_fetches(answer, request, "columnid=5&unitid=7", listing_key="k")
    assert len(more) == 1 and "startrecord=3" in more[0].url and more[0].listing_key == "k"


def test_hanweb_everything_embedded_needs_nothing() -> None:
    small = DATASTORE.replace("<totalrecord>23</totalrecord>", "<totalrecord>5</totalrecord>")
    assert fetches(HANWEB_COL, small.format(nextgroup="")) == []


# ------------------------------------------------------------------ what is not a page


def test_article_list_with_numbers_and_dates_is_not_a_pager() -> None:
    body = (
        "<ul>"
        '<li><a href="202401/t20240102_1.html">2</a><span>2024-01-02</span></li>'
        '<li><a href="/art/2023/5/6/art_1_2.html">2023</a><span>2023-05-06</span></li>'
        '<li><a href="detail.jsp?id=3">3</a></li>'
        '<li><a href="index_2023.html">2023年度报告</a></li>'
        "</ul>"
    )
    assert fetches(COL + "index.html", body) == []


def test_other_columns_are_not_pages() -> None:
    url = "http://xxgk.example.gov.cn/list.jsp?catid=5"
    body = (
        '<a href="list.jsp?catid=6">2</a>'
        '<a href="list.jsp?catid=6&amp;page=2">下一页</a>'
        '<a href="/other/list.jsp?catid=5&amp;page=2">2</a>'
        '<a href="http://elsewhere.gov.cn/list.jsp?catid=5&amp;page=2">2</a>'
        '<a href="../gzdt/index_1.html">2</a>'
    )
    assert fetches(url, body) == []


def test_calendar_links_are_not_pages() -> None:
    url = "http://www.example.gov.cn/hd/calendar.jsp?date=2024-05-01"
    body = (
        '<a href="calendar.jsp?date=2024-05-02">下一页</a>'
        '<a href="calendar.jsp?date=2024-04-30">上一页</a>'
        '<a href="calendar.jsp?year=2024&amp;month=6">6</a>'
    )
    assert fetches(url, body) == []


def test_search_form_is_not_a_pager() -> None:
    body = (
        "共5页"
        '<form action="/search/s" method="get"><input name="q"><input name="page" value="1">'
        '<input type="submit" value="搜索"></form>'
        '<form action="/was5/web/search" method="get"><input type="text" name="searchword">'
        '<input type="submit" value="GO"></form>'
    )
    assert fetches(COL + "index.html", body) == []


def test_declared_total_without_naming_guesses_nothing() -> None:
    assert fetches(COL + "index.html", "<span>共12页</span>" + ARTICLES) == []
    assert fetches(COL + "index.html", "<script>var pages = 3; var pageSize = 10;</script>") == []


def test_the_page_itself_is_never_returned() -> None:
    body = '<a href="index.html">1</a><a href="index_1.html">2</a><a href="./">首页</a>'
    assert urls(fetches(COL + "index.html", body)) == [COL + "index_1.html"]


def test_listing_fetches_for_is_the_spider_entry() -> None:
    html = '<script>createPageHTML(2, 0, "index", "html");</script>'
    page = ListingPage(COL + "index.html", html)
    assert urls(listing_fetches_for(page, [], 200)) == [COL + "index_1.html"]


# ------------------------------------------------------------------ generated webs


def test_every_page_of_every_generated_listing_is_reached() -> None:
    """On a generated web (all families, fixed seeds), iterating the package from each
    listing's first page through the loopback server reaches every page the truth lists."""
    spec = importlib.util.spec_from_file_location("listings_walk", BENCHMARK)
    assert spec is not None and spec.loader is not None
    walk = importlib.util.module_from_spec(spec)
    sys.modules["listings_walk"] = walk  # dataclasses look their module up
    spec.loader.exec_module(walk)
    results = [r for seed in (2, 8) for r in walk.run(seed, 40)]
    assert len(results) >= 20
    assert {r.family for r in results} >= {"aspnet", "legacy", "trs", "hanweb"}
    incomplete = [(r.site, r.missing) for r in results if r.reached != r.expected]
    assert incomplete == []


def test_pages_named_by_their_number() -> None:
    folder = "http://www.example.gov.cn/xxgk/nb/"
    body = '<a href="2.html">2</a><a href="3.html">3</a><a href="7.html">尾页</a><a href="2023.html">2023年报</a>'
    found = fetches(folder + "index.html", body)
    assert urls(found) == [folder + f"{n}.html" for n in range(2, 8)]
    assert numbers(found) == list(range(2, 8))


def test_page_function_with_url_template() -> None:
    url = "http://xxgk.example.gov.cn/list.jsp?catid=5"
    body = (
        "<script>function goPage(p){ window.location.href = 'list.jsp?catid=5&pageNo=' + p; }</script>"
        '<a href="javascript:goPage(2)">2</a> <a href="javascript:goPage(3)">3</a>'
        '<a href="#" onclick="goPage(2);return false;">下一页</a>'
    )
    found = fetches(url, body)
    assert urls(found) == [url + "&pageNo=2", url + "&pageNo=3"]
    assert numbers(found) == [2, 3]


def test_page_function_zero_based_with_total() -> None:
    url = "http://xxgk.example.gov.cn/gk/list.do?col=8"
    body = (
        "共4页 <script>function turn(i){ location.href = '/gk/list.do?col=8&curPage=' + i; }</script>"
        '<a href="javascript:turn(1)">2</a>'
    )
    assert numbers(fetches(url, body)) == [2, 3, 4]
    assert urls(fetches(url, body))[0] == url + "&curPage=1"


def test_page_function_to_another_listing_is_not_taken() -> None:
    url = "http://xxgk.example.gov.cn/list.jsp?catid=5"
    body = (
        "<script>function go(p){ location.href = '/search/s.jsp?q=x&page=' + p; }</script>"
        '<a href="javascript:go(2)">2</a>'
    )
    assert fetches(url, body) == []


def test_page_function_rewriting_the_current_url() -> None:
    url = "http://www.example.gov.cn/module/xxgk/search.jsp?infotypeId=NB3&jdid=1&currpage=1&sortfield=compaltedate:0"
    body = (
        '共14条 第1/3页 <a href="javascript:goPage(2)">下一页</a><script>function goPage(p)'
        "{location.href=location.href.replace(/currpage=\\d+/,'currpage='+p);}</script>"
    )
    found = fetches(url, body)
    assert [dict(parse_qsl(urlsplit(u).query))["currpage"] for u in urls(found)] == ["2", "3"]
    assert all(dict(parse_qsl(urlsplit(u).query))["jdid"] == "1" for u in urls(found))


def test_hanweb_load_more_proxy_pages_by_get() -> None:
    more = NEXTGROUP.replace(
        "/module/web/jpage/dataproxy.jsp", "/module/web/jpage/morecolumndataproxy.jsp"
    )
    found = fetches(HANWEB_COL, DATASTORE.format(nextgroup=more))
    assert all(f.method == "GET" and "morecolumndataproxy.jsp?page=" in f.url for f in found)
    assert numbers(found) == [2, 3, 4, 5]


def test_aspnetpager_last_page_postback_gives_the_total() -> None:
    pager = (
        "<span>1</span>"
        + "".join(
            f"<a href=\"javascript:__doPostBack('AspNetPager1','{n}')\">{n}</a>" for n in (2, 3)
        )
        + "<a href=\"javascript:__doPostBack('AspNetPager1','7')\">尾页</a>"
    )
    found = fetches(ASPX, webform(pager))
    assert sorted(n for n in numbers(found) if n is not None) == list(range(2, 8))


def test_a_short_page_probes_past_what_earlier_pages_declared_one_page_at_a_time() -> None:
    """A pager that runs on past the end (page 4 of 4 links pages 5, 6, 7, which repeat
    page 4): a page shorter than the listing's fullest may be its last, so of the pages it
    reveals beyond those asked for, only the next is asked for (seed 523901: three portal
    sites asked for 9 pages past their ends)."""
    from crawler.adapters.types import ListingFetch
    from crawler.discovery.navigation import Navigation
    from crawler.frontier import SiteFrontier
    from crawler.sitebook import SiteState
    from registry.model import Site

    state = SiteState(
        site=Site(id="a", agency_id="x", start_urls=["http://a.gov.cn/"]),
        frontier=SiteFrontier(threshold=0.2, max_depth=8, reserve=0.0),
    )

    def pages(*numbers: int) -> list[ListingFetch]:
        return [
            ListingFetch(url=f"http://a.gov.cn/list.jsp?page={n}", listing_key="L", page_number=n)
            for n in numbers
        ]

    def ask(found: list[ListingFetch]) -> None:
        for fetch in found:
            state.listing_pages.add(("L", fetch.page_number or 0))
            state.listing_highest["L"] = max(
                state.listing_highest.get("L", 0), fetch.page_number or 0
            )

    first = Navigation.past_the_end(state, "", 18, pages(2, 3, 4))
    assert [f.page_number for f in first] == [2, 3, 4]
    ask(first)
    full = Navigation.past_the_end(state, "L", 18, pages(1, 2, 3, 4, 5, 6))
    assert [f.page_number for f in full] == [1, 2, 3, 4, 5, 6]  # a full page: a wider window
    short = Navigation.past_the_end(state, "L", 9, pages(1, 2, 3, 4, 5, 6, 7))
    assert [f.page_number for f in short] == [1, 2, 3, 4, 5]
