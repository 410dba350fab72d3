"""MQTT over WebSockets, signed with SigV4 as AWS IoT's device gateway expects: the Device SDK's
``websockets_with_default_aws_signing`` and paho with a presigned path connect; an unsigned
upgrade is closed before any MQTT; messages cross between WebSocket and TLS devices."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from awscrt import auth, mqtt
from awsiot import mqtt_connection_builder
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from devices import PahoDevice, files_for

from pytest_iotcerts import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, IotCerts


def test_the_device_sdk_connects_over_signed_websockets(
    iot_certs: IotCerts, tmp_path: Path
) -> None:
    endpoint = iot_certs.mqtt
    listener = PahoDevice(
        iot_certs, files_for(iot_certs, iot_certs.issue_certificate(), tmp_path), "listener"
    )
    assert listener.connect()
    listener.subscribe("fleet/ws-device/status")
    credentials = auth.AwsCredentialsProvider.new_static(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY)
    connection = mqtt_connection_builder.websockets_with_default_aws_signing(
        region="us-east-1",
        credentials_provider=credentials,
        endpoint=endpoint.host,
        port=endpoint.websocket_port,
        ca_filepath=str(endpoint.ca_file),
        client_id="ws-device",
        clean_session=True,
    )
    connection.connect().result(10)
    try:
        published, _ = connection.publish("fleet/ws-device/status", b"up", mqtt.QoS.AT_LEAST_ONCE)
        published.result(10)

        assert listener.next_message().payload == b"up"  # WebSocket -> TLS device
        [client] = [c for c in endpoint.clients if c.client_id == "ws-device"]
        assert (client.signed, client.principal_id) == (True, FAKE_ACCESS_KEY_ID)
    finally:
        connection.disconnect().result(10)
        listener.close()


def presigned_path(host: str, port: int) -> str:
    request = AWSRequest(method="GET", url=f"wss://{host}:{port}/mqtt")
    SigV4QueryAuth(
        Credentials(FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY), "iotdevicegateway", "us-east-1"
    ).add_auth(request)
    return request.url.split(f":{port}", 1)[1]


def test_paho_connects_over_websockets_with_a_presigned_path(iot_certs: IotCerts) -> None:
    endpoint = iot_certs.mqtt
    device = paho.Client(
        paho.CallbackAPIVersion.VERSION2, client_id="paho-ws", transport="websockets"
    )
    device.ws_set_options(path=presigned_path(endpoint.host, endpoint.websocket_port))
    device.tls_set(ca_certs=str(endpoint.ca_file))
    connected = threading.Event()
    device.on_connect = lambda *args: connected.set()
    device.connect(endpoint.host, endpoint.websocket_port)
    device.loop_start()
    try:
        assert connected.wait(10)
        assert endpoint.wait_for_client("paho-ws").signed
    finally:
        device.disconnect()
        device.loop_stop()


def test_an_unsigned_websocket_without_an_authorizer_is_refused_at_connect(
    iot_certs: IotCerts,
) -> None:
    """No SigV4 signature: only a custom authorizer may admit the connection, and there is
    none."""
    endpoint = iot_certs.mqtt
    device = paho.Client(
        paho.CallbackAPIVersion.VERSION2, client_id="stranger", transport="websockets"
    )
    device.tls_set(ca_certs=str(endpoint.ca_file))
    connected, gone = threading.Event(), threading.Event()
    device.on_connect = lambda *args: connected.set()
    device.on_disconnect = lambda *args: gone.set()
    device.connect(endpoint.host, endpoint.websocket_port)
    device.loop_start()
    try:
        assert gone.wait(10)
        assert not connected.is_set()
    finally:
        device.loop_stop()
    assert "No SigV4 signature on the WebSocket" in endpoint.refusals[-1].reason
    assert endpoint.clients == []


def run_node_device(node_sdk: Path, **env: str) -> dict[str, Any]:
    """tests/js/mqtt_device.mjs (MQTT.js) with its settings; what it printed."""
    import json
    import os
    import subprocess

    run = subprocess.run(
        ["node", "mqtt_device.mjs"],
        cwd=node_sdk,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    result: dict[str, Any] = json.loads(run.stdout)
    return result


@pytest.mark.parametrize("version", [4, 5])
def test_node_mqtt_connects_over_signed_websockets(
    iot_certs: IotCerts, node_sdk: Path, version: int
) -> None:
    endpoint = iot_certs.mqtt
    path = presigned_path(endpoint.host, endpoint.websocket_port)

    result = run_node_device(
        node_sdk,
        URL=f"wss://{endpoint.host}:{endpoint.websocket_port}{path}",
        CA_FILE=str(endpoint.ca_file),
        CLIENT_ID=f"node-ws-{version}",
        PROTOCOL_VERSION=str(version),
        TOPIC="node/ws",
    )

    assert result["granted"] == [1]
    assert result["message"]["payload"] == "hello from node"
    [client] = [c for c in endpoint.clients if c.client_id == f"node-ws-{version}"] or [None]
    recorded = endpoint.messages_on("node/ws")[0]
    assert (recorded.sender, recorded.payload) == (f"node-ws-{version}", b"hello from node")
    assert client is None  # it has disconnected by now


def test_node_mqtt_5_over_mutual_tls(iot_certs: IotCerts, node_sdk: Path, tmp_path: Path) -> None:
    endpoint = iot_certs.mqtt
    files = iot_certs.write_device_files(iot_certs.issue_certificate(), tmp_path)

    result = run_node_device(
        node_sdk,
        URL=f"mqtts://{endpoint.host}:{endpoint.port}",
        CA_FILE=str(endpoint.ca_file),
        CERT_FILE=str(files.certificate),
        KEY_FILE=str(files.private_key or ""),
        CLIENT_ID="node-five",
        PROTOCOL_VERSION="5",
        TOPIC="node/tls",
    )

    assert result["connack"]["properties"]["maximumQoS"] == 1
    assert result["message"] == {
        "topic": "node/tls",
        "payload": "hello from node",
        "userProperties": {"from": "node"},
    }
