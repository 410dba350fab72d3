"""MQTT over WebSockets, signed with SigV4 as AWS IoT's device gateway expects: the Device SDK's
``websockets_with_default_aws_signing`` and paho with a presigned path connect; an unsigned
upgrade is closed before any MQTT; messages cross between WebSocket and TLS devices."""

from __future__ import annotations

import asyncio
import ssl
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


def test_an_unsigned_websocket_is_closed_before_any_mqtt(iot_certs: IotCerts) -> None:
    import websockets.asyncio.client

    endpoint = iot_certs.mqtt
    context = ssl.create_default_context(cafile=str(endpoint.ca_file))

    async def knock() -> Any:
        async with websockets.asyncio.client.connect(
            endpoint.websocket_url, ssl=context, subprotocols=["mqtt"]
        ) as websocket:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await websocket.recv()
            return closed.value

    closed = asyncio.run(knock())

    assert closed.rcvd.code == 1008
    assert "SigV4" in iot_certs.mqtt.refusals[-1].reason
    assert iot_certs.mqtt.clients == []
