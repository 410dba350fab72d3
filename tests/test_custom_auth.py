"""Custom authentication: devices without a certificate name an authorizer whose Lambda (a
callable the test registers) decides; its policies govern the connection; TestInvokeAuthorizer
calls the same callable. With paho (the Device SDK's custom authorizer builder always dials port
443, where the endpoint does not listen)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import paho.mqtt.client as paho
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from pytest_iotcerts import IotCerts

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = (
    KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:authorize"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


PREFIX = "arn:aws:iot:us-east-1:123456789012"


def sign(token: str) -> str:
    return base64.b64encode(KEY.sign(token.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


class Authorizer:
    """A Lambda stand-in: allows the token "good", with policies for its own topics."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return {
            "isAuthenticated": event["token"] == "good",
            "principalId": "sensor42",
            "policyDocuments": [
                policy(
                    allow("iot:Connect", f"{PREFIX}:client/sensor-42"),
                    allow("iot:Publish", f"{PREFIX}:topic/sensors/sensor-42/*"),
                    allow("iot:Subscribe", f"{PREFIX}:topicfilter/sensors/sensor-42/*"),
                    allow("iot:Receive", f"{PREFIX}:topic/sensors/sensor-42/*"),
                )
            ],
            "disconnectAfterInSeconds": 3600,
            "refreshAfterInSeconds": 300,
        }


@pytest.fixture
def authorizer(iot_certs: IotCerts, client: Any) -> Authorizer:
    client.create_authorizer(
        authorizerName="tokens",
        authorizerFunctionArn=LAMBDA,
        tokenKeyName="token",
        tokenSigningPublicKeys={"key1": PUBLIC_PEM},
        status="ACTIVE",
    )
    function = Authorizer()
    iot_certs.set_authorizer_function("tokens", function)
    return function


def test_test_invoke_authorizer_calls_the_registered_function(
    client: Any, authorizer: Authorizer
) -> None:
    answer = client.test_invoke_authorizer(
        authorizerName="tokens",
        token="good",
        tokenSignature=sign("good"),
        mqttContext={"username": "u", "password": b"p", "clientId": "sensor-42"},
    )

    assert answer["isAuthenticated"] is True
    assert answer["principalId"] == "sensor42"
    assert answer["disconnectAfterInSeconds"] == 3600
    assert json.loads(answer["policyDocuments"][0])["Statement"][0]["Action"] == "iot:Connect"
    event = authorizer.events[-1]
    assert event["signatureVerified"] is True
    assert event["protocolData"]["mqtt"] == {
        "username": "u",
        "password": base64.b64encode(b"p").decode(),
        "clientId": "sensor-42",
    }


def test_a_token_whose_signature_does_not_verify_never_reaches_the_function(
    client: Any, authorizer: Authorizer
) -> None:
    answer = client.test_invoke_authorizer(
        authorizerName="tokens", token="good", tokenSignature=sign("other")
    )

    assert answer["isAuthenticated"] is False
    assert authorizer.events == []


def test_an_answer_that_is_not_what_aws_expects_is_an_invalid_response(
    iot_certs: IotCerts, client: Any
) -> None:
    client.create_authorizer(
        authorizerName="open", authorizerFunctionArn=LAMBDA, signingDisabled=True, status="ACTIVE"
    )
    iot_certs.set_authorizer_function("open", lambda event: {"isAuthenticated": "yes"})

    with pytest.raises(client.exceptions.InvalidResponseException):
        client.test_invoke_authorizer(authorizerName="open", token="x")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.test_invoke_authorizer(authorizerName="nothing", token="x")


# -- devices ------------------------------------------------------------------------------------


class Device:
    """paho over TLS without a client certificate, authenticating through the username."""

    def __init__(self, iot_certs: IotCerts, client_id: str, username: str) -> None:
        endpoint = iot_certs.mqtt
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.tls_set(ca_certs=str(endpoint.ca_file))
        self.client.username_pw_set(username, "secret")
        self.connected, self.gone = threading.Event(), threading.Event()
        self.client.on_connect = lambda *args: self.connected.set()
        self.client.on_disconnect = lambda *args: self.gone.set()
        self.endpoint = endpoint

    def connect(self) -> bool:
        try:
            self.client.connect(self.endpoint.host, self.endpoint.port)
        except OSError:
            return False
        self.client.loop_start()
        for _ in range(100):  # a refusal is a hang-up: it ends the wait too
            if self.connected.is_set() or self.gone.is_set():
                break
            self.gone.wait(0.05)
        return self.connected.is_set() and not self.gone.is_set()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.client._reset_sockets()


@pytest.fixture
def devices(iot_certs: IotCerts) -> Iterator[Any]:
    made: list[Device] = []

    def make(client_id: str, username: str) -> Device:
        made.append(Device(iot_certs, client_id, username))
        return made[-1]

    yield make
    for device in made:
        device.close()


def username(token: str, signature: str | None = None) -> str:
    signed = signature if signature is not None else sign(token)
    quoted = signed.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return (
        f"device?x-amz-customauthorizer-name=tokens&token={token}"
        f"&x-amz-customauthorizer-signature={quoted}"
    )


def test_a_device_without_a_certificate_connects_through_the_authorizer(
    iot_certs: IotCerts, authorizer: Authorizer, devices: Any
) -> None:
    device = devices("sensor-42", username("good"))

    assert device.connect(), iot_certs.mqtt.refusals
    [connected] = iot_certs.mqtt.clients
    assert (connected.certificate_id, connected.principal_id) == (None, "sensor42")
    assert authorizer.events[-1]["protocolData"]["mqtt"]["clientId"] == "sensor-42"
    event = iot_certs.mqtt.wait_for_message("$aws/events/presence/connected/sensor-42")
    assert event.json()["principalIdentifier"] == "sensor42"


def test_the_authorizers_policies_govern_what_the_device_may_do(
    iot_certs: IotCerts, authorizer: Authorizer, devices: Any
) -> None:
    device = devices("sensor-42", username("good"))
    assert device.connect()

    published = device.client.publish("sensors/sensor-42/temperature", b"21", qos=1)
    published.wait_for_publish(10)
    assert published.is_published()
    assert iot_certs.mqtt.wait_for_message("sensors/sensor-42/temperature", 10).payload == b"21"

    device.client.publish("sensors/other/temperature", b"21", qos=1)
    assert device.gone.wait(10)  # not allowed: AWS IoT disconnects the client
    event = iot_certs.mqtt.wait_for_message("$aws/events/presence/disconnected/sensor-42", 10)
    assert event.json()["disconnectReason"] == "FORBIDDEN_ACCESS"


@pytest.mark.parametrize(
    ("client_id", "token", "signature", "reason"),
    [
        ("sensor-42", "bad", None, "The custom authorizer has not authenticated."),
        ("sensor-42", "good", "AAAA", "The custom authorizer has not authenticated."),
        ("other-client", "good", None, "The custom authorizer has not allowed iot:Connect."),
    ],
)
def test_a_device_the_authorizer_refuses_is_not_connected(
    iot_certs: IotCerts,
    authorizer: Authorizer,
    devices: Any,
    client_id: str,
    token: str,
    signature: str | None,
    reason: str,
) -> None:
    device = devices(client_id, username(token, signature))

    assert not device.connect()
    assert iot_certs.mqtt.refusals[-1].reason == reason
    assert iot_certs.mqtt.clients == []


def test_without_a_certificate_or_an_authorizer_a_device_is_refused(
    iot_certs: IotCerts, devices: Any
) -> None:
    device = devices("sensor-42", "just-a-name")

    assert not device.connect()
    assert iot_certs.mqtt.refusals[-1].reason.startswith("No certificate, and ")


def test_boto3_sees_the_same_authorizer_function(iot_certs: IotCerts, authorizer: Any) -> None:
    answer = boto3.client("iot").test_invoke_authorizer(
        authorizerName="tokens", token="bad", tokenSignature=sign("bad")
    )
    assert answer["isAuthenticated"] is False  # the function said no
    assert authorizer.events[-1]["token"] == "bad"


def connect_mqtt5(iot_certs: IotCerts, token: str) -> str:
    """An MQTT 5 paho client without a certificate: the CONNACK's reason."""
    endpoint = iot_certs.mqtt
    device = paho.Client(
        paho.CallbackAPIVersion.VERSION2, client_id="sensor-42", protocol=paho.MQTTv5
    )
    device.tls_set(ca_certs=str(endpoint.ca_file))  # no client certificate
    device.username_pw_set(username(token), "secret")
    reasons: list[str] = []
    answered = threading.Event()

    def on_connect(_c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        reasons.append(str(reason))
        answered.set()

    device.on_connect = on_connect
    device.connect(endpoint.host, endpoint.port)
    device.loop_start()
    assert answered.wait(10)
    device.disconnect()
    device.loop_stop()
    return reasons[0]


def test_an_mqtt_5_device_connects_through_the_authorizer_or_is_told_not_authorized(
    iot_certs: IotCerts, authorizer: Authorizer
) -> None:
    assert connect_mqtt5(iot_certs, "good") == "Success"
    assert connect_mqtt5(iot_certs, "bad") == "Not authorized"
    assert authorizer.events[0]["protocolData"]["mqtt"]["clientId"] == "sensor-42"


def test_the_device_sdks_websockets_with_custom_authorizer(
    iot_certs: IotCerts, authorizer: Authorizer
) -> None:
    from concurrent.futures import Future

    from awsiot import mqtt5_client_builder

    endpoint = iot_certs.mqtt
    connected: Future[Any] = Future()
    client = mqtt5_client_builder.websockets_with_custom_authorizer(
        endpoint=endpoint.host,
        port=endpoint.websocket_port,
        ca_filepath=str(endpoint.ca_file),
        client_id="sensor-42",
        auth_username="device",
        auth_authorizer_name="tokens",
        auth_authorizer_signature=sign("good"),
        auth_token_key_name="token",
        auth_token_value="good",
        on_lifecycle_connection_success=connected.set_result,
    )
    client.start()
    try:
        connected.result(10)
        [device] = endpoint.clients
        assert (device.principal_id, device.signed, device.protocol_version) == (
            "sensor42",
            False,
            5,
        )
    finally:
        client.stop()


def test_over_websockets_the_token_may_come_in_the_upgrades_headers(
    iot_certs: IotCerts, authorizer: Authorizer
) -> None:
    endpoint = iot_certs.mqtt
    device = paho.Client(
        paho.CallbackAPIVersion.VERSION2, client_id="sensor-42", transport="websockets"
    )
    device.ws_set_options(
        headers={
            "x-amz-customauthorizer-name": "tokens",
            "token": "good",
            "x-amz-customauthorizer-signature": sign("good"),
        }
    )
    device.tls_set(ca_certs=str(endpoint.ca_file))
    connected = threading.Event()
    device.on_connect = lambda *args: connected.set()
    device.connect(endpoint.host, endpoint.websocket_port)
    device.loop_start()
    try:
        assert connected.wait(10), endpoint.refusals
        event = authorizer.events[-1]
        assert "http" in event["protocols"]
        assert event["protocolData"]["http"]["headers"]["token"] == "good"
    finally:
        device.disconnect()
        device.loop_stop()
