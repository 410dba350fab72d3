"""The values AWS IoT SQL works with, shared by the evaluator and its functions: *undefined*
(an attribute the payload does not have), the message a statement is evaluated on, and the
error an evaluation raises."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

UNDEFINED: Any = object()  # an attribute the payload does not have


class SqlEvaluationError(Exception):
    """The statement cannot be evaluated on this message (an unknown function, a bad type)."""


@dataclass(frozen=True)
class MessageContext:
    """What the functions of a statement can ask about the message."""

    topic: str
    payload: bytes
    client_id: str | None = None
    principal: str | None = None
    timestamp_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    trace_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
