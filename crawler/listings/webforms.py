"""ASP.NET WebForms pagers: `javascript:__doPostBack('ctl00$…$AspNetPager1','3')`.

A postback pager page is the same URL POSTed with the whole form: every field as the page
holds it (`__VIEWSTATE`, `__VIEWSTATEGENERATOR`, `__EVENTVALIDATION`, page inputs), with
`__EVENTTARGET` = the pager control and `__EVENTARGUMENT` = its argument (field guide §1.7).
State changes with every answer, so each fetched page is asked again for its own pager.
Pager controls are recognised by their anchor text (numbers, 下一页, …) or a control name
saying pager; row commands (`Select$0`, `Sort$…`) are not pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin

from parsel import Selector

from crawler.listings.pager_links import pager_role
from crawler.listings.series import as_int

_POSTBACK = re.compile(r"""__doPostBack\(\s*['"]([^'"]*)['"]\s*,\s*['"]([^'"]*)['"]\s*\)""")
_PAGER_TARGET = re.compile(r"pager|page", re.IGNORECASE)
_ROW_COMMAND = re.compile(r"^(?:Select|Sort|Edit|Delete|Update|Cancel)\$", re.IGNORECASE)
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Postback:
    url: str
    body: str
    page_number: int | None
    target: str
    argument: str
    role: str | None = None
    """The pager text's role ('number', 'next', 'last', …) when it has one."""


def _form_fields(form: Selector) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for node in form.xpath(".//input | .//select | .//textarea"):
        name = node.attrib.get("name")
        if not name:
            continue
        tag = node.root.tag
        kind = node.attrib.get("type", "text").lower()
        if tag == "input":
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in node.attrib:
                continue
            fields.append((name, node.attrib.get("value", "")))
        elif tag == "select":
            chosen = node.xpath(".//option[@selected]/@value | .//option[@selected]/text()")
            first = node.xpath(".//option[1]/@value | .//option[1]/text()")
            fields.append((name, (chosen or first).get("") if (chosen or first) else ""))
        else:
            fields.append((name, node.xpath("string()").get("")))
    return fields


def _current(form: Selector, numbers: list[int]) -> int | None:
    """The page shown: a numeric page input, else the gap in the numbered links."""
    for node in form.xpath(".//input[@type='text' or not(@type)]"):
        name = node.attrib.get("name", "").lower()
        value = as_int(node.attrib.get("value", ""))
        if value is not None and ("page" in name or "pager" in name):
            return value
    if numbers:
        lo = min(numbers)
        if lo > 1:
            return 1
        gaps = [n for n in range(lo, max(numbers)) if n not in numbers]
        if gaps:
            return gaps[0]
        return max(numbers) + 1
    return None


def postbacks(
    selector: Selector, page_url: str, base_url: str
) -> tuple[list[Postback], int | None]:
    """The pager postbacks of a WebForms page, with the form state they must carry, and
    the page shown when it can be told."""
    form = next(
        iter(selector.xpath("//form[.//input[@name='__VIEWSTATE' or @name='__EVENTTARGET']]")),
        None,
    )
    if form is None:
        return [], None
    action = urljoin(base_url, (form.attrib.get("action") or "").strip() or page_url)
    fields = _form_fields(form)
    found: list[tuple[str, str, str]] = []
    for a in selector.xpath(
        "//a[contains(@href, '__doPostBack') or contains(@onclick, '__doPostBack')]"
    ):
        m = _POSTBACK.search(a.attrib.get("href", "") + " " + a.attrib.get("onclick", ""))
        if not m or _ROW_COMMAND.match(m[2]):
            continue
        text = " ".join(a.xpath(".//text()").getall()).strip()
        role = pager_role(text)
        if role is None and not _PAGER_TARGET.search(m[1]):
            continue
        found.append((m[1], m[2], text))
    if not found:
        return [], None
    numbers = [
        n
        for _t, arg, text in found
        if (n := as_int(arg) if as_int(arg) is not None else as_int(text)) is not None
    ]
    current = _current(form, numbers)
    out: list[Postback] = []
    seen: set[tuple[str, str]] = set()
    for target, argument, text in found:
        if (target, argument) in seen:
            continue
        seen.add((target, argument))
        number = as_int(argument) if as_int(argument) is not None else as_int(text)
        if number is None and pager_role(text) == "next" and current is not None:
            number = current + 1
        if number is not None and number == current:
            continue
        body = _body(fields, target, argument)
        out.append(Postback(action, body, number, target, argument, pager_role(text)))
    return out, current


def _body(fields: list[tuple[str, str]], target: str, argument: str) -> str:
    body = [
        (k, target if k == "__EVENTTARGET" else argument if k == "__EVENTARGUMENT" else v)
        for k, v in fields
    ]
    names = {k for k, _v in body}
    if "__EVENTTARGET" not in names:
        body.insert(0, ("__EVENTTARGET", target))
    if "__EVENTARGUMENT" not in names:
        body.insert(1, ("__EVENTARGUMENT", argument))
    return urlencode(body)


def numbered_target(found: list[Postback]) -> str | None:
    """The one control whose argument is the page number (AspNetPager), if any."""
    targets = {p.target for p in found if as_int(p.argument) is not None}
    return targets.pop() if len(targets) == 1 else None


def expand(found: list[Postback], total: int, current: int | None) -> list[Postback]:
    """Every page 1..total of a pager whose postback argument is the page number."""
    target = numbered_target(found)
    if target is None or not found:
        return found
    sample = next(p for p in found if p.target == target)
    url = sample.url
    fields = [
        (k, v)
        for k, v in parse_qsl(sample.body, keep_blank_values=True)
        if k not in ("__EVENTTARGET", "__EVENTARGUMENT")
    ]
    out = [p for p in found if p.target != target]
    for n in range(1, total + 1):
        if n != current:
            out.append(Postback(url, _body(fields, target, str(n)), n, target, str(n)))
    return out
