"""A city site behind an anti-bot layer (guide §5), over a TRS or a JSP site.

- 瑞数-style: **412** with a `<meta r='m'>` token, an inline `$_ts` script and an external
  script that computes the `…T` cookie from the token (the server set `…S`), stamps it with
  the time and reloads; the cookie expires (long or short, ~90 s).
- 加速乐-style: **521** twice — body 1 sets a temporary `__jsl_clearance_s` by an
  obfuscated `document.cookie=('_')+('_')+…`, body 2 calls `go({bts, chars, ct, ha:"sha1",
  tn:"__jsl_clearance_s", vt})`, which searches two characters whose SHA-1 matches; the
  server also set `__jsluid_s`.
- both layers stacked; robots.txt behind the layer or not; 安全狗-style blank 200 pages when
  a client sends bursts.

Only a client that runs the scripts (a browser) gets through. `solve` is the Python twin of
the scripts, used by the oracle test to check that the truth's path is the real one.
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import re
import time
from urllib.parse import urlsplit

from sampleweb.model import Request, Resource
from sampleweb.variants.families import legacy, trs
from sampleweb.variants.kit import BuiltSite, DynamicHandler, SiteKit
from sampleweb.variants.model import Step, StepKind
from sampleweb.variants.names import NamePool

OWN = ("base", "challenge", "cookie_ttl", "safedog", "robots_protected")
KNOBS: dict[str, tuple[str, ...]] = {
    "base": ("trs", "legacy"),
    "challenge": ("ruishu", "jsl", "both"),
    "cookie_ttl": ("long", "short"),
    "safedog": ("none", "burst"),
    "robots_protected": ("no", "yes"),
    **trs.KNOBS,
    **{k: v for k, v in legacy.KNOBS.items() if k not in trs.KNOBS},
}

RUISHU_NAMES = ("FSSBBIl1UgzbN7N80", "4hP44ZykCTt5", "924omrTVcFch", "FSSBBIl1UgzbN7N443")
JSL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

SHA1_JS = r"""function sha1(s){function r(n,c){return(n<<c)|(n>>>(32-c));}
var H=[0x67452301,0xEFCDAB89,0x98BADCFE,0x10325476,0xC3D2E1F0],m=[],l=s.length*8,i,j,t;
for(i=0;i<s.length;i++){m[i>>2]|=(s.charCodeAt(i)&255)<<(24-(i%4)*8);}
m[l>>5]|=0x80<<(24-l%32);m[((l+64>>9)<<4)+15]=l;
for(i=0;i<m.length;i+=16){var w=[],a=H[0],b=H[1],c=H[2],d=H[3],e=H[4];
for(j=0;j<80;j++){w[j]=j<16?(m[i+j]|0):r(w[j-3]^w[j-8]^w[j-14]^w[j-16],1);
t=(r(a,5)+(j<20?(b&c)|(~b&d):j<40?b^c^d:j<60?(b&c)|(b&d)|(c&d):b^c^d)+e+w[j]+(j<20?0x5A827999:j<40?0x6ED9EBA1:j<60?0x8F1BBCDC:0xCA62C1D6))|0;
e=d;d=c;c=r(b,30);b=a;a=t;}
H[0]=(H[0]+a)|0;H[1]=(H[1]+b)|0;H[2]=(H[2]+c)|0;H[3]=(H[3]+d)|0;H[4]=(H[4]+e)|0;}
var o='';for(i=0;i<5;i++){o+=('00000000'+(H[i]>>>0).toString(16)).slice(-8);}return o;}"""


def ruishu_hash(token: str) -> str:
    """What the 瑞数-style script computes from the meta token (before the time stamp)."""
    h = 0
    for i, ch in enumerate(token):
        h = (h * 31 + ord(ch) + i) % 2**32
    return f"{h:x}" + token[-6:][::-1]


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


class Layer:
    """The challenge state of one site (deterministic cookies for its seed)."""

    def __init__(self, kit: SiteKit) -> None:
        self.kit = kit
        rng = kit.rng
        self.kind = kit.knob("challenge")
        self.ttl = 3600 if kit.knob("cookie_ttl") == "long" else 90
        self.name = rng.choice(RUISHU_NAMES)
        seed = f"{kit.id}|{rng.random()}"
        self.s_value = hashlib.sha1(f"{seed}|S".encode()).hexdigest()[:40]
        self.token = hashlib.sha256(f"{seed}|token".encode()).hexdigest() + "qXrcrrAlcGWGcsqqmGVq"
        self.script = f"/{hashlib.md5(seed.encode()).hexdigest()[:11]}/c.FxJzG50F.{hashlib.md5(seed.encode()).hexdigest()[-7:]}.js"
        self.jsluid = hashlib.md5(f"{seed}|jsluid".encode()).hexdigest()
        digest = hashlib.sha1(self.jsluid.encode()).digest()
        self.bts = (
            f"{int(time.mktime((2024, 1, 1, 0, 0, 0, 0, 0, 0)))}.{digest[0]:03d}|0|",
            "D%2Bk" + self.jsluid[:10],
        )
        self.pair = JSL_CHARS[digest[1] % len(JSL_CHARS)] + JSL_CHARS[digest[2] % len(JSL_CHARS)]
        self.clearance = self.bts[0] + self.pair + self.bts[1]

    # --- the pages
    def ruishu_page(self) -> bytes:
        return (
            '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f'<meta id="9DhefwqGPrzGxEp9hPaoag" content="{self.token}" r=\'m\'>'
            "<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};"
            '$_ts.nsd=41296;$_ts.cd="qXrcrrAlcGWGcsqqmGVqrrEcra";</script>'
            f'<script type="text/javascript" charset="utf-8" src="{self.script}" r=\'m\'></script>'
            "</head><body></body></html>"
        ).encode()

    def ruishu_script(self) -> bytes:
        return (
            "(function(){var m=document.querySelector('meta[r=\"m\"]');var t=m.getAttribute('content');"
            "var h=0;for(var i=0;i<t.length;i++){h=(Math.imul(h,31)+t.charCodeAt(i)+i)>>>0;}"
            "var v=h.toString(16)+t.slice(-6).split('').reverse().join('')+'.'+Math.floor(Date.now()/1000).toString(36);"
            f"document.cookie='{self.name}T='+v+'; path=/';location.reload();}})();"
        ).encode()

    def jsl_first(self) -> bytes:
        cookie = f"__jsl_clearance_s={int(time.mktime((2024, 1, 1, 0, 0, 0, 0, 0, 0)))}.000|-1|tmp;max-age=3600;path=/"
        expr = "+".join(f"('{c}')" for c in cookie)
        return f"<script>document.cookie={expr};location.href=location.pathname+location.search</script>".encode()

    def jsl_second(self) -> bytes:
        ct = hashlib.sha1(self.clearance.encode()).hexdigest()
        params = {
            "bts": list(self.bts),
            "chars": JSL_CHARS,
            "ct": ct,
            "ha": "sha1",
            "is": True,
            "tn": "__jsl_clearance_s",
            "vt": "3600",
            "wt": "1500",
        }
        go = (
            "function go(d){var c=d.chars,n=c.length;for(var i=0;i<n;i++){for(var j=0;j<n;j++){"
            "var v=d.bts[0]+c[i]+c[j]+d.bts[1];if(sha1(v)==d.ct){document.cookie=d.tn+'='+v+';max-age='+d.vt+';path=/';"
            "location.href=location.pathname+location.search;return;}}}}"
        )
        return f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><script>{SHA1_JS}{go};go({json.dumps(params)})</script></body></html>".encode()

    # --- the checks
    def ruishu_ok(self, cookies: dict[str, str]) -> bool:
        if cookies.get(self.name + "S") != self.s_value:
            return False
        value = cookies.get(self.name + "T", "")
        head, _, stamp = value.rpartition(".")
        if head != ruishu_hash(self.token):
            return False
        try:
            when = int(stamp, 36)
        except ValueError:
            return False
        return -120 <= time.time() - when <= self.ttl

    def handler(self, protect_robots: bool) -> DynamicHandler:
        def handle(request: Request) -> Resource | None:
            if request.path == self.script:
                return Resource(self.ruishu_script(), "application/javascript", conditional=False)
            if request.path == "/robots.txt" and not protect_robots:
                return None
            cookies = _cookies(request.headers.get("cookie", ""))
            if self.kind in ("ruishu", "both") and not self.ruishu_ok(cookies):
                return Resource(
                    self.ruishu_page(),
                    "text/html",
                    status=412,
                    headers={
                        "Set-Cookie": f"{self.name}S={self.s_value}; Path=/; expires=Fri, 01 Jan 2038 00:00:00 GMT; HttpOnly"
                    },
                    conditional=False,
                )
            if self.kind in ("jsl", "both"):
                if cookies.get("__jsluid_s") != self.jsluid or "__jsl_clearance_s" not in cookies:
                    return Resource(
                        self.jsl_first(),
                        "text/html",
                        status=521,
                        headers={
                            "Set-Cookie": f"__jsluid_s={self.jsluid}; max-age=31536000; path=/; HttpOnly"
                        },
                        conditional=False,
                    )
                if cookies["__jsl_clearance_s"] != self.clearance:
                    return Resource(self.jsl_second(), "text/html", status=521, conditional=False)
            return None

        return handle

    def steps(self, first_url: str) -> list[Step]:
        path = first_url
        kit = self.kit
        out: list[Step] = []
        if self.kind in ("ruishu", "both"):
            out.append(
                Step(
                    "GET",
                    path,
                    StepKind.CHALLENGE,
                    status=412,
                    media="text/html",
                    reveals=("r='m'", self.script),
                    challenge="ruishu",
                )
            )
            out.append(
                Step(
                    "GET",
                    kit.url(self.script),
                    StepKind.SCRIPT,
                    media="application/javascript",
                    reveals=(f"'{self.name}T='",),
                )
            )
        if self.kind in ("jsl", "both"):
            out.append(
                Step(
                    "GET",
                    path,
                    StepKind.CHALLENGE,
                    status=521,
                    media="text/html",
                    reveals=("document.cookie=",),
                    challenge="jsl",
                )
            )
            out.append(
                Step(
                    "GET",
                    path,
                    StepKind.CHALLENGE,
                    status=521,
                    media="text/html",
                    reveals=(";go({",),
                    challenge="jsl",
                )
            )
        return out


def _cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out


def solve(status: int, body: bytes, jar: http.cookiejar.CookieJar, url: str) -> dict[str, str]:
    """The cookies the challenge's scripts would set in a browser (their Python twin)."""
    text = body.decode("utf-8", "replace")
    host = urlsplit(url).hostname
    if status == 412:
        token = re.search(r'<meta id="[^"]+" content="([^"]+)" r=\'m\'>', text)
        s_name = next(
            (
                c.name
                for c in jar
                if c.domain.lstrip(".") == host and c.name.endswith("S") and c.name != "__jsluid_s"
            ),
            None,
        )
        if token is None or s_name is None:
            return {}
        stamp = _b36(int(time.time()))
        return {s_name[:-1] + "T": f"{ruishu_hash(token.group(1))}.{stamp}"}
    if status == 521 and "go({" in text:
        found = re.search(r"go\((\{.*?\})\)</script>", text, re.S)
        if found is None:
            return {}
        params = json.loads(found.group(1))
        for a in params["chars"]:
            for b in params["chars"]:
                value = params["bts"][0] + a + b + params["bts"][1]
                if hashlib.sha1(value.encode()).hexdigest() == params["ct"]:
                    return {params["tn"]: value}
        return {}
    if status == 521:
        expr = re.search(r"document\.cookie=(.*?);location", text, re.S)
        if expr is None:
            return {}
        cookie = "".join(re.findall(r"\('(.)'\)", expr.group(1)))
        name, _, rest = cookie.partition("=")
        return {name: rest.split(";", 1)[0]}
    return {}


def build(kit: SiteKit, pool: NamePool) -> BuiltSite:
    base = kit.knob("base")
    built = trs.build(kit, pool) if base == "trs" else legacy.build(kit, pool)
    layer = Layer(kit)
    kit.challenge = layer.kind
    protect = kit.knob("robots_protected") == "yes"
    kit.dynamic["main"].insert(0, layer.handler(protect))
    if kit.knob("safedog") == "burst":
        kit.burst_limit = kit.rng.randint(6, 12)
    steps = kit.nav_steps
    robots = [s for s in steps if s.kind == StepKind.ROBOTS]
    rest = [s for s in steps if s.kind != StepKind.ROBOTS]
    first = rest[0].url if rest else (kit.doc_steps[0].url if kit.doc_steps else kit.url("/"))
    if protect:
        # robots.txt answers the challenge: a crawler cannot read it without running scripts
        robots = [
            Step(
                "GET",
                s.url,
                StepKind.ROBOTS,
                status=412 if layer.kind != "jsl" else 521,
                media="text/html",
                encoding="utf-8",
            )
            for s in robots
        ]
    kit.nav_steps = robots + layer.steps(first) + rest
    kit.server_name = "nginx"
    return built
