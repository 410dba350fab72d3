"""The MQTT door: devices connect with their certificates over mutual TLS (amqtt underneath)."""

from ._endpoint import MqttEndpoint
from ._records import Client, Refusal

__all__ = ["Client", "MqttEndpoint", "Refusal"]
