"""Device shadows, retained messages, every message published and what AWS IoT sends on (rule
runs, fleet metrics' data points): seeded and read by tests; part of ``IotCerts``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._core.events import Message, matches
from .._core.resources import FleetMetricDatum, RetainedMessage, RuleRun
from .._service.shadows import Named

if TYPE_CHECKING:
    from .._core.store import Store
    from .._service import IotService


class DataPlane:
    """``set_shadow``, ``shadow``, ``retain``, ``messages``, ``assert_published``."""

    _store: Store

    if TYPE_CHECKING:  # from the other parts of IotCerts

        def service(
            self, account_id: str | None = None, region: str | None = None
        ) -> IotService: ...

    def set_shadow(
        self,
        thing_name: str,
        *,
        desired: dict[str, Any] | None = None,
        reported: dict[str, Any] | None = None,
        shadow_name: str | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Update a thing's shadow (the classic one, or ``shadow_name``) as UpdateThingShadow
        would, before the code under test runs: delta, metadata and version follow AWS's rules,
        and ``update/delta`` and ``update/documents`` are published. The ``accepted`` document."""
        state = {
            section: value
            for section, value in (("desired", desired), ("reported", reported))
            if value is not None
        }
        where = Named(thing_name, shadow_name or "")
        return self.service(account_id, region).shadows.seed(where, state)

    def shadow(
        self,
        thing_name: str,
        shadow_name: str | None = None,
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any] | None:
        """A shadow's document as GetThingShadow answers it (``state`` with ``delta``,
        ``metadata``, ``version``, ``timestamp``), or None when there is none."""
        held = self.service(account_id, region).shadows.held()
        found = held.get((thing_name, shadow_name or ""))
        return None if found is None else found.document()

    def retain(
        self,
        topic: str,
        payload: bytes | str | dict[str, Any],
        *,
        qos: int = 0,
        account_id: str | None = None,
        region: str | None = None,
    ) -> None:
        """Keep a retained message on ``topic``, as Publish with ``retain`` would (delivered
        to subscribers, and to new ones when they subscribe)."""
        data = _bytes(payload)
        self.service(account_id, region).messages.publish(topic, data, qos=qos, retain=True)

    def retained_messages(
        self, *, account_id: str | None = None, region: str | None = None
    ) -> list[RetainedMessage]:
        """The retained messages, in topic order."""
        return self.service(account_id, region).messages.all_retained()

    @property
    def messages(self) -> list[Message]:
        """Every message published, oldest first: by devices over MQTT (``via`` "mqtt", with
        their client id as ``sender``), through ``iot-data``'s Publish ("http"), and by AWS IoT
        itself ("aws": shadow answers, events)."""
        return self._store.events.messages

    def messages_on(self, topic_filter: str) -> list[Message]:
        """The messages whose topic matches ``topic_filter`` (``+`` and ``#`` allowed)."""
        return [message for message in self.messages if matches(message.topic, topic_filter)]

    def rule_runs(
        self,
        rule_name: str | None = None,
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> list[RuleRun]:
        """Every message a rule selected (of ``rule_name``, when given), oldest first: its
        ``selected`` result and each action's ``outcomes`` (``ok``, ``delivered``)."""
        scope = self.service(account_id, region).scope
        with scope.store.lock:
            runs = list(scope.state.rule_runs)
        return [run for run in runs if rule_name in (None, run.rule_name)]

    def emit_fleet_metrics(
        self, *, account_id: str | None = None, region: str | None = None
    ) -> list[FleetMetricDatum]:
        """Run every fleet metric's query now, as AWS IoT does once a period: the data points
        emitted (also kept in ``fleet_metric_data``, and put in moto's CloudWatch, namespace
        ``IoTFleetMetrics``, when moto's ``mock_aws()`` is active)."""
        return self.service(account_id, region).fleet_metrics.emit()

    def fleet_metric_data(
        self,
        metric_name: str | None = None,
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> list[FleetMetricDatum]:
        """Every data point the fleet metrics emitted (of ``metric_name``, when given), oldest
        first: on create and update, and on each ``emit_fleet_metrics``."""
        scope = self.service(account_id, region).scope
        with scope.store.lock:
            data = list(scope.state.fleet_metric_data)
        return [datum for datum in data if metric_name in (None, datum.metric_name)]

    def destination_confirmations(
        self, *, account_id: str | None = None, region: str | None = None
    ) -> list[dict[str, str]]:
        """What AWS IoT sent the confirmation URLs of HTTP topic rule destinations, oldest
        first: ``url``, ``arn``, ``confirmationToken`` and ``enableUrl``."""
        scope = self.service(account_id, region).scope
        with scope.store.lock:
            return [dict(sent) for sent in scope.state.destination_confirmations]

    def set_lambda_function(
        self,
        function: str,
        handler: Callable[[Any], Any],
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> None:
        """Stand in for a Lambda that rules' ``lambda`` actions invoke: ``handler`` gets the
        SELECT's result (a dict, or bytes for a binary payload). ``function`` is its name or
        ARN."""
        scope = self.service(account_id, region).scope
        with scope.store.lock:
            scope.state.lambda_functions[function] = handler

    def assert_published(
        self, topic_filter: str, payload: bytes | str | dict[str, Any] | None = None
    ) -> Message:
        """The latest message on ``topic_filter`` (with that payload, when given; a dict is
        compared as JSON); AssertionError listing what was published instead."""
        __tracebackhide__ = True
        found = self.messages_on(topic_filter)
        if payload is not None:
            found = [m for m in found if _same_payload(m.payload, payload)]
        if not found:
            published = [(m.topic, m.payload[:80]) for m in self.messages] or "nothing"
            wanted = "" if payload is None else f" with payload {payload!r}"
            raise AssertionError(
                f"no message on {topic_filter!r}{wanted} was published; published: {published}"
            )
        return found[-1]


def _bytes(payload: bytes | str | dict[str, Any]) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode()
    return json.dumps(payload).encode()


def _same_payload(data: bytes, wanted: bytes | str | dict[str, Any]) -> bool:
    if isinstance(wanted, dict):
        try:
            return bool(json.loads(data) == wanted)
        except ValueError:
            return False
    return data == _bytes(wanted)
