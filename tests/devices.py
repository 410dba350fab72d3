"""Real MQTT clients for the tests of the MQTT endpoint: paho-mqtt, and the AWS IoT Device SDK v2
for Python (awsiotsdk, on awscrt)."""

from __future__ import annotations

import queue
import ssl
import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from awscrt import mqtt
from awsiot import mqtt_connection_builder
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pytest_iotcerts import Certificate, IotCerts, to_pem


def files_for(iot_certs: IotCerts, certificate: Certificate, directory: Path) -> tuple[Path, Path]:
    """A service-issued certificate's PEM and key, as a device holds them."""
    files = iot_certs.write_device_files(certificate, directory)
    assert files.private_key is not None
    return files.certificate, files.private_key


def write_pair(
    directory: Path, name: str, certificate: Any, key: ec.EllipticCurvePrivateKey
) -> tuple[Path, Path]:
    """A certificate signed elsewhere (a device maker's CA) and its key, as files."""
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_text(to_pem(certificate))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class PahoDevice:
    """A paho-mqtt client with mutual TLS, driven synchronously."""

    def __init__(
        self,
        iot_certs: IotCerts,
        pair: tuple[Path, Path],
        client_id: str,
        protocol: int = paho.MQTTv311,
    ) -> None:
        self.endpoint = iot_certs.mqtt
        self.client = paho.Client(
            paho.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol
        )
        self.client.tls_set(
            ca_certs=str(self.endpoint.ca_file), certfile=str(pair[0]), keyfile=str(pair[1])
        )
        self.connected = threading.Event()
        self.disconnected = threading.Event()
        self.reason: Any = None
        self.connack_properties: Any = None  # MQTT 5: what the CONNACK's properties said
        self.disconnect_reason: Any = None  # MQTT 5: the reason code of the server's DISCONNECT
        self.messages: queue.Queue[paho.MQTTMessage] = queue.Queue()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = lambda _c, _u, message: self.messages.put(message)

    def _on_connect(
        self, _client: Any, _userdata: Any, flags: Any, reason: Any, properties: Any = None
    ) -> None:
        self.reason, self.connack_properties = reason, properties
        self.session_present = bool(getattr(flags, "session_present", False))
        (self.disconnected if reason.is_failure else self.connected).set()

    def _on_disconnect(
        self, _client: Any, _userdata: Any, _flags: Any, reason: Any, *_: Any
    ) -> None:
        self.disconnect_reason = reason
        self.disconnected.set()

    def connect(self, timeout: float = 5.0, **options: Any) -> bool:
        """True once the broker accepted the connection; False if it was closed instead
        (``options``: paho's, such as MQTT 5's ``clean_start`` and ``properties``)."""
        try:
            self.client.connect(self.endpoint.host, self.endpoint.port, **options)
        except (ssl.SSLError, OSError):
            return False
        for _ in range(int(timeout * 20)):  # driven here, so a refusal costs no thread
            if self.connected.is_set() or self.disconnected.is_set():
                break
            self.client.loop(0.05)
        if not self.connected.is_set() or self.disconnected.is_set():
            return False
        self.client.reconnect_delay_set(min_delay=0.1, max_delay=0.1)  # type: ignore[arg-type]
        self.client._reset_sockets(sockpair_only=True)  # loop_start makes its own (paho leaks it)
        self.client.loop_start()
        return True

    def subscribe(self, topic: str, **options: Any) -> bool:
        """True when the SUBACK grants the subscription (False: refused, 0x80)."""
        return not any(code.is_failure for code in self.suback(topic, **options))

    def suback(self, topic: str, **options: Any) -> list[Any]:
        """The SUBACK's reason codes (``options``: MQTT 5 subscription options)."""
        subscribed = threading.Event()
        codes: list[Any] = []

        def on_subscribe(_client: Any, _userdata: Any, _mid: Any, reasons: Any, *_: Any) -> None:
            codes.extend(reasons)
            subscribed.set()

        self.client.on_subscribe = on_subscribe
        if options:
            self.client.subscribe(topic, options=paho.SubscribeOptions(qos=1, **options))
        else:
            self.client.subscribe(topic, qos=1)
        assert subscribed.wait(5), f"no SUBACK for {topic}"
        return codes

    def publish(self, topic: str, payload: bytes) -> None:
        published = self.client.publish(topic, payload, qos=1)
        published.wait_for_publish(20)  # returns on timeout without raising: check it was
        assert published.is_published(), f"no PUBACK for {topic} in 20 s"

    def next_message(self, timeout: float = 5.0) -> paho.MQTTMessage:
        return self.messages.get(timeout=timeout)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.client._reset_sockets()  # paho leaves its socket pair open after loop_stop


def sdk_connection(
    iot_certs: IotCerts, pair: tuple[Path, Path], client_id: str, **callbacks: Any
) -> mqtt.Connection:
    """An awsiotsdk connection built as AWS's samples build it (``mtls_from_path``)."""
    endpoint = iot_certs.mqtt
    return mqtt_connection_builder.mtls_from_path(
        endpoint=endpoint.host,
        port=endpoint.port,
        cert_filepath=str(pair[0]),
        pri_key_filepath=str(pair[1]),
        ca_filepath=str(endpoint.ca_file),
        client_id=client_id,
        clean_session=True,
        keep_alive_secs=30,
        **callbacks,
    )


def sdk5_builder(
    iot_certs: IotCerts, pair: tuple[Path, Path], client_id: str, **options: Any
) -> Any:
    """An MQTT 5 client of the Device SDK, built as AWS's samples build it
    (``mqtt5_client_builder.mtls_from_path``), not started."""
    from awsiot import mqtt5_client_builder

    endpoint = iot_certs.mqtt
    return mqtt5_client_builder.mtls_from_path(
        endpoint=endpoint.host,
        port=endpoint.port,
        cert_filepath=str(pair[0]),
        pri_key_filepath=str(pair[1]),
        ca_filepath=str(endpoint.ca_file),
        client_id=client_id,
        **options,
    )


def sdk5_client(
    iot_certs: IotCerts, pair: tuple[Path, Path], client_id: str, **options: Any
) -> Any:
    """The SDK's MQTT 5 client, started and connected (``negotiated``: what the CONNACK said)."""
    from concurrent.futures import Future

    connected: Future[Any] = Future()
    client = sdk5_builder(
        iot_certs, pair, client_id, on_lifecycle_connection_success=connected.set_result, **options
    )
    client.start()
    client.negotiated = connected.result(10).negotiated_settings
    return client
