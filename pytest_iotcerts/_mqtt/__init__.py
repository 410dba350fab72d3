"""The MQTT door: devices connect with their certificates over mutual TLS (amqtt underneath)."""

from ._door import Client, Refusal
from ._endpoint import MqttEndpoint

__all__ = ["Client", "MqttEndpoint", "Refusal"]
