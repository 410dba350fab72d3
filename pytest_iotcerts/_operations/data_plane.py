"""Wire adapters for the data plane (``iot-data``): device shadows, Publish, retained messages,
DeleteConnection. Shadow documents travel as the raw JSON payload, as AWS IoT sends them."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from .._aws import mqtt_limits
from .._aws.errors import invalid_request
from .._service import IotService
from .._service.shadows import Named
from ._common import operation, page_by_position

SERVICE = "iot-data"
# Publish's MQTT 5 members, kept on the message as the properties a subscriber would see
PROPERTIES = (
    "userProperties",
    "payloadFormatIndicator",
    "contentType",
    "responseTopic",
    "correlationData",
    "messageExpiry",
)


def _where(params: Mapping[str, Any]) -> Named:
    return Named(params["thingName"], params.get("shadowName") or "")


def _payload(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


@operation("UpdateThingShadow", service=SERVICE)
def update_thing_shadow(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    accepted = service.shadows.update(_where(params), params.get("payload") or b"")
    return {"payload": _payload(accepted)}


@operation("GetThingShadow", service=SERVICE)
def get_thing_shadow(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return {"payload": _payload(service.shadows.get(_where(params)))}


@operation("DeleteThingShadow", service=SERVICE)
def delete_thing_shadow(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return {"payload": _payload(service.shadows.delete(_where(params)))}


@operation("ListNamedShadowsForThing", service=SERVICE)
def list_named_shadows_for_thing(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    names = service.shadows.names(params["thingName"])
    chosen, token = page_by_position(
        names, {"nextToken": params.get("nextToken"), "maxResults": params.get("pageSize")}
    )
    return {"results": chosen, "nextToken": token, "timestamp": int(time.time())}


def _user_properties(value: Any) -> list[dict[str, str]]:
    """Publish's ``userProperties``: a JSON array of one-pair objects (botocore sends the JSON
    text the caller gives, itself JSON-encoded)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, list) or not all(
        isinstance(item, dict) and all(isinstance(v, str) for v in item.values()) for item in value
    ):
        raise invalid_request(
            'userProperties must be a JSON array of objects of strings, as [{"name": "value"}].'
        )
    return value


@operation("Publish", service=SERVICE)
def publish(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    if "userProperties" in params:
        params["userProperties"] = _user_properties(params["userProperties"])
    refusal = mqtt_limits.publish_refusal(params["topic"], params.get("payload") or b"")
    if refusal is not None:
        raise invalid_request(refusal)
    service.messages.publish(
        params["topic"],
        params.get("payload") or b"",
        qos=params.get("qos", 0),
        retain=params.get("retain", False),
        via="http",
        properties={name: params[name] for name in PROPERTIES if name in params},
    )
    return {}


@operation("GetRetainedMessage", service=SERVICE)
def get_retained_message(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    retained = service.messages.retained(params["topic"])
    return {
        "topic": retained.topic,
        "payload": retained.payload,
        "qos": retained.qos,
        "lastModifiedTime": retained.last_modified,
        "userProperties": (
            json.dumps(retained.user_properties).encode() if retained.user_properties else None
        ),
    }


@operation("ListRetainedMessages", service=SERVICE)
def list_retained_messages(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    with service.scope.store.lock:
        chosen, token = page_by_position(service.messages.in_topic_order(), params)
    return {
        "retainedTopics": [
            {
                "topic": m.topic,
                "payloadSize": len(m.payload),
                "qos": m.qos,
                "lastModifiedTime": m.last_modified,
            }
            for m in chosen
        ],
        "nextToken": token,
    }


@operation("DeleteConnection", service=SERVICE)
def delete_connection(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.connections.delete_connection(
        params["clientId"],
        clean_session=params.get("cleanSession", False),
        prevent_will_message=params.get("preventWillMessage", False),
    )
    return {}
