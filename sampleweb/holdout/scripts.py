"""The front-end scripts the held-out pages load, so that a browser renders them as it would
the real sites: a small jQuery-compatible subset, the Hanweb `jpage` list plugin, the jpaas
unit loader, the gkmlpt list/detail renderer and TRS's 6-argument `createPageHTML`. Written
here in plain ES5 (nothing downloaded); each does only what its platform's script does for
the first screen — later pages still need the pager (a click, or a crawler that knows)."""

from __future__ import annotations

from sampleweb.holdout.kit import Resp

JQUERY = r"""(function () {
function W(els) { this.els = els; }
function Q(sel) {
  if (typeof sel === "function") {
    if (document.readyState !== "loading") sel(); else document.addEventListener("DOMContentLoaded", sel);
    return;
  }
  if (typeof sel !== "string") return new W([sel]);
  if (/^#[^ .]+$/.test(sel)) { var e = document.getElementById(sel.slice(1)); return new W(e ? [e] : []); }
  return new W(Array.prototype.slice.call(document.querySelectorAll(sel)));
}
W.prototype.html = function (h) { this.els.forEach(function (e) { e.innerHTML = h; }); return this; };
W.prototype.append = function (h) { this.els.forEach(function (e) { e.insertAdjacentHTML("beforeend", h); }); return this; };
W.prototype.load = function (url) { var s = this; Q.ajax({url: url, success: function (d) { s.html(d); }}); return this; };
function enc(data) {
  if (data === undefined || data === null) return null;
  if (typeof data === "string") return data;
  return Object.keys(data).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(data[k]); }).join("&");
}
Q.ajax = function (o) {
  var x = new XMLHttpRequest(), type = (o.type || "get").toUpperCase(), body = enc(o.data), url = o.url;
  if (type === "GET" && body) { url += (url.indexOf("?") < 0 ? "?" : "&") + body; body = null; }
  x.open(type, url, true);
  x.setRequestHeader("X-Requested-With", "XMLHttpRequest");
  if (body !== null) x.setRequestHeader("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
  x.onload = function () { var d = x.responseText; if (o.dataType === "json") d = JSON.parse(d); if (o.success) o.success(d); };
  x.send(body);
};
Q.fn = W.prototype;
window.$ = window.jQuery = Q;
})();
"""

JPAGE = r"""(function () {
function show(box, records, page, per) {
  var h = "<ul>" + records.slice((page - 1) * per, page * per).join("") + "</ul><div class='pager'>";
  for (var p = 1; p <= Math.ceil(records.length / per); p++) h += "<a href='javascript:void(0)' data-p='" + p + "'>" + p + "</a> ";
  box.innerHTML = h + "</div>";
  Array.prototype.forEach.call(box.querySelectorAll("a[data-p]"), function (a) {
    a.onclick = function () { show(box, records, +a.getAttribute("data-p"), per); };
  });
}
$.fn.jpage = function (o) {
  var box = this.els[0], per = o.perPage || 10;
  var xml = box && box.querySelector("script[type='text/xml']");
  if (xml) {  // records embedded in the column page; "加载更多" asks the proxy for the next group
    var text = xml.textContent, recs = [], m, re = /<record><!\[CDATA\[([\s\S]*?)\]\]><\/record>/g;
    while ((m = re.exec(text))) recs.push(m[1]);
    var next = /<nextgroup><!\[CDATA\[<a href="([^"]+)"/.exec(text);
    box.insertAdjacentHTML("beforeend", "<ul class='list'>" + recs.join("") + "</ul>" + (next ? "<a class='more' href='javascript:void(0)'>加载更多</a>" : ""));
    return this;
  }
  var group = per * (o.groupSize || 3);
  $.ajax({url: o.proxyUrl + "?startrecord=1&endrecord=" + group + "&perpage=" + per, type: "post", data: o.ajaxParam,
    success: function (d) {
      var dataStore = [];
      var m = /dataStore\s*=\s*(\[[\s\S]*\])\s*;/.exec(d);
      if (m) dataStore = JSON.parse(m[1]);
      show(box, dataStore, 1, per);
    }});
  return this;
};
})();
"""

JPAAS = r"""(function () {
Array.prototype.forEach.call(document.querySelectorAll("script[url][queryData]"), function (s) {
  var q = JSON.parse(s.getAttribute("queryData").replace(/'/g, '"'));
  q.parseType = "buildstatic";
  q.paramJson = JSON.stringify({pageNo: 1, pageSize: 5});
  var box = document.createElement("div");
  s.parentNode.insertBefore(box, s);
  $.ajax({url: s.getAttribute("url"), type: "post", data: q, dataType: "json",
    success: function (r) { box.innerHTML = r.data.html; }});
});
})();
"""

GKMLPT = r"""(function () {
var c = window._CONFIG || {}, app = document.getElementById("app");
var base = location.pathname.slice(0, location.pathname.indexOf("/gkmlpt/") + 8);
function post(a) {
  return a.url || base + "content/" + Math.floor(a.id / 1e6) + "/" + Math.floor(a.id / 1e3) + "/post_" + a.id + ".html";
}
if (c.DETAIL) {
  var h = "<h1>" + c.DETAIL.title + "</h1>" + c.DETAIL.content;
  (c.DETAIL.attachment || []).forEach(function (a) { h += "<p><a href='" + a.url + "'>" + a.name + "</a></p>"; });
  app.innerHTML = h;
  return;
}
var tree = "<ul class='tree'>" + (c.TREE || []).map(function (n) {
  return "<li><a href='" + (n.jump_url || "#" + n.id) + "'>" + n.name + "</a></li>";
}).join("") + "</ul>";
var cat = location.hash.slice(1) || "0";
$.ajax({url: base + "api/all/" + cat + "?page=1&sid=" + c.SID, dataType: "json", success: function (d) {
  app.innerHTML = tree + "<ul class='list'>" + d.articles.map(function (a) {
    return "<li><a href='" + post(a) + "'>" + a.title + "</a></li>";
  }).join("") + "</ul>";
}});
})();
"""

TRS_PAGE6 = r"""function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt, _sPageParam, _nRecordCount) {
  if (_nPageCount <= 1) return;
  var h = "<div class='page'>共" + _nRecordCount + "条 ";
  for (var i = 0; i < _nPageCount; i++) {
    var f = i === 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    h += i === _nCurrIndex ? "<span>" + (i + 1) + "</span> " : "<a href='" + f + "'>" + (i + 1) + "</a> ";
  }
  document.write(h + "</div>");
}
"""


def js(text: str) -> Resp:
    return Resp(body=text.encode(), ctype="application/javascript; charset=utf-8")
