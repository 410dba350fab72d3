"""AWS IoT Core's documented MQTT limits (the AWS IoT Core endpoints and quotas page):
a client id of at most 128 bytes, a topic of at most 256 bytes with at most seven slashes (the
first three of a basic ingest topic, ``$aws/rules/RULE_NAME/``, not counted), a payload of at
most 128 KB, at most 50 subscriptions per connection. A device past one is disconnected
(``CLIENT_ERROR``); a subscription past one is refused in the SUBACK."""

from __future__ import annotations

MAX_CLIENT_ID_BYTES = 128
MAX_TOPIC_BYTES = 256
MAX_TOPIC_SLASHES = 7
MAX_PAYLOAD_BYTES = 128 * 1024
MAX_SUBSCRIPTIONS_PER_CONNECTION = 50  # a SUBSCRIBE past it is refused for the new filters
_BASIC_INGEST = "$aws/rules/"


def client_id_refusal(client_id: str) -> str | None:
    if len(client_id.encode()) > MAX_CLIENT_ID_BYTES:
        return f"The client id is over {MAX_CLIENT_ID_BYTES} bytes."
    return None


def topic_refusal(topic: str) -> str | None:
    """Why a topic (or topic filter) is past AWS IoT's limits, or None."""
    if len(topic.encode()) > MAX_TOPIC_BYTES:
        return f"The topic is over {MAX_TOPIC_BYTES} bytes."
    slashes = topic.count("/")
    if topic.lower().startswith(_BASIC_INGEST):
        slashes -= 3
    if slashes > MAX_TOPIC_SLASHES:
        return f"The topic has more than {MAX_TOPIC_SLASHES} slashes."
    return None


def publish_refusal(topic: str, payload: bytes) -> str | None:
    """Why a device's PUBLISH is past AWS IoT's limits, or None."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        return f"The payload is over {MAX_PAYLOAD_BYTES // 1024} KB."
    return topic_refusal(topic)


# MQTT 5 (the quotas page's MQTT 5 rows, and what AWS IoT's CONNACK tells a client): QoS 0 and 1,
# at most 8 topic aliases from a client, a packet of at most 146 KB, 100 unacknowledged QoS 1
# publishes in flight; subscription identifiers not supported; shared subscriptions supported.
MQTT5_MAX_QOS = 1
MQTT5_TOPIC_ALIAS_MAXIMUM = 8
MQTT5_MAXIMUM_PACKET_BYTES = 146 * 1024
MQTT5_RECEIVE_MAXIMUM = 100
KEEP_ALIVE_SECONDS = (30, 1200)  # a client's keep-alive is held within this range


def keep_alive(requested: int) -> int:
    """The keep-alive AWS IoT holds a client to (0, "none", gets the longest)."""
    low, high = KEEP_ALIVE_SECONDS
    return high if requested == 0 else min(max(requested, low), high)
