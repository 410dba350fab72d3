"""Commands: a reusable instruction for devices (a payload), and each execution of one on a
target device, with the status the device reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

TERMINAL_COMMAND_STATUSES = frozenset({"SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT"})


@dataclass
class Command:
    command_id: str
    arn: str
    namespace: str
    settings: dict[str, Any]  # displayName, description, payload, mandatoryParameters, roleArn
    created_at: dt.datetime
    last_updated_at: dt.datetime
    sequence: int
    deprecated: bool = False
    deprecated_on_clock: float | None = None  # when, on the mock's clock
    pending_deletion: bool = False


@dataclass
class CommandExecution:
    execution_id: str
    command_arn: str
    command_id: str
    target_arn: str
    parameters: dict[str, Any]
    timeout_seconds: int
    created_at: dt.datetime
    started_on_clock: float  # the mock's clock, for the timeout
    sequence: int
    client_token: str | None = None
    status: str = "CREATED"
    status_reason: dict[str, str] | None = None
    result: dict[str, Any] = field(default_factory=dict)
    last_updated_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_COMMAND_STATUSES
