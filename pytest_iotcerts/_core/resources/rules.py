"""Topic rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..._aws.clock import timestamp
from ..._aws.public import public
from ..links import Links
from ._named import NamedResource


class TopicRule(NamedResource):
    """A topic rule: its SQL (checked), actions, and whether it is enabled."""

    _arn_kind = "rule"

    def __init__(
        self,
        name: str,
        *,
        account_id: str,
        region: str,
        links: Links,
        payload: dict[str, Any],
        topic_pattern: str,
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.payload = dict(payload)  # the TopicRulePayload as given
        self.topic_pattern = topic_pattern
        self.created_at = timestamp()

    @property
    def disabled(self) -> bool:
        return bool(self.payload.get("ruleDisabled", False))

    def __repr__(self) -> str:
        return f"<TopicRule {self.name} FROM '{self.topic_pattern}'>"


@public
@dataclass(frozen=True)
class ActionOutcome:
    """What one action of a rule did: ``kind`` (``republish``, ``sqs``, ``lambda``, ...), its
    target (a topic, a queue URL, a table), whether it succeeded, and ``delivered``: False when
    no service was there to take it (moto not active) and it was only recorded."""

    kind: str
    target: str
    ok: bool
    delivered: bool
    payload: bytes
    detail: str = ""


@public
@dataclass(frozen=True)
class RuleRun:
    """One message a rule selected: its topic and payload, the SELECT's result (None when the
    WHERE clause did not hold), each action's outcome, and the errorAction's when one ran."""

    rule_name: str
    topic: str
    payload: bytes
    selected: Any
    outcomes: tuple[ActionOutcome, ...] = ()
    error: str | None = None
    error_outcome: ActionOutcome | None = None

    def json(self) -> Any:
        """The SELECT's result (a JSON object; any JSON value for SELECT VALUE), or None."""
        return None if isinstance(self.selected, (bytes, type(None))) else self.selected


@dataclass
class TopicRuleDestination:
    """Where HTTP actions (``httpUrlConfiguration``) or VPC traffic (``vpcConfiguration``) may
    go; an HTTP destination is ``IN_PROGRESS`` until its confirmation token comes back."""

    arn: str
    configuration: dict[str, Any]
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    confirmation_token: str | None = None
    status_reason: str = ""

    @property
    def confirmation_url(self) -> str | None:
        http = self.configuration.get("httpUrlConfiguration")
        return str(http["confirmationUrl"]) if http else None
