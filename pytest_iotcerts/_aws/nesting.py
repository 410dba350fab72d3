"""How deep a text nests: JSON, SQL and queries arrive inside string members, where the body's
own nesting guard cannot see them, and their parsers recurse once (or, for SQL, a score of times)
per level. Each parser refuses input nested past its limit with its own modeled error, before it
parses; AWS documents no depth, so the limits are far above what real documents, rules and
queries use and well inside what the parsers can take.
"""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 64  # policy documents, job documents, provisioning templates
MAX_SQL_DEPTH = 20  # a topic rule's SQL: sqlglot spends ~20 frames a parenthesis
MAX_QUERY_DEPTH = 64  # fleet indexing queries

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SQL_STRINGS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`", re.DOTALL)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")
_PARENTHESES = re.compile(r"[()\[\]{}]")


def json_depth(text: str) -> int:
    """How deep a JSON text's arrays and objects nest (strings ignored)."""
    return _depth(_JSON_BRACKETS.findall(_JSON_STRING.sub("", text)))


def sql_depth(text: str) -> int:
    """How deep parentheses and brackets nest in SQL (quoted text ignored)."""
    return _depth(_PARENTHESES.findall(_SQL_STRINGS.sub("", text)))


def query_depth(text: str) -> int:
    """How deep groups nest in a Lucene-style query (quoted phrases ignored)."""
    return _depth(_PARENTHESES.findall(_JSON_STRING.sub("", text)))


def too_deep(depth: int, limit: int, what: str) -> str | None:
    """The message for ``what`` nested ``depth`` levels, when that is past ``limit``."""
    if depth <= limit:
        return None
    return f"{what} nests {depth} levels deep; at most {limit} are accepted."


def _depth(brackets: list[str]) -> int:
    depth = deepest = 0
    for bracket in brackets:
        if bracket in "([{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest
