"""The search query language: terms, "quoted phrases", AND, OR, NOT, -term, parentheses.

Terms side by side mean AND. NOT binds tighter than AND, AND tighter than OR. A term
matches a text that contains it literally (Chinese of any length, one character
included); a quoted phrase is one term, spaces and all.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.tokenize import QueryTokens, query_tokens


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


MAX_DEPTH = 64
"""Deepest nesting of AND, OR and NOT a query may have once parentheses that group a
single node and doubled negations are folded away (the SQLite FTS5 and PostgreSQL
tsquery parsers refuse much deeper expressions, and no real question needs it)."""
_PRECEDENCE = {"OR": 1, "AND": 2, "NOT": 3}


@dataclass
class _Nary:
    """An AND or OR being built: its operands are appended in place (a long query of
    terms side by side stays linear to parse)."""

    kind: type[And] | type[Or]
    nodes: list[Node]

    def freeze(self) -> Node:
        return self.kind(tuple(self.nodes))


_Operand = tuple["Node | _Nary", int]  # a node or an n-ary in the making, and its depth


def _frozen(node: Node | _Nary) -> Node:
    return node.freeze() if isinstance(node, _Nary) else node


def _combine(op: str, left: _Operand, right: _Operand) -> _Operand:
    """``left op right`` as one n-ary node (nested nodes of the same operator flattened)."""
    kind = And if op == "AND" else Or

    def children(operand: _Operand) -> tuple[list[Node], int]:
        node, depth = operand
        if isinstance(node, _Nary) and node.kind is kind:
            return node.nodes, depth - 1
        if isinstance(node, kind):
            return list(node.nodes), depth - 1
        return [_frozen(node)], depth

    (left_nodes, left_depth), (right_nodes, right_depth) = children(left), children(right)
    if isinstance(left[0], _Nary) and left[0].kind is kind:
        left[0].nodes.extend(right_nodes)
        return left[0], 1 + max(left_depth, right_depth)
    return _Nary(kind, left_nodes + right_nodes), 1 + max(left_depth, right_depth)


def _negate(operand: _Operand) -> _Operand:
    node, depth = operand
    if isinstance(node, Not):  # NOT NOT x is x
        return node.node, depth - 1
    return Not(_frozen(node)), depth + 1


def _parse(tokens: list[tuple[str, str]]) -> Node:
    """Operator precedence without recursion (shunting-yard): NOT before AND before OR,
    terms side by side joined by AND. Each operand carries its depth, so a query nested
    beyond MAX_DEPTH is refused with a message instead of exhausting a stack."""
    if not tokens:
        raise QueryError("empty query")
    operands: list[_Operand] = []
    operators: list[str] = []  # "AND", "OR", "NOT", "("

    def apply(op: str) -> None:
        if op == "NOT":
            operands.append(_negate(operands.pop()))
        else:
            right = operands.pop()
            operands.append(_combine(op, operands.pop(), right))
        if operands[-1][1] > MAX_DEPTH:
            raise QueryError(
                f"the query nests AND, OR, NOT and parentheses more than {MAX_DEPTH} levels deep"
            )

    def push_binary(op: str) -> None:
        while (
            operators
            and operators[-1] not in ("(", "NOT")
            and (_PRECEDENCE[operators[-1]] >= _PRECEDENCE[op])
        ):
            apply(operators.pop())
        while operators and operators[-1] == "NOT":
            apply(operators.pop())
        operators.append(op)

    expect_operand = True
    for kind, value in tokens:
        if kind == "op" and value in ("AND", "OR"):
            if expect_operand:
                raise QueryError(f"unexpected {value!r} in the query")
            push_binary(value)
            expect_operand = True
        elif kind == ")":
            if expect_operand:
                raise QueryError("unexpected ')' in the query")
            while operators and operators[-1] != "(":
                apply(operators.pop())
            if not operators:
                raise QueryError("unexpected ')' in the query")
            operators.pop()
            expect_operand = False
        else:  # an operand begins: a term, NOT or "("
            if not expect_operand:
                push_binary("AND")  # terms side by side
            if kind == "term":
                if query_tokens(value).empty:
                    raise QueryError(
                        f"{value!r} has no letters, digits or Chinese characters to search"
                    )
                operands.append((Term(value), 1))
                while operators and operators[-1] == "NOT":
                    apply(operators.pop())
                expect_operand = False
            else:
                operators.append("NOT" if kind == "op" else "(")
                expect_operand = True
        if kind == ")":
            while operators and operators[-1] == "NOT":
                apply(operators.pop())
    if expect_operand:
        raise QueryError("the query ends where a term was expected")
    while operators:
        op = operators.pop()
        if op == "(":
            raise QueryError("unclosed parenthesis in the query")
        apply(op)
    assert len(operands) == 1
    return _frozen(operands[0][0])


def parse_query(query: str) -> Node:
    """Parse a query; raises :class:`QueryError` with a precise message."""
    return _parse(_lex(query))


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
