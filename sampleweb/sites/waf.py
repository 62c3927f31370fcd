"""A city site behind a WAF (荥阳市-like): every request meets a JavaScript cookie challenge.

Pages under `/xxgk/` answer 521 with a 加速乐-style challenge (`__jsl_clearance`), everything
else 412 with a 瑞数-style one. The challenge never accepts: nothing here is archivable,
and the truth marks the site's reports `reason="waf"`.
"""

from __future__ import annotations

import hashlib

from sampleweb.model import Request, Resource, SiteContent, SiteTruth
from sampleweb.sites.base import AgencyEntry, RegistryPart, SiteBuilder, SiteEntry, check_state
from sampleweb.sites.items import report_truth

START = "/xxgk/ndbg/index.shtml"

RUISHU = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta id="9DhefwqGPrzGxEp9hPaoag" content="{token}" r='m'>
<script type="text/javascript" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd=41296;$_ts.cd="qXrcrrAlcGWGcsqqmGVqrrEcra";</script>
<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r='m'></script>
</head><body></body></html>"""

JIASULE = """<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')+('n')+('c')+('e')+('=')+('{token}')+(';max-age=3600;path=/');location.href=location.pathname+location.search</script></body></html>"""


class WafSite(SiteBuilder):
    id = "xingyang-gov"
    title = "荥阳市人民政府"
    server_name = "nginx"

    def registry(self) -> RegistryPart:
        agencies = [
            AgencyEntry(
                "xingyang", "荥阳市人民政府", "county", "government", ("荥阳市",), None, "410182"
            ),
            AgencyEntry(
                "guangwu", "广武镇人民政府", "township", "government", ("广武镇",), "xingyang"
            ),
        ]
        return RegistryPart(agencies, [SiteEntry(self.id, "xingyang", (self.url(START),), "auto")])

    def build(self, state: str) -> SiteContent:
        check_state(state)

        def challenge(request: Request) -> Resource:
            token = hashlib.sha1(
                f"{request.path}|{request.headers.get('cookie', '')}".encode()
            ).hexdigest()
            if request.path.startswith("/xxgk/"):
                return Resource(
                    JIASULE.format(token=token[:32]).encode(),
                    "text/html",
                    status=521,
                    headers={
                        "Set-Cookie": f"__jsluid_h={token[:32]}; max-age=31536000; path=/; HttpOnly"
                    },
                    conditional=False,
                )
            return Resource(
                RUISHU.format(token=token).encode(),
                "text/html",
                status=412,
                headers={
                    "Set-Cookie": f"FSSBBIl1UgzbN7NO={token[:40]}; Path=/; expires=Fri, 01 Jan 2038 00:00:00 GMT; HttpOnly"
                },
                conditional=False,
            )

        truth = SiteTruth()
        truth.reports = [
            report_truth(
                self.id,
                "广武镇",
                True,
                2020,
                "广武镇人民政府2020年政府信息公开工作年度报告",
                self.url("/xxgk/ndbg/202101/t20210115_1201.shtml"),
                [],
                "2021-01-15",
                reason="waf",
            ),
            report_truth(
                self.id,
                "荥阳市人民政府",
                True,
                2020,
                "荥阳市2020年政府信息公开工作年度报告",
                self.url("/xxgk/ndbg/202103/t20210326_1255.shtml"),
                [],
                "2021-03-26",
                reason="waf",
            ),
        ]
        truth.min_fetches = ["GET " + self.url("/robots.txt"), "GET " + self.url(START)]
        return SiteContent(pages={}, dynamic=[challenge], truth=truth)
