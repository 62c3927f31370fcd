"""crawler.shells: script-filled listings recognised, their APIs found, answers read.

Small pages and answers per dialect of the field guide (§1.2 jpaas, §1.4 gkmlpt, §1.5,
§1.8, §3, §6), negative cases, and a walk over a generated variant web on loopback.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from crawler.adapters.types import ListingFetch, ListingPage
from crawler.shells import (
    api_fetches,
    detect_shell,
    entries,
    listing_complete,
    next_fetches,
    parse_json,
    report_fetches,
    script_links,
    script_sources,
)

GKMLPT = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开目录</title>
<script>window._CONFIG = {SID:'662021', SITE_NAME:"阳江市住房和城乡建设局", TREE:[
{"id": 50, "name": "机构职能", "children": [{"id": 51, "name": "内设机构", "children": [], "jump_url": ""}], "post_count": 3, "jump_url": ""},
{"id": 60, "name": "政策解读", "children": [], "post_count": 0, "jump_url": ""},
{"id": 721, "name": "政府信息公开工作年度报告", "children": [], "post_count": 7, "jump_url": ""},
{"id": 722, "name": "年报（2018年及以前）", "children": [], "post_count": 2, "jump_url": "http://www.yangjiang.gov.cn/yjzjj/zwgk/ndbg/index.html"}]};</script>
<link href=/gkmlpt/gkml/pc/css/app.1a2b.css rel=stylesheet></head>
<body><noscript><strong>请开启JavaScript</strong></noscript><div id=app></div>
<script src=/gkmlpt/gkml/pc/js/chunk-vendors.1a2b.js></script><script src=/gkmlpt/gkml/pc/js/chunk-common.1a2b.js></script></body></html>"""
GKMLPT_URL = "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/index"

JPAAS = """<html><head><meta name="ColumnName" content="政府信息公开年报"><title>年报</title></head><body>
<div class="main"><script url="/api-gateway/jpaas-publish-server/front/page/build/unit"
 queryData="{'webId':'3818','pageId':'8c0e2bd5a8e24dcc9c7b0b2d31b3a1f0','tplSetId':'52','pageType':'column','tagId':'右侧内容','editType':'null','pageSize':'15'}"
 type="text/javascript"></script></div><script src="/jpaas/static/js/unit.js"></script></body></html>"""
JPAAS_URL = "https://ggzyjy.jinhua.gov.cn/col/col1229431232/nb/index.html"

ORDINARY = """<html><head><title>通知公告</title>
<script src="/js/jquery-1.12.4.min.js"></script>
<script>var _hmt = _hmt || [];(function(){var hm=document.createElement("script");hm.src="https://hm.baidu.com/hm.js?abc";document.head.appendChild(hm);})();</script>
</head><body><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>
<ul class="list">%s</ul>
<div class="page"><script>createPageHTML(5, 0, "index", "html");</script></div>
<script>$.get('/visit/count.do?id=12');</script>
<div class="footer"><a href="/about.html">关于我们</a></div></body></html>""".replace(
    "%s",
    "".join(
        f'<li><a href="./202401/t20240110_{i}.html">通知{i}</a><span>2024-01-10</span></li>'
        for i in range(20)
    ),
)


def page(url: str, text: str) -> ListingPage:
    return ListingPage(url, text)


# ---------------------------------------------------------------- detection


def test_gkmlpt_shell_is_detected_with_its_reasons() -> None:
    evidence = detect_shell(page(GKMLPT_URL, GKMLPT))
    assert evidence is not None
    assert "config-object" in evidence.signals and "noscript" in evidence.signals
    assert evidence.content_links == 0 and "config-object" in evidence.reason


def test_jpaas_and_spa_and_loading_pages_are_shells() -> None:
    assert detect_shell(page(JPAAS_URL, JPAAS)) is not None
    spa = (
        '<html><body><div class="nav"><a href="/">首页</a></div><div id="app" data-column="4512"></div>'
        '<script src="/static/js/nb.8f3a.js"></script></body></html>'
    )
    evidence = detect_shell(page("http://x.gov.cn/zwgk/nb/2023/index.html", spa))
    assert evidence is not None and any(s.startswith("empty-container") for s in evidence.signals)
    loading = (
        "<html><body><div class='list'><p>正在加载，请稍候…</p></div>"
        "<script src='/js/list.js'></script></body></html>"
    )
    assert detect_shell(page("http://x.gov.cn/a/index.html", loading)) is not None
    vue = (
        "<html><body><ul id='news'><li v-for='x in rows'><a :href='x.url'>{{ x.title }}</a></li></ul>"
        "<script src='/js/vue.min.js'></script><script src='/js/page.js'></script></body></html>"
    )
    shell = detect_shell(page("http://x.gov.cn/b/", vue))
    assert shell is not None and "client-template" in shell.signals


def test_an_article_whose_body_a_script_writes_is_not_a_list_shell() -> None:
    detail = (
        '<html><head><script>window._CONFIG = {SID:\'2\', DETAIL: {"title": "某市2023年年报", '
        '"content": "\\u003Cp\\u003E正文\\u003C/p\\u003E", "attachment": [{"name": "年报.pdf", '
        '"url": "/attachment/0/1/1/1.pdf"}]}};</script></head><body><div id=app></div></body></html>'
    )
    url = "http://www.x.gov.cn/gkmlpt/content/0/1/post_1.html"
    assert detect_shell(page(url, detail)) is None and api_fetches(page(url, detail)) == []
    # its attachments are links all the same
    [link] = script_links(page(url, detail))
    assert (link.url, link.text) == ("http://www.x.gov.cn/attachment/0/1/1/1.pdf", "年报.pdf")


def test_server_rendered_listing_with_scripts_is_not_a_shell() -> None:
    ordinary = page("http://www.x.gov.cn/zwgk/tzgg/index.html", ORDINARY)
    assert detect_shell(ordinary) is None
    # the analytics loader, jQuery and a visit counter are not list APIs
    assert api_fetches(ordinary) == []
    assert script_sources(ordinary) == []
    assert detect_shell(page("http://x.gov.cn/", "<html><body><p>hello</p></body></html>")) is None


# ---------------------------------------------------------------- gkmlpt


def test_gkmlpt_fetches_per_tree_node_under_the_path_prefix_page_1_and_0() -> None:
    fetches = api_fetches(page(GKMLPT_URL, GKMLPT))
    urls = [f.url for f in fetches]
    base = "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/api/all/"
    assert urls[:2] == [f"{base}721?page=1&sid=662021", f"{base}721?page=0&sid=662021"]
    assert {f"{base}50?page=1&sid=662021", f"{base}51?page=1&sid=662021"} <= set(urls)
    assert not any("722" in u for u in urls)  # a jump_url node leaves the platform
    assert not any("/60?" in u for u in urls)  # an empty node has nothing to list
    first = fetches[0]
    assert first.label == "政府信息公开工作年度报告" and first.page_number == 1
    assert first.expected_records == 7
    assert first.headers["Referer"] == GKMLPT_URL
    assert first.headers["X-Requested-With"] == "XMLHttpRequest"
    assert first.headers["Accept"].startswith("application/json")
    assert [f.label for f in report_fetches(fetches)] == ["政府信息公开工作年度报告"] * 2
    links = script_links(page(GKMLPT_URL, GKMLPT))
    assert [(a.url, a.text) for a in links] == [
        ("http://www.yangjiang.gov.cn/yjzjj/zwgk/ndbg/index.html", "年报（2018年及以前）")
    ]


def test_gkmlpt_answer_records_urls_dates_attachments_and_pages() -> None:
    request = "http://www.yangjiang.gov.cn/yjzjj/gkmlpt/api/all/721?page=1&sid=662021"
    articles = [
        {
            "id": 963149,
            "title": "%u9633%u6C5F%u5E022023%u5E74%u653F%u5E9C%u4FE1%u606F%u516C%u5F00%u5DE5%u4F5C%u5E74%u5EA6%u62A5%u544A",
            "url": "",
            "date": 1706752800,
            "attachment": [{"name": "附件.pdf", "url": "/yjzjj/attachment/0/88/88389/963149.pdf"}],
        }
    ] + [
        {"id": 1000 + i, "title": f"文件{i}", "url": f"http://www.yangjiang.gov.cn/x/{i}.html"}
        for i in range(99)
    ]
    data = parse_json(json.dumps({"total": 202, "articles": articles}))
    anchors = entries(data, GKMLPT_URL, request)
    report = anchors[0]
    assert report.url == ("http://www.yangjiang.gov.cn/yjzjj/gkmlpt/content/0/963/post_963149.html")
    assert report.text == "阳江市2023年政府信息公开工作年度报告"
    assert report.published == "2024-02-01"
    assert anchors[1].url.endswith("/yjzjj/attachment/0/88/88389/963149.pdf")
    [fetch] = [f for f in api_fetches(page(GKMLPT_URL, GKMLPT)) if f.url == request]
    more = next_fetches(data, request, 200, fetch=fetch)
    assert [f.url.split("?")[1] for f in more] == ["page=2&sid=662021", "page=3&sid=662021"]
    assert all(f.headers == fetch.headers and f.listing_key == fetch.listing_key for f in more)
    # the attachment is not a record: 100 records a page, 202 records are 3 pages
    assert not listing_complete(data, request)
    assert listing_complete({"total": 1, "articles": articles[:1]}, request)


# ---------------------------------------------------------------- jpaas


def test_jpaas_build_unit_request_with_compact_param_json() -> None:
    [fetch] = api_fetches(page(JPAAS_URL, JPAAS))
    parts = urlsplit(fetch.url)
    assert parts.path == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    query = parse_qs(parts.query)
    assert query["parseType"] == ["buildstatic"] and query["webId"] == ["3818"]
    assert query["pageId"] == ["8c0e2bd5a8e24dcc9c7b0b2d31b3a1f0"] and query["tagId"] == [
        "右侧内容"
    ]
    assert query["paramJson"] == ['{"pageNo":1,"pageSize":15}']
    assert "%7B%22pageNo%22%3A1%2C%22pageSize%22%3A15%7D" in fetch.url
    assert fetch.headers["Referer"] == JPAAS_URL and fetch.label == "政府信息公开年报"
    fragment = (
        '<ul><li class="cf"><a href="/art/2024/1/20/art_1229431232_1.html" title="金华市2023年政府信息公开工作年度报告">'
        "金华市2023年政府信息公开…</a><span>2024-01-20</span></li>"
        + "".join(
            f'<li class="cf"><a href="/art/2024/1/2/art_1_{i}.html">通知</a></li>' for i in range(4)
        )
        + '</ul><div class="pagination" rows="37" count="5"></div>'
    )
    data = parse_json(json.dumps({"success": True, "data": {"html": fragment}}))
    anchor = entries(data, JPAAS_URL, fetch.url)[0]
    assert (
        anchor.text == "金华市2023年政府信息公开工作年度报告" and anchor.published == "2024-01-20"
    )
    assert anchor.url == "https://ggzyjy.jinhua.gov.cn/art/2024/1/20/art_1229431232_1.html"
    # the gateway gave 5 records though 15 were asked for: 37 records are 8 pages of 5
    more = next_fetches(data, fetch.url, 200, fetch=fetch)
    assert [
        json.loads(parse_qs(urlsplit(f.url).query)["paramJson"][0])["pageNo"] for f in more
    ] == list(range(2, 9))
    # without the fetch, the page number is found inside paramJson all the same
    assert len(next_fetches(data, fetch.url, 200)) == 7


# ---------------------------------------------------------------- calls in scripts


def test_ajax_post_with_data_object_variables_and_page_parameter() -> None:
    html = """<html><head><title>政府信息公开年报</title></head><body><ul id="list"></ul>
    <script>var ctx = '/portal'; var colId = 'ndbg';
    function loadList(pageNo){ $.ajax({url: ctx + '/xxgk/list.do', type: 'POST', dataType: 'json',
      data: {columnId: colId, pageNo: pageNo, pageSize: 15, _: new Date().getTime()},
      success: function(d){ render(d.data.rows); }}); }
    $(function(){ loadList(1); });</script></body></html>"""
    url = "http://www.x.gov.cn/xxgk/ndbg/index.html"
    [fetch] = api_fetches(page(url, html))
    assert (fetch.method, fetch.url) == ("POST", "http://www.x.gov.cn/portal/xxgk/list.do")
    assert fetch.body == "columnId=ndbg&pageNo=1&pageSize=15"
    assert fetch.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    rows = [{"docTitle": f"标题{i}", "docUrl": f"./202401/t2024_{i}.html"} for i in range(15)]
    data = parse_json(json.dumps({"code": 0, "data": {"rows": rows, "total": 40}}))
    assert entries(data, url)[0].url == "http://www.x.gov.cn/xxgk/ndbg/202401/t2024_0.html"
    more = next_fetches(data, fetch.url, 200, fetch=fetch)
    assert [f.body for f in more] == [
        "columnId=ndbg&pageNo=2&pageSize=15",
        "columnId=ndbg&pageNo=3&pageSize=15",
    ]
    assert all(f.method == "POST" and f.url == fetch.url for f in more)


def test_fetch_with_json_body_axios_params_and_xhr() -> None:
    html = """<html><body><div id="app"></div><script>
    function load(p){ fetch('/api/articles', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({catId: 12, page: p, size: 20})}).then(function(r){return r.json();}); }
    load(0);
    axios.get('/api/column/list', {params: {channel: 'nb', pageNum: 1}});
    var xhr = new XMLHttpRequest(); xhr.open('POST', '/info/iList.action', true);
    xhr.send('node_id=GK&cat_id=159&cur_page=1');
    </script></body></html>"""
    fetches = {f.url.rsplit("/", 1)[-1]: f for f in api_fetches(page("http://h.gov.cn/x/", html))}
    articles = fetches["articles"]
    assert articles.method == "POST" and articles.body == '{"catId":12,"page":0,"size":20}'
    assert articles.headers["Content-Type"] == "application/json"
    assert articles.page_number == 0  # the script starts at load(0)
    assert fetches["list?channel=nb&pageNum=1"].method == "GET"
    xhr = fetches["iList.action"]
    assert xhr.method == "POST" and xhr.body == "node_id=GK&cat_id=159&cur_page=1"
    data = {"list": [{"title": "t", "url": "/a.html"}], "hasNext": True}
    [second] = next_fetches(data, articles.url, 200, fetch=articles)
    assert json.loads(second.body)["page"] == 1


def test_jsonp_ashx_concatenation_and_data_attributes() -> None:
    html = """<html><body><div id="list" data-api="/api/ndbg/list.json?page="></div><script>
    var HOST = 'http://search.x.gov.cn';
    function go(page){ $.getJSON(HOST + '/govsearch/jsonp/zf_jd_list.jsp?channelId=5&page=' + page + '&callback=?', show);
      $.get('/gkml/web/data/ztfl.ashx?s=20&p=' + page); }
    go(1);
    function more(n){ var s = document.createElement('script');
      s.src = '/was5/web/search?channelid=229105&prepage=10&page=' + n + '&callback=cb'; document.body.appendChild(s); }
    </script><script src="/js/jquery.min.js"></script></body></html>"""
    urls = [f.url for f in api_fetches(page("http://www.x.gov.cn/col/nb/", html))]
    assert (
        "http://search.x.gov.cn/govsearch/jsonp/zf_jd_list.jsp?channelId=5&page=1&callback=jsonp_callback"
        in urls
    )
    assert "http://www.x.gov.cn/gkml/web/data/ztfl.ashx?s=20&p=1" in urls
    assert (
        "http://www.x.gov.cn/was5/web/search?channelid=229105&prepage=10&page=1&callback=cb" in urls
    )
    assert "http://www.x.gov.cn/api/ndbg/list.json?page=1" in urls
    assert not any(u.endswith(".js") for u in urls)


def test_url_from_variables_element_attributes_and_external_script() -> None:
    html = (
        '<html><body><div id="app" data-column="45197"></div>'
        '<script src="/static/js/nb.c8bf05d2.js"></script><script src="/static/js/jquery.min.js"></script></body></html>'
    )
    url = "http://x.gov.cn/zwgk/nb/2023/index.html"
    shell = page(url, html)
    assert api_fetches(shell) == []
    assert script_sources(shell) == ["http://x.gov.cn/static/js/nb.c8bf05d2.js"]
    script = (
        "var API='/api/zfxxgk/getList';(function(){var el=document.getElementById('app');"
        "fetch(API+'?columnId='+el.getAttribute('data-column')+'&pageNo=1&pageSize=20&t='+Date.now())"
        ".then(function(r){return r.json();});})();"
    )
    [fetch] = api_fetches(shell, [script])
    assert fetch.url == "http://x.gov.cn/api/zfxxgk/getList?columnId=45197&pageNo=1&pageSize=20"


def test_constant_conditions_of_templates_pick_one_branch() -> None:
    html = """<html><body><div id="publicInfoList"></div><script>function getPage(i){
    var data={labelName:'publicInfoList',siteId:'6429134',organId:'6593889',catId:'7373474',pageIndex:i,_:new Date().getTime()};
    var body=Object.keys(data).map(function(k){return k+'='+encodeURIComponent(data[k]);}).join('&');
    var req='POST'=='GET'?fetch('/site/label/8888?'+body):fetch('/site/label/8888',{method:'POST',body:body});}
    getPage(1);</script></body></html>"""
    [fetch] = api_fetches(page("http://x.gov.cn/public/column/6593889?type=4", html))
    assert fetch.method == "POST" and fetch.url == "http://x.gov.cn/site/label/8888"
    assert fetch.body == (
        "labelName=publicInfoList&siteId=6429134&organId=6593889&catId=7373474&pageIndex=1"
    )


# ---------------------------------------------------------------- answers


def test_parse_json_variants() -> None:
    assert parse_json('\ufeff{"a": 1}') == {"a": 1}
    assert parse_json('/**/ jQuery1124_99({"a": [1, 2]});') == {"a": [1, 2]}
    assert parse_json("var listData = {'rows': [{title: 'x', url: '/y.html'}]};") == {
        "rows": [{"title": "x", "url": "/y.html"}]
    }
    fragment = parse_json("<ul><li><a href='/a.html'>a</a></li></ul>")
    assert isinstance(fragment, str) and fragment.startswith("<ul>")
    assert parse_json("<html>") is None and parse_json("") is None and parse_json("oops") is None


def test_entries_find_records_under_many_shapes() -> None:
    data = {
        "code": 200,
        "result": {
            "records": [
                {
                    "infoTitle": "<font color=red>某县</font>2022年政府信息公开工作年度报告",
                    "linkUrl": "../nb/1.html",
                    "publishTime": 1674000000000,
                },
                {
                    "DOCTITLE": "某县2021年年报",
                    "DOCPUBURL": "http://x.gov.cn/nb/2.html",
                    "PUBDATE": "2022-01-20",
                },
                {
                    "title": "外链",
                    "url": "",
                    "jump_url": "http://y.gov.cn/ndbg/3.html",
                    "fbrq": 20230115,
                },
                {"name": "没有地址"},
                {"title": "附件在记录里", "url": "/nb/4.html", "files": ["/files/4.pdf"]},
            ]
        },
    }
    anchors = {a.url: a for a in entries(data, "http://x.gov.cn/col/list/index.html")}
    first = anchors["http://x.gov.cn/col/nb/1.html"]
    assert first.text == "某县2022年政府信息公开工作年度报告" and first.published == "2023-01-18"
    assert anchors["http://x.gov.cn/nb/2.html"].published == "2022-01-20"
    assert "http://y.gov.cn/ndbg/3.html" in anchors and "http://x.gov.cn/files/4.pdf" in anchors
    assert anchors["http://y.gov.cn/ndbg/3.html"].published == "2023-01-15"
    assert len(anchors) == 5


@pytest.mark.parametrize(
    ("answer", "url", "expected"),
    [
        ({"pages": 3, "list": [{"title": "a", "url": "/1"}]}, "http://h/api?page=1", [2, 3]),
        ({"totalPage": 2, "rows": [{"title": "a", "url": "/1"}]}, "http://h/api?pageIndex=0", [1]),
        (
            {"total": 45, "pageSize": 20, "data": [{"title": "a", "url": "/1"}] * 1},
            "http://h/api?pageNo=1&pageSize=20",
            [2, 3],
        ),
        ({"hasNext": False, "list": [{"title": "a", "url": "/1"}]}, "http://h/api?page=4", []),
        ({"list": [{"title": "a", "url": "/1"}]}, "http://h/api?curPage=4", [5]),
        ({"list": []}, "http://h/api?curPage=4", []),
        ({"pages": 3, "list": [{"title": "a", "url": "/1"}]}, "http://h/api?page=3", []),
        ({"pages": 3, "list": [{"title": "a", "url": "/1"}]}, "http://h/api?id=7", []),
        (
            "<ul><li><a href='/x.html'>x</a></li></ul><span>共12条 1/3页</span>",
            "http://h/s?page=1",
            [2, 3],
        ),
    ],
)
def test_next_pages_only_as_far_as_the_answer_says(
    answer: object, url: str, expected: list[int]
) -> None:
    more = next_fetches(answer, url, 200)
    assert [f.page_number for f in more] == expected
    for f in more:
        assert str(f.page_number) in unquote(f.url)


def test_record_offsets_page_by_the_page_size() -> None:
    rows = [{"title": f"t{i}", "url": f"/{i}.html"} for i in range(15)]
    more = next_fetches({"total": 50, "rows": rows}, "http://h/list?cat=3&offset=0", 200)
    assert [f.url for f in more] == [f"http://h/list?cat=3&offset={n}" for n in (15, 30, 45)]
    assert next_fetches({"rows": rows}, "http://h/list?offset=15", 200)[0].url.endswith("offset=30")


def test_next_pages_are_capped() -> None:
    data = {"totalPage": 500, "list": [{"title": "a", "url": "/1"}]}
    assert len(next_fetches(data, "http://h/api?page=1", 10)) == 9


def test_post_body_pages_without_a_fetch_template() -> None:
    fetch = ListingFetch(
        url="http://h/site/label/8888", method="POST", body="catId=3&pageIndex=1&pageSize=15"
    )
    rows = [{"title": "a", "url": f"/{i}"} for i in range(15)]
    more = next_fetches({"total": 31, "rows": rows}, fetch.url, 200, fetch=fetch)
    assert [f.body for f in more] == [
        "catId=3&pageIndex=2&pageSize=15",
        "catId=3&pageIndex=3&pageSize=15",
    ]


# ---------------------------------------------------------------- links only scripts make


def test_script_links_resolve_functions_handlers_redirects_and_frames() -> None:
    html = """<html><body>
    <a href="javascript:goXxgkml('xxgknb')">政府信息公开年报</a>
    <script type='text/javascript'>function goXxgkml(code){ window.location.href = '/zwgk/' + code + '/index.html'; }</script>
    <a href="javascript:void(0)" onclick="window.open('/xxgk/zfxxgkzn/index.html')">指南</a>
    <span onclick="location.href='/xxgk/ndbg/'">年度报告</span>
    <iframe src="/xxgk/list_iframe.html?catId=12" title="列表"></iframe>
    <iframe src="https://www.baidu.com/map"></iframe>
    </body></html>"""
    links = {a.url: a.text for a in script_links(page("http://www.x.gov.cn/zwgk/index.html", html))}
    assert links == {
        "http://www.x.gov.cn/zwgk/xxgknb/index.html": "政府信息公开年报",
        "http://www.x.gov.cn/xxgk/zfxxgkzn/index.html": "指南",
        "http://www.x.gov.cn/xxgk/ndbg/": "年度报告",
        "http://www.x.gov.cn/xxgk/list_iframe.html?catId=12": "列表",
    }


def test_redirect_shells() -> None:
    replace = "<html><head><script>window.location.replace('/zfxxgkzn/');</script></head><body></body></html>"
    [link] = script_links(page("http://my.bjmy.gov.cn/zfxxgk/", replace))
    assert link.url == "http://my.bjmy.gov.cn/zfxxgkzn/"
    meta = (
        '<html><head><meta http-equiv="Refresh" content="0; url=/xxgk/nb/index.html"></head></html>'
    )
    [link] = script_links(page("http://x.gov.cn/", meta))
    assert link.url == "http://x.gov.cn/xxgk/nb/index.html"
    # navigation inside a function that is never a link target is not a redirect
    inside = "<html><body><a href='/a.html'>a</a><script>function f(){location.href='/b.html';}</script></body></html>"
    assert script_links(page("http://x.gov.cn/", inside)) == []


# ---------------------------------------------------------------- a generated web


def test_every_report_of_script_filled_listings_is_reached_on_a_variant_web() -> None:
    """Sites of a fixed seed, served on loopback; from each shell page, only the functions
    of crawler.shells and urllib (with the fetches' headers) reach the report entries."""
    from shells_walk import Walker, listed_reports, shell_sites

    from sampleweb.variants import Family, VariantWeb

    with VariantWeb(2026, 36) as web:
        sites = shell_sites(web.truth().sites)
        assert {s.family for s in sites} >= {
            Family.GKMLPT,
            Family.JPAAS,
            Family.LABEL,
            Family.TRS_SEARCH,
            Family.COUNTY,
        }
        for site in sites:
            walk = Walker(site).run()
            assert walk.detected == walk.shells, (site.site, site.family)
            assert walk.reached == len(listed_reports(site)) > 0, (site.site, walk.missed)
            assert not walk.failures, walk.failures


def test_tabs_calling_one_loader_with_codes_are_one_listing_each() -> None:
    html = """<html><head><title>信息公开</title></head><body>
    <ul class="tabs"><li onclick="loadList('zcwj', 1)">政策文件</li>
    <li><a href="javascript:loadList('ndbg', 1)">政府信息公开年度报告</a></li></ul><div id="list"></div>
    <script>function loadList(code, page){
      $.post('/xxgk/getList.do', {catCode: code, pageNo: page, pageSize: 20}, function(d){});
      $.ajax({url: '/xxgk/jsonp.jsp?cat=' + code + '&page=' + page, dataType: 'jsonp', jsonp: 'cb'}); }
    loadList('zcwj', 1);</script></body></html>"""
    fetches = api_fetches(page("http://x.gov.cn/xxgk/index.html", html))
    posts = [(f.label, f.body) for f in fetches if f.method == "POST"]
    assert posts[0] == ("政府信息公开年度报告", "catCode=ndbg&pageNo=1&pageSize=20")
    assert ("政策文件", "catCode=zcwj&pageNo=1&pageSize=20") in posts
    assert all(
        f.headers["Content-Type"].startswith("application/x-www-form")
        for f in fetches
        if f.method == "POST"
    )
    jsonp = [f.url for f in fetches if f.method == "GET"]
    assert "http://x.gov.cn/xxgk/jsonp.jsp?cat=ndbg&page=1&cb=jsonp_callback" in jsonp
    assert [f.label for f in report_fetches(fetches)] == ["政府信息公开年度报告"] * 2


def test_jquery_load_and_url_search_params() -> None:
    html = """<html><body><div id="list"></div><script>
    $('#list').load('/xxgk/ajaxList.jsp?catId=12&pageNo=1');
    var form = {columnId: '88', pageIndex: 1, sort: desc ? 'asc' : 'desc'};
    fetch('/api/search.do', {method: 'POST', body: new URLSearchParams(form)});
    window.addEventListener('load', function(){});
    </script></body></html>"""
    fetches = api_fetches(page("http://x.gov.cn/a/", html))
    assert [(f.method, f.url, f.body) for f in fetches] == [
        ("GET", "http://x.gov.cn/xxgk/ajaxList.jsp?catId=12&pageNo=1", ""),
        ("POST", "http://x.gov.cn/api/search.do", "columnId=88&pageIndex=1"),
    ]


def test_hostile_scripts_give_nothing_rather_than_fail() -> None:
    deep = "<script>var a=" + "[" * 5000 + "]" * 5000 + ";fetch(a + '/x');</script>"
    hostile = page("http://x.gov.cn/", deep)
    assert api_fetches(hostile) == [] and script_links(hostile) == []
    shell = detect_shell(hostile)
    assert shell is None or shell.signals
    assert parse_json("[" * 100000 + "]" * 100000) is None
    assert parse_json("{" * 3000) is None
    broken = page("http://x.gov.cn/", "<script>fetch('/api/list?page=' + ; $.ajax({url:</script>")
    assert isinstance(api_fetches(broken), list)
