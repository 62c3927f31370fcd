"""The held-out sites, one module each; `BUILDERS` builds them for a given port."""

from __future__ import annotations

from collections.abc import Callable

from sampleweb.holdout.kit import Site, Urls
from sampleweb.holdout.sites import (
    anhui_label,
    aspnet_gbk,
    epoint_ilist,
    gkmlpt_dept,
    hanweb_jstext,
    hanweb_morecolumn,
    hanweb_xxgk_jdid,
    jpaas,
    js_goxxgkml,
    kaipuyun_years,
    province_portal,
    spa_jsonp,
    struts_depcode,
    trs_divfirst,
    trs_lookalikes,
)

BUILDERS: list[Callable[[Urls], Site]] = [
    m.build
    for m in (
        trs_divfirst,
        trs_lookalikes,
        hanweb_jstext,
        hanweb_morecolumn,
        hanweb_xxgk_jdid,
        jpaas,
        gkmlpt_dept,
        anhui_label,
        aspnet_gbk,
        kaipuyun_years,
        spa_jsonp,
        js_goxxgkml,
        province_portal,
        epoint_ilist,
        struts_depcode,
    )
]
