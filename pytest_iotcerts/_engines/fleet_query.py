"""Fleet indexing's query language, parsed by luqum (a Lucene query parser) and matched against
index documents.

AWS's syntax is Lucene's: ``field:value`` with ``*`` and ``?`` wildcards, quoted values, ranges
``field:[low TO high]`` (``{}`` for exclusive bounds), ``AND``, ``OR``, ``NOT``, parentheses,
plus comparisons written ``field>value`` (``>=``, ``<``, ``<=``), rewritten here to Lucene's
``field:>value`` before parsing. Terms side by side are ANDed. A term without a field matches the
thing name. A document is a flat mapping of dotted field names (``attributes.floor``) to a value
or a list of values (``thingGroupNames``). luqum is imported on first use.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from .._aws.errors import ServiceError
from .._aws.nesting import MAX_QUERY_DEPTH, query_depth, too_deep

Document = Mapping[str, Any]
Matcher = Callable[[Document], bool]
_COMPARISON = re.compile(r"(?<![:\s\[{])\b([A-Za-z_][\w.$-]*)\s*(>=|<=|>|<)\s*")


def _invalid(query: str, reason: str) -> ServiceError:
    return ServiceError("InvalidQueryException", f"The query '{query}' is not valid: {reason}")


@functools.lru_cache(maxsize=256)
def compile_query(query: str, default_field: str = "thingName") -> Matcher:
    """A predicate over documents; InvalidQueryException for a query that does not parse. A
    term without a field (``*``, ``lamp*``) reads ``default_field``: the thing name, or a
    group's name in the thing groups index. Compiled once per query text (a dynamic group's
    query is matched on every thing change)."""
    from luqum.exceptions import ParseError

    if not query.strip():
        raise _invalid(query, "it is empty.")
    deep = too_deep(query_depth(query), MAX_QUERY_DEPTH, "it")
    if deep:
        raise _invalid(query, deep)
    try:
        tree = _parsed(query)
    except (ParseError, ValueError, TypeError) as error:
        raise _invalid(query, str(error).strip() or type(error).__name__) from None
    return _compile(tree, query, field=default_field)


@functools.lru_cache(maxsize=256)
def _parsed(query: str) -> Any:
    """luqum's tree of a query, parsed once per text (compiling and finding candidates both
    read it; neither changes it)."""
    from luqum.parser import parser

    return parser.parse(_COMPARISON.sub(r"\1:\2", query))


# What an index answers for one term: the items whose ``field`` holds ``value`` (``prefix``: a
# value starting with it), as any sized collection; None when the field is not indexed.
Lookup = Callable[[str, str, bool], Collection[Any] | None]


def candidates(query: str, lookup: Lookup) -> Collection[Any] | None:
    """A superset of the items a (valid) query matches, found through the index: the narrowest
    indexed term of a conjunction, the union of a disjunction of indexed terms. None when the
    query needs every item looked at (a negation, a range, a field not indexed)."""
    return _candidates(_parsed(query), lookup, "thingName")


def _candidates(node: Any, lookup: Lookup, field: str) -> Collection[Any] | None:
    from luqum import tree

    if isinstance(node, (tree.AndOperation, tree.UnknownOperation)):
        found = [_candidates(child, lookup, field) for child in node.children]
        known = [items for items in found if items is not None]
        return min(known, key=len) if known else None
    if isinstance(node, tree.OrOperation):
        found = [_candidates(child, lookup, field) for child in node.children]
        if any(items is None for items in found):
            return None
        union: dict[int, Any] = {}
        for items in found:
            union.update((id(item), item) for item in items or ())
        return list(union.values())
    if isinstance(node, (tree.Group, tree.FieldGroup, tree.Plus)):
        return _candidates(node.expr if hasattr(node, "expr") else node.a, lookup, field)
    if isinstance(node, tree.SearchField):
        return _candidates(node.expr, lookup, node.name)
    if isinstance(node, tree.Phrase):
        return lookup(field, node.value.strip('"'), False)
    if isinstance(node, tree.Word):
        value = node.value
        if not any(mark in value for mark in "*?\\"):
            return lookup(field, value, False)
        if value.endswith("*") and not any(mark in value[:-1] for mark in "*?\\"):
            return lookup(field, value[:-1], True)
    return None  # a negation, a range, a wildcard inside a word


def _compile(node: Any, query: str, field: str) -> Matcher:
    from luqum import tree

    if isinstance(node, (tree.AndOperation, tree.UnknownOperation)):
        parts = [_compile(child, query, field) for child in node.children]
        return lambda doc: all(part(doc) for part in parts)
    if isinstance(node, tree.OrOperation):
        parts = [_compile(child, query, field) for child in node.children]
        return lambda doc: any(part(doc) for part in parts)
    if isinstance(node, (tree.Not, tree.Prohibit)):
        inner = _compile(node.a, query, field)
        return lambda doc: not inner(doc)
    if isinstance(node, (tree.Group, tree.FieldGroup, tree.Plus)):
        return _compile(node.expr if hasattr(node, "expr") else node.a, query, field)
    if isinstance(node, tree.SearchField):
        return _compile(node.expr, query, node.name)
    return _term(node, query, field)


def _term(node: Any, query: str, field: str) -> Matcher:
    from luqum import tree

    if isinstance(node, tree.Phrase):
        wanted = node.value.strip('"')
        return lambda doc: any(value == wanted for value in _values(doc, field))
    if isinstance(node, tree.Word):
        pattern = node.value
        return lambda doc: any(fnmatch.fnmatchcase(v, pattern) for v in _values(doc, field))
    if isinstance(node, tree.Range):
        low, high = _bound(node.low), _bound(node.high)
        include_low, include_high = node.include_low, node.include_high
        return lambda doc: any(
            _within(v, low, high, include_low, include_high) for v in _values(doc, field)
        )
    if isinstance(node, (tree.From, tree.To)):
        value = _bound(node.a)
        inclusive = node.include
        if isinstance(node, tree.From):
            return lambda doc: any(
                _within(v, value, None, inclusive, True) for v in _values(doc, field)
            )
        return lambda doc: any(
            _within(v, None, value, True, inclusive) for v in _values(doc, field)
        )
    raise _invalid(query, f"{type(node).__name__} terms are not supported.")


def _bound(node: Any) -> str | None:
    value = str(getattr(node, "value", node)).strip('"')
    return None if value == "*" else value


def _values(doc: Document, field: str) -> list[str]:
    value = doc.get(field)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(item).lower() if isinstance(item, bool) else str(item) for item in items]


def _within(
    value: str, low: str | None, high: str | None, include_low: bool, include_high: bool
) -> bool:
    key = _number_or_text(value)
    above = low is None or (
        key >= _number_or_text(low) if include_low else key > _number_or_text(low)
    )
    below = high is None or (
        key <= _number_or_text(high) if include_high else key < _number_or_text(high)
    )
    return above and below


def _number_or_text(value: str) -> tuple[int, float, str]:
    """Numbers compare as numbers, and before text; text compares as text."""
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)
