"""The search query language: terms, "quoted phrases", AND, OR, NOT, -term, parentheses.

Terms side by side mean AND. NOT binds tighter than AND, AND tighter than OR. A term
matches a text that contains it literally (Chinese of any length, one character
included); a quoted phrase is one term, spaces and all.
"""

from __future__ import annotations

from dataclasses import dataclass

from query.tokenize import QueryTokens, query_tokens


class QueryError(ValueError):
    """The query cannot be understood; the message says where."""


@dataclass(frozen=True)
class Term:
    text: str

    @property
    def tokens(self) -> QueryTokens:
        return query_tokens(self.text)


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Not | And | Or
_KEYWORDS = {"AND", "OR", "NOT"}


def _lex(query: str) -> list[tuple[str, str]]:
    """Tokens: ("term", text), ("op", AND|OR|NOT), ("(", ""), (")", "")."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace() or ch == "\u3000":
            i += 1
        elif ch in "()（）":
            out.append(("(" if ch in "(（" else ")", ""))
            i += 1
        elif ch in '"“”':
            close = query.find('"' if ch == '"' else "”", i + 1)
            if close < 0 and ch != '"':
                close = query.find('"', i + 1)
            if close < 0:
                raise QueryError(f"unclosed quote at character {i + 1} of the query")
            phrase = query[i + 1 : close]
            if not phrase.strip():
                raise QueryError(f"empty phrase at character {i + 1} of the query")
            out.append(("term", phrase))
            i = close + 1
        elif (
            ch == "-"
            and i + 1 < n
            and not query[i + 1].isspace()
            and (i == 0 or query[i - 1].isspace())
        ):
            out.append(("op", "NOT"))
            i += 1
        else:
            j = i
            while j < n and not (query[j].isspace() or query[j] in '()（）"“”\u3000'):
                j += 1
            word = query[i:j]
            out.append(("op", word) if word in _KEYWORDS else ("term", word))
            i = j
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("empty query")
        node = self.or_()
        if self.peek() is not None:
            kind, value = self.peek()  # type: ignore[misc]
            raise QueryError(f"unexpected {value or kind!r} in the query")
        return node

    def or_(self) -> Node:
        nodes = [self.and_()]
        while self.peek() == ("op", "OR"):
            self.take()
            nodes.append(self.and_())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_(self) -> Node:
        nodes = [self.unary()]
        while True:
            token = self.peek()
            if token is None or token == ("op", "OR") or token[0] == ")":
                break
            if token == ("op", "AND"):
                self.take()
            nodes.append(self.unary())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError("the query ends where a term was expected")
        if token == ("op", "NOT"):
            self.take()
            return Not(self.unary())
        if token[0] == "(":
            self.take()
            node = self.or_()
            if self.peek() is None or self.peek()[0] != ")":  # type: ignore[index]
                raise QueryError("unclosed parenthesis in the query")
            self.take()
            return node
        if token[0] == "term":
            self.take()
            if query_tokens(token[1]).empty:
                raise QueryError(
                    f"{token[1]!r} has no letters, digits or Chinese characters to search"
                )
            return Term(token[1])
        raise QueryError(f"unexpected {token[1] or token[0]!r} in the query")


def parse_query(query: str) -> Node:
    """Parse a query; raises :class:`QueryError` with a precise message."""
    return _Parser(_lex(query)).parse()


def positive_terms(node: Node, negated: bool = False) -> list[str]:
    """The terms a hit may contain (for ranking and highlighting), without duplicates."""
    out: dict[str, None] = {}
    if isinstance(node, Term):
        if not negated:
            out[node.text] = None
    elif isinstance(node, Not):
        out.update(dict.fromkeys(positive_terms(node.node, not negated)))
    else:
        for child in node.nodes:
            out.update(dict.fromkeys(positive_terms(child, negated)))
    return list(out)


def all_terms(node: Node) -> list[str]:
    if isinstance(node, Term):
        return [node.text]
    if isinstance(node, Not):
        return all_terms(node.node)
    out: dict[str, None] = {}
    for child in node.nodes:
        out.update(dict.fromkeys(all_terms(child)))
    return list(out)
