"""Event configurations (Describe/UpdateEventConfigurations) and the event messages the registry
and jobs publish while their type is enabled, on AWS's topics with AWS's payloads (the developer
guide's "Registry events" and "Jobs events").

Every type is off until enabled. POLICY, CERTIFICATE and CA_CERTIFICATE are configured and
described, but AWS documents no messages for them, so none are published; the JITR event
(``$aws/events/certificates/registered/CA_ID``) is published whatever the configuration.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from .._aws.clock import epoch_millis, timestamp
from .._aws.errors import invalid_request
from .._core.resources import Job, JobExecution, Thing, ThingGroup, ThingType
from .._core.store import EVENT_TYPES
from ._scope import Scope


class EventConfigurations:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def describe(self) -> tuple[dict[str, bool], dt.datetime, dt.datetime]:
        """Each type's Enabled, and when the configuration was created and last modified."""
        with self._scope.store.lock:
            settings = self._scope.state.event_settings
            return dict(settings.enabled), settings.created, settings.modified

    def update(self, configurations: dict[str, dict[str, Any]]) -> None:
        unknown = sorted(set(configurations) - set(EVENT_TYPES))
        if unknown:
            raise invalid_request(f"Unknown event types: {', '.join(unknown)}.")
        with self._scope.store.lock:
            settings = self._scope.state.event_settings
            for event_type, configuration in configurations.items():
                settings.enabled[event_type] = bool((configuration or {}).get("Enabled", False))
            settings.modified = timestamp()


class RegistryEvents:
    """Publishes a registry or jobs event when its type is enabled (call it with the change)."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def thing(self, operation: str, thing: Thing) -> None:
        self._publish(
            "THING",
            f"$aws/events/thing/{thing.name}/{operation.lower()}",
            {
                "eventType": "THING_EVENT",
                "operation": operation,
                "accountId": self._scope.account_id,
                "thingId": thing.thing_id,
                "thingName": thing.name,
                "versionNumber": thing.version,
                "thingTypeName": thing.thing_type_name,
                "attributes": dict(thing.attributes),
            },
        )

    def thing_type(self, operation: str, thing_type: ThingType) -> None:
        properties = thing_type.properties
        self._publish(
            "THING_TYPE",
            f"$aws/events/thingType/{thing_type.name}/{operation.lower()}",
            {
                "eventType": "THING_TYPE_EVENT",
                "operation": operation,
                "accountId": self._scope.account_id,
                "thingTypeId": thing_type.thing_type_id,
                "thingTypeName": thing_type.name,
                "isDeprecated": thing_type.deprecated,
                "deprecationDate": _millis(thing_type.deprecation_date),
                "searchableAttributes": list(properties.get("searchableAttributes") or []),
                "propagatingAttributes": list(
                    (properties.get("mqtt5Configuration") or {}).get("propagatingAttributes") or []
                ),
                "description": properties.get("thingTypeDescription"),
            },
        )

    def type_association(self, operation: str, thing: Thing, thing_type_name: str) -> None:
        self._publish(
            "THING_TYPE_ASSOCIATION",
            f"$aws/events/thingTypeAssociation/thing/{thing.name}/{thing_type_name}",
            {
                "eventType": "THING_TYPE_ASSOCIATION_EVENT",
                "operation": operation,
                "thingId": thing.thing_id,
                "thingName": thing.name,
                "thingTypeName": thing_type_name,
            },
        )

    def thing_group(self, operation: str, group: ThingGroup) -> None:
        state = self._scope.state
        parent = state.thing_groups.get(group.parent_name or "")
        chain = _ancestors(state.thing_groups, group)
        self._publish(
            "THING_GROUP",
            f"$aws/events/thingGroup/{group.name}/{operation.lower()}",
            {
                "eventType": "THING_GROUP_EVENT",
                "operation": operation,
                "accountId": self._scope.account_id,
                "thingGroupId": group.group_id,
                "thingGroupName": group.name,
                "versionNumber": group.version,
                "parentGroupName": group.parent_name,
                "parentGroupId": parent.group_id if parent is not None else None,
                "description": (group.properties.get("thingGroupDescription")),
                "rootToParentThingGroups": [
                    {"groupArn": each.arn, "groupId": each.group_id} for each in chain
                ],
                "attributes": dict(
                    (group.properties.get("attributePayload") or {}).get("attributes") or {}
                ),
                "dynamicGroupMappingId": None,
            },
        )

    def membership(self, operation: str, group: ThingGroup, thing: Thing) -> None:
        self._publish(
            "THING_GROUP_MEMBERSHIP",
            f"$aws/events/thingGroupMembership/thingGroup/{group.name}/thing/{thing.name}/"
            f"{operation.lower()}",
            {
                "eventType": "THING_GROUP_MEMBERSHIP_EVENT",
                "operation": operation,
                "accountId": self._scope.account_id,
                "groupArn": group.arn,
                "groupId": group.group_id,
                "thingArn": thing.arn,
                "thingId": thing.thing_id,
                "membershipId": str(uuid.uuid5(uuid.NAMESPACE_URL, group.arn + thing.arn)),
            },
        )

    def hierarchy(self, operation: str, parent: ThingGroup, child: ThingGroup) -> None:
        self._publish(
            "THING_GROUP_HIERARCHY",
            f"$aws/events/thingGroupHierarchy/thingGroup/{parent.name}/childThingGroup/"
            f"{child.name}/{operation.lower()}",
            {
                "eventType": "THING_GROUP_HIERARCHY_EVENT",
                "operation": operation,
                "accountId": self._scope.account_id,
                "thingGroupId": parent.group_id,
                "thingGroupName": parent.name,
                "childGroupId": child.group_id,
                "childGroupName": child.name,
            },
        )

    def job(self, operation: str, job: Job) -> None:
        """``completed``, ``canceled`` or ``deleted``."""
        payload: dict[str, Any] = {
            "eventType": "JOB",
            "operation": operation,
            "jobId": job.job_id,
            "status": job.status,
            "targetSelection": job.target_selection,
            "targets": list(job.settings.get("targets") or []),
            "description": job.settings.get("description"),
            "createdAt": _millis(job.created_at),
            "lastUpdatedAt": _millis(job.last_updated_at),
        }
        if operation == "completed":
            payload["completedAt"] = _millis(job.completed_at)
            payload["jobProcessDetails"] = _process_details(job)
        if job.comment:
            payload["comment"] = job.comment
        self._publish("JOB", f"$aws/events/job/{job.job_id}/{operation}", payload)

    def job_execution(self, operation: str, execution: JobExecution) -> None:
        """``succeeded``, ``failed``, ``rejected``, ``canceled``, ``removed``, ``timed_out`` or
        ``deleted``."""
        self._publish(
            "JOB_EXECUTION",
            f"$aws/events/jobExecution/{execution.job_id}/{operation}",
            {
                "eventType": "JOB_EXECUTION",
                "operation": operation,
                "jobId": execution.job_id,
                "thingArn": execution.thing_arn,
                "status": execution.status,
                "statusDetails": dict(execution.status_details),
            },
        )

    def _publish(self, event_type: str, topic: str, payload: dict[str, Any]) -> None:
        with self._scope.store.lock:
            enabled = self._scope.state.event_settings.enabled[event_type]
        if enabled:
            self._scope.publish(
                topic,
                {"eventId": str(uuid.uuid4()), "timestamp": epoch_millis(), **payload},
            )


def _millis(moment: dt.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def _ancestors(groups: dict[str, ThingGroup], group: ThingGroup) -> list[ThingGroup]:
    """From the root down to the group's parent."""
    chain: list[ThingGroup] = []
    parent = groups.get(group.parent_name or "")
    while parent is not None:
        chain.insert(0, parent)
        parent = groups.get(parent.parent_name or "")
    return chain


def _process_details(job: Job) -> dict[str, int]:
    """The counts AWS's example of a completed job's event shows."""
    counts = {
        "numberOfCanceledThings": "CANCELED",
        "numberOfRejectedThings": "REJECTED",
        "numberOfFailedThings": "FAILED",
        "numberOfRemovedThings": "REMOVED",
        "numberOfSucceededThings": "SUCCEEDED",
    }
    latest = [execution.status for execution in job.latest_executions()]
    return {name: latest.count(status) for name, status in counts.items()}
