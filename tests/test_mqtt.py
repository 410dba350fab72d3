"""The MQTT endpoint: mutual TLS with AWS IoT's rules, and the clients connected and messages
published, with paho-mqtt as the device."""

from __future__ import annotations

import socket
import ssl
import time
from pathlib import Path
from typing import Any

import pytest
from devices import PahoDevice, files_for, write_pair

from pytest_iotcerts import CertificateAuthority, IotCerts

MAKER = CertificateAuthority.create("Acme Devices Root CA")


@pytest.fixture
def device(iot_certs: IotCerts, tmp_path: Path) -> Any:
    """A paho device connected with a new ACTIVE certificate: ``device("name")``."""
    made: list[PahoDevice] = []

    def connect(client_id: str, status: str = "ACTIVE") -> PahoDevice:
        certificate = iot_certs.issue_certificate(status=status)
        pair = files_for(iot_certs, certificate, tmp_path / client_id)
        paho_device = PahoDevice(iot_certs, pair, client_id)
        made.append(paho_device)
        assert paho_device.connect(), iot_certs.mqtt.refusals
        return paho_device

    yield connect
    for each in made:
        each.close()


def test_an_active_certificate_connects_and_messages_flow(iot_certs: IotCerts, device: Any) -> None:
    sensor, dashboard = device("sensor-1"), device("dashboard")
    dashboard.subscribe("sensors/+/temperature")

    sensor.publish("sensors/1/temperature", b'{"celsius": 21.5}')

    received = dashboard.next_message()
    assert (received.topic, received.payload) == ("sensors/1/temperature", b'{"celsius": 21.5}')
    message = iot_certs.mqtt.wait_for_message("sensors/#")
    assert message.sender == "sensor-1"
    assert message.json() == {"celsius": 21.5}
    assert {client.client_id for client in iot_certs.mqtt.clients} == {"sensor-1", "dashboard"}


def test_the_endpoint_certificate_verifies_for_localhost_and_127_0_0_1(iot_certs: IotCerts) -> None:
    endpoint = iot_certs.mqtt
    context = ssl.create_default_context(cafile=str(endpoint.ca_file))
    for host in ("localhost", "127.0.0.1"):
        with socket.create_connection((endpoint.host, endpoint.port), timeout=5) as raw:
            try:
                with context.wrap_socket(raw, server_hostname=host) as tls:
                    tls.do_handshake()
                    assert tls.version() in ("TLSv1.2", "TLSv1.3")
            except ssl.SSLError as error:  # TLS 1.3 reports the missing client certificate late
                assert "CERTIFICATE_REQUIRED" in str(error) or "alert" in str(error)


def test_a_connection_without_a_client_certificate_fails(iot_certs: IotCerts) -> None:
    endpoint = iot_certs.mqtt
    context = ssl.create_default_context(cafile=str(endpoint.ca_file))
    answer = b""
    with socket.create_connection((endpoint.host, endpoint.port), timeout=5) as raw:
        try:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"\x10\x00")  # TLS 1.3: the refusal comes with the first read
                answer = tls.recv(4)
        except (ssl.SSLError, ConnectionError):
            pass
    assert answer == b""


@pytest.mark.parametrize("status", ["INACTIVE", "REVOKED", "PENDING_ACTIVATION"])
def test_a_certificate_that_is_not_active_is_refused(
    iot_certs: IotCerts, tmp_path: Path, status: str
) -> None:
    certificate = iot_certs.issue_certificate(status=status)
    paho_device = PahoDevice(iot_certs, files_for(iot_certs, certificate, tmp_path), "dev")

    assert not paho_device.connect()
    paho_device.close()

    assert iot_certs.mqtt.clients == []
    (refusal,) = iot_certs.mqtt.refusals
    assert refusal.certificate_id == certificate.certificate_id
    assert status in refusal.reason


def test_a_certificate_pending_transfer_is_refused(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    certificate = iot_certs.issue_certificate(status="INACTIVE")
    client.transfer_certificate(
        certificateId=certificate.certificate_id, targetAwsAccount="210987654321"
    )
    paho_device = PahoDevice(iot_certs, files_for(iot_certs, certificate, tmp_path), "dev")

    assert not paho_device.connect()
    paho_device.close()

    assert "PENDING_TRANSFER" in iot_certs.mqtt.refusals[0].reason


def test_a_deleted_certificate_is_unknown_and_refused(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    certificate = iot_certs.issue_certificate(status="INACTIVE")
    pair = files_for(iot_certs, certificate, tmp_path)
    client.delete_certificate(certificateId=certificate.certificate_id)

    paho_device = PahoDevice(iot_certs, pair, "dev")
    assert not paho_device.connect()
    paho_device.close()

    assert "is not registered" in iot_certs.mqtt.refusals[0].reason


def test_a_certificate_of_an_unknown_ca_fails_the_handshake(
    iot_certs: IotCerts, tmp_path: Path
) -> None:
    stranger = CertificateAuthority.create("Somebody Else's CA")
    pair = write_pair(tmp_path, "stranger", *stranger.issue_device_certificate("intruder"))

    paho_device = PahoDevice(iot_certs, pair, "intruder")
    assert not paho_device.connect()
    paho_device.close()


def test_a_certificate_of_a_registered_ca_connects_until_the_ca_is_deactivated(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    assert iot_certs.mqtt.port  # started before the CA is registered: trust follows the registry
    ca = iot_certs.register_ca_certificate(MAKER.certificate)
    certificate, key = MAKER.issue_device_certificate("meter-7")
    iot_certs.register_certificate(certificate)
    pair = write_pair(tmp_path, "meter", certificate, key)
    live = PahoDevice(iot_certs, pair, "meter-7")
    assert live.connect()

    client.update_ca_certificate(certificateId=ca.certificate_id, newStatus="INACTIVE")

    assert live.disconnected.wait(5)
    again = PahoDevice(iot_certs, pair, "meter-7")
    assert not again.connect()
    assert "INACTIVE" in iot_certs.mqtt.refusals[-1].reason
    live.close()
    again.close()


def test_a_certificate_registered_without_a_ca_connects(
    iot_certs: IotCerts, client: Any, tmp_path: Path
) -> None:
    other = CertificateAuthority.create("Another account's CA")
    certificate, key = other.issue_device_certificate("roaming")
    client.register_certificate_without_ca(
        certificatePem=write_pair(tmp_path, "roaming", certificate, key)[0].read_text(),
        status="ACTIVE",
    )

    paho_device = PahoDevice(iot_certs, (tmp_path / "roaming.pem", tmp_path / "roaming.key"), "r")
    assert paho_device.connect()
    paho_device.close()


def test_revoking_a_certificate_drops_its_live_connection(
    iot_certs: IotCerts, client: Any, device: Any
) -> None:
    sensor = device("sensor-1")
    (connected,) = iot_certs.mqtt.clients

    client.update_certificate(certificateId=connected.certificate_id, newStatus="REVOKED")

    assert sensor.disconnected.wait(5)
    assert iot_certs.mqtt.clients == []


def test_deactivating_drops_only_that_certificates_connections(
    iot_certs: IotCerts, client: Any, device: Any
) -> None:
    first, second = device("first"), device("second")
    certificate_id = {c.client_id: c.certificate_id for c in iot_certs.mqtt.clients}["first"]

    client.update_certificate(certificateId=certificate_id, newStatus="INACTIVE")

    assert first.disconnected.wait(5)
    assert not second.disconnected.is_set()
    assert [c.client_id for c in iot_certs.mqtt.clients] == ["second"]


def test_the_test_publishes_as_aws_iot(iot_certs: IotCerts, device: Any) -> None:
    sensor = device("sensor-1")
    sensor.subscribe("commands/sensor-1")

    iot_certs.mqtt.publish("commands/sensor-1", {"reboot": True})

    assert sensor.next_message().payload == b'{"reboot": true}'
    assert iot_certs.mqtt.messages_on("commands/+")[0].sender is None


def test_reserved_topics_not_emulated_pass_through(iot_certs: IotCerts, device: Any) -> None:
    sensor, app = device("sensor-1"), device("app")
    app.subscribe("$aws/things/sensor-1/shadow/update")

    sensor.publish("$aws/things/sensor-1/shadow/update", b'{"state": {}}')

    assert app.next_message().topic == "$aws/things/sensor-1/shadow/update"
    assert not sensor.disconnected.is_set()


def test_a_disconnect_is_a_network_failure_for_the_device(iot_certs: IotCerts, device: Any) -> None:
    sensor = device("sensor-1")

    iot_certs.mqtt.disconnect("sensor-1")

    assert sensor.disconnected.wait(5)


def test_reset_drops_every_connection(iot_certs: IotCerts, device: Any) -> None:
    sensor = device("sensor-1")

    iot_certs.reset()

    assert sensor.disconnected.wait(5)
    assert iot_certs.mqtt.clients == [] and iot_certs.mqtt.messages == []


def test_the_endpoint_stops_with_the_mock(tmp_path: Path) -> None:
    from pytest_iotcerts import mock_iot

    with mock_iot() as iot:
        port = iot.mqtt.port
        ca_file = iot.mqtt.ca_file
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert not ca_file.exists()


def test_a_connection_that_sends_no_connect_is_closed(
    iot_certs: IotCerts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_iotcerts._doors.mqtt import _broker

    monkeypatch.setattr(_broker, "CONNECT_SECONDS", 0.5)
    certificate = iot_certs.issue_certificate()
    cert, key = files_for(iot_certs, certificate, tmp_path)
    endpoint = iot_certs.mqtt
    context = ssl.create_default_context(cafile=str(endpoint.ca_file))
    context.load_cert_chain(str(cert), str(key))
    with (
        socket.create_connection((endpoint.host, endpoint.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.recv(1) == b""  # closed by the endpoint, with nothing sent

    assert iot_certs.mqtt.refusals[-1].reason == "No CONNECT came in time."


def test_the_mqtt_extra_is_named_when_amqtt_is_missing(
    iot_certs: IotCerts, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)

    with pytest.raises(RuntimeError, match=r"pip install -e '\.\[mqtt\]' in your checkout"):
        iot_certs.mqtt  # noqa: B018


def test_the_endpoint_needs_an_active_mock() -> None:
    from pytest_iotcerts import mock_iot

    with pytest.raises(RuntimeError, match="not active"):
        mock_iot().mqtt  # noqa: B018


# -- lifecycle events, published whatever the event configurations ------------------------------


def test_connect_subscribe_and_disconnect_publish_lifecycle_events(
    iot_certs: IotCerts, device: Any
) -> None:
    sensor = device("sensor-1")
    (client,) = iot_certs.mqtt.clients
    sensor.subscribe("commands/#")

    sensor.close()

    connected = iot_certs.mqtt.wait_for_message("$aws/events/presence/connected/sensor-1").json()
    assert isinstance(connected.pop("timestamp"), int)
    assert connected == {
        "clientId": "sensor-1",
        "eventType": "connected",
        "sessionIdentifier": client.session_identifier,
        "principalIdentifier": client.certificate_id,
        "ipAddress": "127.0.0.1",
        "versionNumber": 0,
    }
    subscribed = iot_certs.mqtt.wait_for_message("$aws/events/subscriptions/subscribed/+").json()
    assert subscribed["topics"] == ["commands/#"]
    gone = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/+").json()
    assert (gone["clientInitiatedDisconnect"], gone["disconnectReason"]) == (
        True,
        "CLIENT_INITIATED_DISCONNECT",
    )
    assert iot_certs.events_on("$aws/events/presence/#")  # the controller sees them too


def test_a_revoked_certificate_is_disconnected_for_auth_error(
    iot_certs: IotCerts, client: Any, device: Any
) -> None:
    device("sensor-1")
    (connected,) = iot_certs.mqtt.clients

    client.update_certificate(certificateId=connected.certificate_id, newStatus="REVOKED")

    event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/sensor-1").json()
    assert (event["disconnectReason"], event["clientInitiatedDisconnect"]) == ("AUTH_ERROR", False)


def test_each_connection_of_a_client_id_has_a_higher_version(
    iot_certs: IotCerts, device: Any
) -> None:
    device("sensor-1").close()
    iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/sensor-1")
    device("sensor-1")

    versions = [
        m.json()["versionNumber"]
        for m in iot_certs.mqtt.messages_on("$aws/events/presence/connected/+")
    ]
    assert versions == [0, 1]


def test_connectivity_follows_the_device_in_the_index_and_connectivity_data(
    iot_certs: IotCerts, client: Any, device: Any
) -> None:
    client.update_indexing_configuration(
        thingIndexingConfiguration={
            "thingIndexingMode": "REGISTRY",
            "thingConnectivityIndexingMode": "STATUS",
        }
    )
    client.create_thing(thingName="sensor-1")
    assert client.get_thing_connectivity_data(thingName="sensor-1")["connected"] is False

    sensor = device("sensor-1")

    found = client.search_index(queryString="connectivity.connected:true")["things"]
    assert [(t["thingName"], t["connectivity"]["connected"]) for t in found] == [("sensor-1", True)]
    sensor.close()
    iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/sensor-1")
    data = client.get_thing_connectivity_data(thingName="sensor-1")
    assert (data["connected"], data["disconnectReason"]) == (False, "CLIENT_INITIATED_DISCONNECT")
    assert client.search_index(queryString="connectivity.connected:true")["things"] == []


def test_trust_follows_the_registry_across_a_reset(
    iot_certs: IotCerts, tmp_path: Path, device: Any
) -> None:
    iot_certs.issue_certificate()
    device("before")  # the store at version 2 when this handshake synced the trust
    iot_certs.reset()
    iot_certs.register_ca_certificate(MAKER.certificate)
    certificate, key = MAKER.issue_device_certificate("after-reset")
    iot_certs.register_certificate(certificate)  # the new store at version 2 too

    after = PahoDevice(iot_certs, write_pair(tmp_path, "after", certificate, key), "after")

    assert after.connect(), iot_certs.mqtt.refusals
    after.close()


def test_a_second_connection_of_a_client_id_closes_the_first(
    iot_certs: IotCerts, tmp_path: Path
) -> None:
    """AWS IoT closes the older connection (DUPLICATE_CLIENTID): no zombie stays connected."""
    certificate = iot_certs.issue_certificate()
    pair = files_for(iot_certs, certificate, tmp_path)
    first = PahoDevice(iot_certs, pair, "sensor-1")
    assert first.connect()
    first.client.reconnect_delay_set(min_delay=60, max_delay=60)  # stay down once dropped
    second = PahoDevice(iot_certs, pair, "sensor-1")
    try:
        assert second.connect()

        assert first.disconnected.wait(10)
        event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/sensor-1", 10)
        assert event.json()["disconnectReason"] == "DUPLICATE_CLIENTID"
        assert [c.client_id for c in iot_certs.mqtt.clients] == ["sensor-1"]
        second.subscribe("commands/sensor-1")
        iot_certs.mqtt.publish("commands/sensor-1", b"still served")
        assert second.next_message().payload == b"still served"
    finally:
        first.close()
        second.close()


def test_the_device_sdks_connection_is_taken_over_too(iot_certs: IotCerts, tmp_path: Path) -> None:
    from devices import sdk_connection

    certificate = iot_certs.issue_certificate()
    pair = files_for(iot_certs, certificate, tmp_path)
    interrupted: list[Any] = []
    first = sdk_connection(
        iot_certs,
        pair,
        "sensor-2",
        on_connection_interrupted=lambda connection, error, **_: interrupted.append(error),
    )
    first.connect().result(10)
    second = sdk_connection(iot_certs, pair, "sensor-2")
    second.connect().result(10)
    try:
        event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/sensor-2", 10)
        assert event.json()["disconnectReason"] == "DUPLICATE_CLIENTID"
        assert iot_certs.mqtt.wait_for_client("sensor-2").client_id == "sensor-2"
    finally:
        first.disconnect()
        second.disconnect().result(10)


def test_stopping_with_a_silent_client_leaves_no_task_or_socket(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import gc

    from pytest_iotcerts import mock_iot

    with mock_iot() as iot:
        certificate = iot.issue_certificate()
        cert, key = files_for(iot, certificate, tmp_path)
        endpoint = iot.mqtt
        context = ssl.create_default_context(cafile=str(endpoint.ca_file))
        context.load_cert_chain(str(cert), str(key))
        raw = socket.create_connection((endpoint.host, endpoint.port), timeout=10)
        tls = context.wrap_socket(raw, server_hostname="localhost")  # and then silent
        broker = endpoint._running()
        for _ in range(200):  # the endpoint's side of the handshake is done (TLS 1.3 ends first
            if broker._transports:  # on the client's side)
                break
            time.sleep(0.01)
    try:
        assert tls.recv(1) == b""  # the endpoint closed it when it stopped
    finally:
        tls.close()
    gc.collect()
    assert "Task was destroyed" not in caplog.text


@pytest.mark.parametrize(
    "first_packet",
    [b"\x30\x07\x00\x03a/bhi", b"\x00\x00", b"\xf0\x00", b"\x82\x06\x00\x01\x00\x01a\x00"],
    ids=["PUBLISH", "reserved type 0", "reserved type 15", "SUBSCRIBE"],
)
def test_a_connection_whose_first_packet_is_not_connect_is_closed(
    iot_certs: IotCerts, tmp_path: Path, first_packet: bytes
) -> None:
    certificate = iot_certs.issue_certificate()
    cert, key = files_for(iot_certs, certificate, tmp_path)
    endpoint = iot_certs.mqtt
    context = ssl.create_default_context(cafile=str(endpoint.ca_file))
    context.load_cert_chain(str(cert), str(key))
    with (
        socket.create_connection((endpoint.host, endpoint.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        tls.sendall(first_packet)
        assert tls.recv(1) == b""

    assert iot_certs.mqtt.refusals[-1].reason == "The first packet was not a CONNECT."
