"""A small, lenient JavaScript tokenizer and expression splitter.

Government list pages name their APIs inside inline scripts written by hand or by
templates: string concatenation, object literals with unquoted keys, single quotes,
regex literals holding quotes (`.replace(/'/g, '"')`). Regular expressions over the raw
text break on those; a tokenizer that knows strings, comments and regex literals does not,
and stays small because we never need to run the code, only to read its literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT = re.compile(r"[A-Za-z_$\u00a0-\uffff][\w$\u00a0-\uffff]*")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+")
_PUNCT = (
    "===",
    "!==",
    "...",
    "=>",
    "==",
    "!=",
    "<=",
    ">=",
    "&&",
    "||",
    "++",
    "--",
    "+=",
    "-=",
    "?.",
)
# after these a `/` starts a regular expression literal, not a division
_REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "in", "of", "=>"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


@dataclass(frozen=True)
class Token:
    kind: str  # "str", "num", "name", "punct", "regex", "template"
    value: str  # decoded value for strings, text otherwise
    start: int
    end: int


def _string(text: str, i: int) -> tuple[str, int]:
    """Decode the string literal starting at text[i] (a quote); return value and end."""
    quote = text[i]
    out: list[str] = []
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\" and j + 1 < n:
            e = text[j + 1]
            if e == "u" and text[j + 2 : j + 3] == "{":
                close = text.find("}", j)
                try:
                    out.append(chr(int(text[j + 3 : close], 16)))
                    j = close + 1
                    continue
                except ValueError:
                    pass
            if e == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[j + 2 : j + 6] or ""):
                out.append(chr(int(text[j + 2 : j + 6], 16)))
                j += 6
                continue
            if e == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[j + 2 : j + 4] or ""):
                out.append(chr(int(text[j + 2 : j + 4], 16)))
                j += 4
                continue
            if e == "\n":
                j += 2
                continue
            out.append(_ESCAPES.get(e, e))
            j += 2
            continue
        if c == quote:
            return "".join(out), j + 1
        if c == "\n" and quote != "`":
            return "".join(out), j  # unterminated: stop at the line end
        out.append(c)
        j += 1
    return "".join(out), n


def _regex_end(text: str, i: int) -> int:
    j, n, in_class = i + 1, len(text), False
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "\n":
            return j
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            j += 1
            while j < n and (text[j].isalnum()):
                j += 1
            return j
        j += 1
    return n


def tokenize(text: str) -> list[Token]:
    """Tokens of a script; never raises (unknown characters become punctuation)."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if text.startswith("//", i) or text.startswith("<!--", i) or text.startswith("-->", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c in "'\"`":
            value, end = _string(text, i)
            tokens.append(Token("template" if c == "`" else "str", value, i, end))
            i = end
            continue
        if c == "/":
            prev = tokens[-1] if tokens else None
            if prev is None or (prev.kind in ("punct", "name") and prev.value in _REGEX_BEFORE):
                end = _regex_end(text, i)
                tokens.append(Token("regex", text[i:end], i, end))
                i = end
                continue
        m = _NUMBER.match(text, i) if (c.isdigit() or c == ".") else None
        if m and m.end() > i:
            tokens.append(Token("num", m.group(), i, m.end()))
            i = m.end()
            continue
        m = _IDENT.match(text, i)
        if m:
            tokens.append(Token("name", m.group(), i, m.end()))
            i = m.end()
            continue
        for p in _PUNCT:
            if text.startswith(p, i):
                tokens.append(Token("punct", p, i, i + len(p)))
                i += len(p)
                break
        else:
            tokens.append(Token("punct", c, i, i + 1))
            i += 1
    return tokens


_OPEN = {"(": ")", "[": "]", "{": "}"}


def matching(tokens: list[Token], i: int) -> int:
    """Index of the bracket closing the one at tokens[i] (len(tokens) if unclosed)."""
    stack: list[str] = []
    for j in range(i, len(tokens)):
        t = tokens[j]
        if t.kind != "punct":
            continue
        if t.value in _OPEN:
            stack.append(_OPEN[t.value])
        elif stack and t.value == stack[-1]:
            stack.pop()
            if not stack:
                return j
    return len(tokens)


def split_top(tokens: list[Token], separator: str) -> list[list[Token]]:
    """Split a token run at top-level separators (commas of arguments, `+` of a sum)."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in tokens:
        if t.kind == "punct" and t.value in _OPEN:
            depth += 1
        elif t.kind == "punct" and t.value in (")", "]", "}"):
            depth -= 1
        if depth == 0 and t.kind == "punct" and t.value == separator:
            parts.append([])
            continue
        parts[-1].append(t)
    return [p for p in parts if p] if separator == "," else parts


def statement_end(tokens: list[Token], i: int) -> int:
    """Index just past the expression starting at tokens[i]: the first top-level `;`,
    `,` or closing bracket."""
    depth = 0
    for j in range(i, len(tokens)):
        t = tokens[j]
        if t.kind == "punct":
            if t.value in _OPEN:
                depth += 1
            elif t.value in (")", "]", "}"):
                if depth == 0:
                    return j
                depth -= 1
            elif depth == 0 and t.value in (";", ","):
                return j
    return len(tokens)


@dataclass(frozen=True)
class Function:
    """A named function of a script: `function f(a, b) {…}` or `f = function(a, b) {…}`."""

    name: str
    params: tuple[str, ...]
    body: tuple[int, int]  # token indices of the body, braces excluded


def functions(tokens: list[Token]) -> list[Function]:
    out: list[Function] = []
    for i, t in enumerate(tokens[:-2]):
        name = None
        if t.value == "function" and tokens[i + 1].kind == "name" and tokens[i + 2].value == "(":
            name, open_at = tokens[i + 1].value, i + 2
        elif (
            t.kind == "name"
            and tokens[i + 1].value in ("=", ":")
            and tokens[i + 2].value == "function"
            and i + 3 < len(tokens)
            and tokens[i + 3].value == "("
        ):
            name, open_at = t.value, i + 3
        if name is None:
            continue
        close = matching(tokens, open_at)
        params = tuple(
            p[0].value for p in split_top(tokens[open_at + 1 : close], ",") if p[0].kind == "name"
        )
        if close + 1 < len(tokens) and tokens[close + 1].value == "{":
            end = matching(tokens, close + 1)
            out.append(Function(name, params, (close + 2, end)))
    return out


def calls_by_name(tokens: list[Token], names: set[str]) -> dict[str, list[list[list[Token]]]]:
    """Argument lists of the calls of each of `names` in a script, in one pass."""
    out: dict[str, list[list[list[Token]]]] = {}
    for i, t in enumerate(tokens[:-1]):
        if t.kind != "name" or t.value not in names or tokens[i + 1].value != "(":
            continue
        if i and tokens[i - 1].value in (".", "function"):
            continue
        end = matching(tokens, i + 1)
        out.setdefault(t.value, []).append(split_top(tokens[i + 2 : end], ","))
    return out
