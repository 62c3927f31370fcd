"""What the WAF middleware takes for a challenge (crawler.middlewares.waf): the challenge
documents of the generated web's layers, and not a small real page whose script sets
`location.href` (seed 17788: a 信息公开 page with a `javascript:goXxgkml('…')` link was
taken for a challenge the browser could not pass, and its site was recorded blocked)."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from crawler.middlewares.waf import is_challenge, looks_like_challenge
from sampleweb.variants import VariantWeb
from sampleweb.variants.families.waf import Layer

SMALL_PAGE = (
    "<!DOCTYPE html><html><head><title>政府信息公开</title></head><body>"
    '<div class="nav"><ul><li><a href="/index.html">首页</a></li>'
    '<li><a href="/zwgk/index.html">政务公开</a></li><li><a href="/xwzx/index.html">新闻中心</a></li></ul></div>'
    '<ul><li><a href="./zfxxgkzn/index.html">政府信息公开指南</a></li>'
    "<li><a href=\"javascript:goXxgkml('txxgknb_1340')\">信息公开年报</a></li>"
    "<script>function goXxgkml(code){window.location.href = '/zwgk/zfxxgk/' + code + '/index.shtml';}"
    "</script></ul></body></html>"
).encode()


def test_a_small_page_with_a_menu_is_no_challenge() -> None:
    assert not looks_like_challenge(SMALL_PAGE)
    response = HtmlResponse("http://h/zwgk/zfxxgk/index.html", status=412, body=SMALL_PAGE)
    assert not is_challenge(response)  # the browser's page after a passed challenge


def test_the_challenge_documents_of_every_layer_are_challenges() -> None:
    web = VariantWeb(17788, 40)
    web.stop()
    [kit] = [b.kit for b in web.built if b.kit.id == "site20"]
    layer = Layer(kit)
    for body in (layer.ruishu_page(), layer.jsl_first(), layer.jsl_second()):
        assert looks_like_challenge(body)
        assert is_challenge(HtmlResponse("http://h/", status=412, body=body))
