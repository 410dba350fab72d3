"""Topic rules: SQL checked by a real parser, enabled or disabled, listed by topic."""

from __future__ import annotations

from typing import Any

from .._aws.errors import ServiceError, already_exists, invalid_request
from .._core.ordered import Filtered, Ordered
from .._core.resources import TopicRule
from .._engines import iot_sql_eval
from .._engines.iot_sql import SQL_VERSIONS, check_topic_filter, topic_pattern
from ._scope import Scope


def _missing(name: str) -> ServiceError:
    # AWS answers a rule that does not exist as one the caller may not see.
    return ServiceError("UnauthorizedException", f"The rule {name} does not exist.")


def _checked(payload: dict[str, Any]) -> str:
    version = payload.get("awsIotSqlVersion")
    if version is not None and version not in SQL_VERSIONS:
        raise invalid_request(
            f"awsIotSqlVersion {version} is not one of {', '.join(SQL_VERSIONS)}."
        )
    pattern = topic_pattern(str(payload["sql"]))
    if iot_sql_eval.selects_value(str(payload["sql"])) and version in (None, "2015-10-08"):
        raise ServiceError(
            "SqlParseException",
            "SELECT VALUE needs awsIotSqlVersion 2016-03-23 (this rule's is 2015-10-08).",
        )
    missing = iot_sql_eval.unevaluated_functions(iot_sql_eval.parse(str(payload["sql"])))
    if missing:
        raise invalid_request(
            f"The rule's SQL calls {', '.join(f'{name}()' for name in missing)}, which "
            "pytest-iotcerts does not evaluate yet; the rule would never run as on AWS IoT."
        )
    return pattern


class TopicRules:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, name: str, payload: dict[str, Any]) -> TopicRule:
        pattern = _checked(payload)  # the parser runs outside the lock
        state = self._scope.state
        with self._scope.store.lock:
            if name in state.topic_rules:
                raise already_exists(
                    f"The rule {name} already exists.",
                    name,
                    state.topic_rules[name].arn,
                )
            rule = state.topic_rules[name] = TopicRule(
                name,
                **self._scope.placement,
                payload=payload,
                topic_pattern=pattern,
            )
            return rule

    def get(self, name: str) -> TopicRule:
        with self._scope.store.lock:
            rule = self._scope.state.topic_rules.get(name)
            if rule is None:
                raise _missing(name)
            return rule

    def replace(self, name: str, payload: dict[str, Any]) -> TopicRule:
        pattern = _checked(payload)
        with self._scope.store.lock:
            rule = self.get(name)
            rule.payload, rule.topic_pattern = dict(payload), pattern
            return rule

    def set_disabled(self, name: str, disabled: bool) -> TopicRule:
        with self._scope.store.lock:
            rule = self.get(name)
            rule.payload["ruleDisabled"] = disabled
            return rule

    def delete(self, name: str) -> None:
        state = self._scope.state
        with self._scope.store.lock:
            rule = self.get(name)
            state.tags.pop(rule.arn, None)
            del state.topic_rules[name]

    def in_order(self) -> Ordered[TopicRule]:
        """The rules by creation, as held: a page costs O(page + log n)."""
        return self._scope.state.topic_rules.in_order

    def select(self, *, topic: str | None = None, disabled: bool | None = None) -> list[TopicRule]:
        """Rules selecting from exactly ``topic`` (as ListTopicRules filters), enabled or not."""
        return list(self.listed(topic=topic, disabled=disabled))

    def listed(
        self, *, topic: str | None = None, disabled: bool | None = None
    ) -> Ordered[TopicRule]:
        """Rules selecting from exactly ``topic`` (as ListTopicRules filters), enabled or not,
        by creation and checked only as a page reaches them."""
        if topic is not None:
            check_topic_filter(topic)
        return Filtered(
            self.in_order(),
            lambda rule: topic in (None, rule.topic_pattern) and disabled in (None, rule.disabled),
        )
