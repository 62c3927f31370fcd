"""Values of script expressions, as far as a page's own literals determine them.

We never run the scripts. An expression is read as a sum of terms: string and number
literals, object and array literals, variables assigned elsewhere in the page's scripts,
attributes of the page's elements (`getElementById('app').getAttribute('data-column')`),
`encodeURIComponent`/`JSON.stringify` of those. Three kinds of terms cannot be known and
are kept as markers so that the caller can still use the rest:

- the page number (a variable named like one, or the value of a page-like key): PAGE;
- cache busters (`new Date().getTime()`, `Math.random()`): DROP, removed from the request;
- anything else: unknown; a sum with an unknown term keeps its known prefix (`Partial`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from crawler.shells.jstokens import Token, matching, split_top, statement_end, tokenize

PAGE = "__nbPAGE__"
DROP = "__nbDROP__"
PAGE_NAME = re.compile(
    r"^(?:i|n|p|k|pn|pno|no|num|idx|index|page\w*|p_?no|p_?index|cur\w*|current\w*|pg\w*)$",
    re.IGNORECASE,
)
PAGE_KEY = re.compile(
    r"^(?:page|pageno|pagenum|pagenumber|pageindex|pagenow|curpage|cur_page|currpage|"
    r"currentpage|current|pn|p|pindex|page_no|page_index|pi)$",
    re.IGNORECASE,
)
_BUSTERS = re.compile(r"^(?:Date\.now|Math\.random|new Date|new Date\(\)\.getTime|\+new Date)")


class Unknown:
    """A value the page's literals do not determine."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Partial:
    """A string whose beginning is known and whose end is not."""

    prefix: str


@dataclass(frozen=True)
class FormOf:
    """A request body or query built from an object (`Object.keys(data).map(…).join('&')`,
    `$.param(data)`, `new URLSearchParams(data)`)."""

    data: dict[str, Any]


@dataclass
class Scope:
    """What expressions may refer to: the variables of every script of the page, and the
    page itself (its URL and element attributes)."""

    page_url: str
    attribute: Callable[[str | None, str], str | None]
    """(element id or None, attribute name) -> value on the page."""
    assignments: dict[str, list[list[Token]]] = field(default_factory=dict)
    _busy: set[str] = field(default_factory=set)
    depth: int = 0
    """Nesting of the expression being read; literals nested deeper than MAX_DEPTH are
    not read (hostile or generated pages)."""

    def add_script(self, text: str) -> list[Token]:
        """Index the script's assignments `NAME = …` (also `var`/`let`/`const`, and
        `window.NAME = …`/`obj.NAME = …` under the last name); object keys are read
        through their object."""
        tokens = tokenize(text)
        for i, t in enumerate(tokens[:-1]):
            nxt = tokens[i + 1]
            if t.kind != "name" or nxt.kind != "punct" or nxt.value != "=":
                continue
            end = statement_end(tokens, i + 2)
            if end > i + 2:
                self.assignments.setdefault(t.value, []).append(tokens[i + 2 : end])
        return tokens

    def lookup(self, name: str) -> Any:
        if name in self._busy or name not in self.assignments:
            return UNKNOWN
        self._busy.add(name)
        try:
            for expr in self.assignments[name]:
                value = evaluate(expr, self)
                if not isinstance(value, Unknown | Partial):
                    return value
            return UNKNOWN
        finally:
            self._busy.discard(name)


def render(value: Any) -> str | None:
    """A known value as text (None when it is not known)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, FormOf):
        return form_encode(value.data)
    if isinstance(value, dict | list):
        return compact_json(value)
    return None


def _json_default(value: Any) -> Any:
    if isinstance(value, FormOf):
        return value.data
    if isinstance(value, Partial):
        return value.prefix
    return None  # unknown


def compact_json(value: Any) -> str:
    """JSON without spaces (jpaas answers 403 to spaced `paramJson`); a page number
    marker stays a bare number."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    return text.replace(f'"{PAGE}"', PAGE).replace(f'"{DROP}"', "0")


_OPTIONAL_KEY = re.compile(
    r"^(?:_|t|ts|r|v|time\w*|random|rand|nocache|size|pagesize|page_size|limit|rows|per_?page|"
    r"sort\w*|order\w*|keywords?|kw|q|searchword|sword|word|key|title|callback|jsoncallback)$",
    re.IGNORECASE,
)


def incomplete(data: Any) -> bool:
    """Does a request's data object leave out a value that selects what is listed (an
    unknown column or category id)? Unknown sizes, sort orders, search words and cache
    busters are left out without harm."""
    if isinstance(data, FormOf):
        data = data.data
    if not isinstance(data, dict):
        return False
    return any(
        isinstance(value, Unknown | Partial) and not _OPTIONAL_KEY.match(str(key))
        for key, value in data.items()
    )


def form_encode(data: dict[str, Any]) -> str:
    pairs = []
    for key, value in data.items():
        text = render(value)
        if text is None or DROP in text:
            continue
        pairs.append((key, text))
    return urlencode(pairs, safe=f"[]{PAGE}")


def _literal_key(t: Token) -> str | None:
    if t.kind in ("str", "name", "num"):
        return t.value
    return None


def _object(tokens: list[Token], scope: Scope) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in split_top(tokens, ","):
        if part[0].kind == "punct" and part[0].value == "...":
            spread = evaluate(part[1:], scope)
            if isinstance(spread, dict):
                out.update(spread)
            continue
        key = _literal_key(part[0])
        if key is None:
            continue
        if len(part) == 1:  # shorthand {page}
            value = scope.lookup(key)
        elif part[1].kind == "punct" and part[1].value == ":":
            value = evaluate(part[2:], scope, key=key)
        else:  # a method: skip
            continue
        if isinstance(value, Unknown) and PAGE_KEY.match(key):
            value = PAGE
        out[key] = value
    return out


def _args(tokens: list[Token], i: int) -> tuple[list[list[Token]], int]:
    """Arguments of the call whose `(` is tokens[i]; and the index after `)`."""
    end = matching(tokens, i)
    return split_top(tokens[i + 1 : end], ","), end + 1


def _string_arg(args: list[list[Token]], n: int, scope: Scope) -> str | None:
    if len(args) <= n:
        return None
    value = evaluate(args[n], scope)
    return value if isinstance(value, str) else None


def _element_id(tokens: list[Token], scope: Scope) -> tuple[bool, str | None]:
    """(is an element expression, its id) for `document.getElementById('x')`, `$('#x')`,
    `document.querySelector('#x')`; any other receiver is an unknown element."""
    names = [t.value for t in tokens if t.kind == "name"]
    strings = [t.value for t in tokens if t.kind == "str"]
    if "getElementById" in names and strings:
        return True, strings[0]
    if strings and strings[0].startswith("#") and re.fullmatch(r"#[\w-]+", strings[0]):
        return True, strings[0][1:]
    return False, None


def _term(tokens: list[Token], scope: Scope, key: str | None) -> Any:
    if not tokens:
        return UNKNOWN
    first = tokens[0]
    text = "".join(t.value if t.kind not in ("str", "template") else "'" for t in tokens)
    if _BUSTERS.match(text.replace(" ", "")):
        return DROP
    if first.kind == "punct" and first.value in ("+", "-", "!") and len(tokens) > 1:
        inner = _term(tokens[1:], scope, key)
        return DROP if inner == DROP else UNKNOWN
    if len(tokens) == 1:
        if first.kind == "str":
            return first.value
        if first.kind == "template":
            return _template(first.value, scope)
        if first.kind == "num":
            try:
                return float(first.value) if "." in first.value else int(first.value, 0)
            except ValueError:
                return UNKNOWN
        if first.kind == "name":
            if first.value in ("true", "false"):
                return first.value == "true"
            if first.value in ("null", "undefined"):
                return None
            value = scope.lookup(first.value)
            if isinstance(value, Unknown) and (
                PAGE_NAME.match(first.value) or (key and PAGE_KEY.match(key))
            ):
                return PAGE
            return value
    if first.kind == "punct" and first.value == "{":
        end = matching(tokens, 0)
        return _object(tokens[1:end], scope) if end == len(tokens) - 1 else UNKNOWN
    if first.kind == "punct" and first.value == "[":
        end = matching(tokens, 0)
        if end == len(tokens) - 1:
            return [evaluate(p, scope) for p in split_top(tokens[1:end], ",")]
        return UNKNOWN
    if first.kind == "punct" and first.value == "(":
        end = matching(tokens, 0)
        if end == len(tokens) - 1:
            parts = split_top(tokens[1:end], ",")
            return evaluate(parts[-1], scope, key=key) if parts else UNKNOWN
        return UNKNOWN
    return _chain(tokens, scope, key)


def _template(text: str, scope: Scope) -> Any:
    out: list[str] = []
    pos = 0
    for m in re.finditer(r"\$\{([^}]*)\}", text):
        out.append(text[pos : m.start()])
        value = evaluate(tokenize(m.group(1)), scope)
        rendered = render(value)
        if rendered is None:
            return Partial("".join(out))
        out.append(rendered)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


_STRING_METHODS = ("replace", "trim", "toString", "toLowerCase", "toUpperCase", "concat")


def _chain(tokens: list[Token], scope: Scope, key: str | None) -> Any:
    """A member/call chain: `a.b('c').d`, evaluated as far as it is understood."""
    names = [t.value for t in tokens if t.kind == "name"]
    head = tokens[0]
    if head.kind != "name":
        return UNKNOWN
    # calls that wrap one value
    if len(tokens) > 2 and tokens[1].value == "(" and matching(tokens, 1) == len(tokens) - 1:
        args, _ = _args(tokens, 1)
        if head.value in ("encodeURIComponent", "encodeURI", "escape"):
            inner = evaluate(args[0], scope) if args else UNKNOWN
            text = render(inner)
            if text is None:
                return inner
            return quote(text, safe="" if head.value != "encodeURI" else "/:?&=#")
        if head.value in ("String", "parseInt", "Number", "parseFloat", "decodeURIComponent"):
            return evaluate(args[0], scope, key=key) if args else UNKNOWN
    if names[:2] == ["JSON", "stringify"] and tokens[3].value == "(":
        args, _ = _args(tokens, 3)
        inner = evaluate(args[0], scope) if args else UNKNOWN
        return compact_json(inner) if isinstance(inner, dict | list) else UNKNOWN
    if (names[:1] == ["new"] and "URLSearchParams" in names) or names[:2] == ["$", "param"]:
        opener = next(i for i, t in enumerate(tokens) if t.value == "(")
        args, _ = _args(tokens, opener)
        inner = evaluate(args[0], scope) if args else UNKNOWN
        return FormOf(inner) if isinstance(inner, dict) else UNKNOWN
    # location parts
    joined = ".".join(names)
    for prefix in ("window.location.", "document.location.", "location."):
        if joined.startswith(prefix) and len(names) == prefix.count(".") + 1:
            part = names[-1]
            url = urlsplit(scope.page_url)
            return {
                "href": scope.page_url,
                "pathname": url.path,
                "origin": f"{url.scheme}://{url.netloc}",
                "host": url.netloc,
                "hostname": url.hostname or "",
                "protocol": url.scheme + ":",
                "search": "?" + url.query if url.query else "",
            }.get(part, UNKNOWN)
    # element attributes
    for method in ("getAttribute", "attr", "data"):
        if method in names:
            at = next(i for i, t in enumerate(tokens) if t.value == method)
            if at + 1 < len(tokens) and tokens[at + 1].value == "(":
                args, _ = _args(tokens, at + 1)
                name = _string_arg(args, 0, scope)
                if name is None:
                    return UNKNOWN
                if method == "data":
                    name = "data-" + name
                _is_el, element = _element_id(tokens[:at], scope)
                attribute = scope.attribute(element, name)
                return UNKNOWN if attribute is None else attribute
    if "dataset" in names:
        at = names.index("dataset")
        if at + 1 < len(names):
            _is_el, element = _element_id(tokens, scope)
            attr = "data-" + re.sub(r"[A-Z]", lambda m: "-" + m.group().lower(), names[at + 1])
            attribute = scope.attribute(element, attr)
            return UNKNOWN if attribute is None else attribute
    # plain member chain on a known object: config.api.list, window._CONFIG.SID, a['b']
    value: Any = UNKNOWN
    i = 0
    if head.value == "window" and len(tokens) > 2 and tokens[1].value == ".":
        i = 2
    if tokens[i].kind == "name":
        value = scope.lookup(tokens[i].value)
        i += 1
    while i < len(tokens):
        t = tokens[i]
        if t.value in (".", "?.") and i + 1 < len(tokens) and tokens[i + 1].kind == "name":
            member = tokens[i + 1].value
            if isinstance(value, dict) and member in value:
                value = value[member]
                i += 2
                continue
            if isinstance(value, str) and member in _STRING_METHODS:
                i += 2
                if i < len(tokens) and tokens[i].value == "(":
                    i = matching(tokens, i) + 1
                continue
            return _form_of_references(tokens, scope)
        if t.value == "[":
            end = matching(tokens, i)
            index = evaluate(tokens[i + 1 : end], scope)
            # two branches, not one `or`: the type checker narrows value and index in each
            if isinstance(value, dict) and isinstance(index, str) and index in value:  # noqa: SIM114
                value = value[index]
            elif isinstance(value, list) and isinstance(index, int) and 0 <= index < len(value):
                value = value[index]
            else:
                return UNKNOWN
            i = end + 1
            continue
        return _form_of_references(tokens, scope)
    if isinstance(value, Unknown):
        return _form_of_references(tokens, scope)
    return value


def _form_of_references(tokens: list[Token], scope: Scope) -> Any:
    """An expression we cannot read that is built from exactly one object variable
    (`Object.keys(data).map(…).join('&')`) is that object, form-encoded."""
    objects = []
    for t in tokens:
        if t.kind == "name" and t.value not in ("Object", "keys", "map", "join", "function"):
            value = scope.lookup(t.value)
            if isinstance(value, dict) and value not in objects:
                objects.append(value)
    return FormOf(objects[0]) if len(objects) == 1 else UNKNOWN


MAX_DEPTH = 64


def evaluate(tokens: list[Token], scope: Scope, key: str | None = None) -> Any:
    """The value of an expression (see the module docstring)."""
    if not tokens or scope.depth > MAX_DEPTH:
        return UNKNOWN
    scope.depth += 1
    try:
        return _evaluate(tokens, scope, key)
    finally:
        scope.depth -= 1


def _evaluate(tokens: list[Token], scope: Scope, key: str | None) -> Any:
    # a || b: the first known
    alternatives = split_top(tokens, "||")
    if len(alternatives) > 1:
        for alt in alternatives:
            value = evaluate(alt, scope, key)
            if not isinstance(value, Unknown):
                return value
        return UNKNOWN
    if len(split_top(tokens, "?")) > 1:
        return UNKNOWN  # a conditional at this level: not decided here
    terms = split_top(tokens, "+")
    if len(terms) == 1:
        return _term(terms[0], scope, key)
    values = [_term(t, scope, key) for t in terms if t]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return sum(values)
    out: list[str] = []
    for value in values:
        if value == DROP:
            out.append(DROP)
            continue
        # objects and arrays concatenated into text are not URL parts ("[object Object]")
        text = None if isinstance(value, dict | list) else render(value)
        if text is None:
            return Partial("".join(out)) if out else UNKNOWN
        out.append(text)
    return "".join(out)
