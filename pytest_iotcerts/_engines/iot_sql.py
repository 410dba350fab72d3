"""Checking AWS IoT SQL, the language of topic rules, with a real SQL parser (sqlglot).

A rule's statement is ``SELECT <expressions> FROM '<topic filter>' [WHERE <condition>]``: one
statement, a SELECT, whose FROM is a single quoted MQTT topic filter. sqlglot parses the
expressions and conditions (functions, nested attributes, operators); the checks here add what is
particular to AWS IoT. A statement that does not parse is ``SqlParseException`` with the parser's
own account of where it went wrong. sqlglot is imported on first use: only suites that create
topic rules pay for it.
"""

from __future__ import annotations

import re
from typing import Any

from .._aws.errors import ServiceError
from .._aws.nesting import MAX_SQL_DEPTH, sql_depth, too_deep

SQL_VERSIONS = ("2015-10-08", "2016-03-23", "beta")


# AWS IoT SQL functions whose names sqlglot gives a typed node of another arity: read as plain
# calls (``parse_time`` takes a third argument, the time zone).
_RENAMED = re.compile(r"\bparse_time\s*\(", re.IGNORECASE)


def for_sqlglot(sql: str) -> str:
    """The statement as sqlglot should read it."""
    return _RENAMED.sub("aws_parse_time(", sql)


def _parse_error(message: str) -> ServiceError:
    return ServiceError("SqlParseException", message)


def topic_pattern(sql: str) -> str:
    """The topic filter a rule's SQL selects from; SqlParseException if the SQL is not a valid
    AWS IoT SQL statement."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    deep = too_deep(sql_depth(sql), MAX_SQL_DEPTH, "The SQL statement")
    if deep:
        raise _parse_error(deep)
    try:
        statements = [s for s in sqlglot.parse(for_sqlglot(sql)) if s is not None]
    except SqlglotError as error:
        raise _parse_error(f"Could not parse the SQL statement: {_first_line(error)}") from None
    if len(statements) != 1 or not isinstance(statements[0], exp.Select):
        raise _parse_error("A topic rule's SQL is one SELECT statement.")
    select: Any = statements[0]
    sources = select.args.get("from_") or select.args.get("from")
    table = sources.this if sources is not None else None
    if not isinstance(table, exp.Table) or not table.this.args.get("quoted"):
        raise _parse_error("The FROM clause must name one topic filter in single quotes.")
    if select.args.get("joins") or select.args.get("group") or select.args.get("order"):
        raise _parse_error("AWS IoT SQL has no JOIN, GROUP BY or ORDER BY.")
    if f"'{table.name}'" not in sql:  # sqlglot also takes "double quotes"; AWS IoT does not
        raise _parse_error("The FROM clause must name the topic filter in single quotes.")
    check_topic_filter(table.name)
    return str(table.name)


def check_topic_filter(topic: str) -> None:
    """MQTT's rules: ``+`` fills a whole level, ``#`` only the whole last level."""
    levels = topic.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            raise _parse_error(f"'{topic}': '#' may only stand alone as the last topic level.")
        if "+" in level and level != "+":
            raise _parse_error(f"'{topic}': '+' must stand alone in its topic level.")
    if not topic:
        raise _parse_error("The topic filter in FROM is empty.")


def _first_line(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text.replace("\x1b[4m", "").replace("\x1b[0m", "")
