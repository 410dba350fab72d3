"""Topic rules."""

from __future__ import annotations

from typing import Any

from ..._aws.clock import timestamp
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
