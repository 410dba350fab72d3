"""The MQTT endpoint's latencies: starting it, a device's connect (TLS handshake, admission,
CONNACK) with paho-mqtt and with the AWS IoT Device SDK, a refused connect, fleet provisioning's
two round trips (CreateKeysAndCertificate, RegisterThing) over the SDK, and side by side for MQTT
3.1.1 and MQTT 5, over mutual TLS and over signed WebSockets: a paho connect, a round trip (a QoS 1
publish to the device's own subscription, until it is back) and 100 devices connected at once.

Run: python benchmarks/mqtt.py [--rounds N]   (needs the test extra: paho-mqtt, awsiotsdk)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import paho.mqtt.client as paho
from awscrt import mqtt
from awsiot import iotidentity
from devices import PahoDevice, files_for, sdk_connection
from test_mqtt_websockets import presigned_path

from pytest_iotcerts import IotCerts, mock_iot

TEMPLATE = {
    "Parameters": {"Serial": {"Type": "String"}, "AWS::IoT::Certificate::Id": {"Type": "String"}},
    "Resources": {
        "thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Ref": "Serial"}}},
        "certificate": {
            "Type": "AWS::IoT::Certificate",
            "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}},
        },
    },
}


def median_ms(rounds: int, once: Callable[[int], float]) -> float:
    return statistics.median(once(i) for i in range(rounds)) * 1000


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def paho_connect(iot: IotCerts, directory: Path, status: str = "ACTIVE") -> Callable[[int], float]:
    def once(i: int) -> float:
        pair = files_for(iot, iot.issue_certificate(status=status), directory / f"{status}{i}")
        device = PahoDevice(iot, pair, f"paho-{status}-{i}")
        elapsed = timed(device.connect)
        device.close()
        return elapsed

    return once


def sdk_connect(iot: IotCerts, directory: Path) -> Callable[[int], float]:
    def once(i: int) -> float:
        pair = files_for(iot, iot.issue_certificate(), directory / f"sdk{i}")
        connection = sdk_connection(iot, pair, f"sdk-{i}")
        elapsed = timed(lambda: connection.connect().result(5))
        connection.disconnect().result(5)
        return elapsed

    return once


def fleet_round_trips(iot: IotCerts, directory: Path, rounds: int) -> tuple[float, float]:
    iot.service().provisioning_templates.create(
        "fleet",
        json.dumps(TEMPLATE),
        {"provisioningRoleArn": "arn:aws:iam::123456789012:role/P", "enabled": True},
    )
    claim = iot.service().provisioning.create_claim("fleet")
    connection = sdk_connection(iot, files_for(iot, claim, directory / "claim"), "claim")
    connection.connect().result(5)
    identity = iotidentity.IotIdentityClient(connection)
    answers: dict[str, Future[Any]] = {}
    qos = mqtt.QoS.AT_LEAST_ONCE
    identity.subscribe_to_create_keys_and_certificate_accepted(
        iotidentity.CreateKeysAndCertificateSubscriptionRequest(),
        qos,
        lambda answer: answers["keys"].set_result(answer),
    )[0].result(5)
    identity.subscribe_to_register_thing_accepted(
        iotidentity.RegisterThingSubscriptionRequest(template_name="fleet"),
        qos,
        lambda answer: answers["thing"].set_result(answer),
    )[0].result(5)
    create, register = [], []
    for i in range(rounds):
        answers["keys"], answers["thing"] = Future(), Future()
        start = time.perf_counter()
        identity.publish_create_keys_and_certificate(
            iotidentity.CreateKeysAndCertificateRequest(), qos
        )
        keys = answers["keys"].result(5)
        middle = time.perf_counter()
        identity.publish_register_thing(
            iotidentity.RegisterThingRequest(
                template_name="fleet",
                certificate_ownership_token=keys.certificate_ownership_token,
                parameters={"Serial": f"meter-{i}"},
            ),
            qos,
        )
        answers["thing"].result(5)
        create.append(middle - start)
        register.append(time.perf_counter() - middle)
    connection.disconnect().result(5)
    return statistics.median(create) * 1000, statistics.median(register) * 1000


class _Device(PahoDevice):
    """PahoDevice over MQTT 3.1.1 or 5, over TLS (a certificate) or signed WebSockets."""

    def __init__(self, iot: IotCerts, pair: Any, client_id: str, version: int, ws: bool) -> None:
        protocol = paho.MQTTv5 if version == 5 else paho.MQTTv311
        super().__init__(iot, pair, client_id, protocol=protocol)
        if ws:
            self.client = paho.Client(
                paho.CallbackAPIVersion.VERSION2,
                client_id=client_id,
                protocol=protocol,
                transport="websockets",
            )
            endpoint = iot.mqtt
            self.client.ws_set_options(path=presigned_path(endpoint.host, endpoint.websocket_port))
            self.client.tls_set(ca_certs=str(endpoint.ca_file))
            self.client.on_connect = self._on_connect
            self.client.on_disconnect = self._on_disconnect
            self.client.on_message = lambda _c, _u, message: self.messages.put(message)
        self._ws = ws

    def connect(self, timeout: float = 5.0, **options: Any) -> bool:
        if not self._ws:
            return super().connect(timeout, **options)
        self.client.connect(self.endpoint.host, self.endpoint.websocket_port)
        self.client.loop_start()
        return self.connected.wait(timeout)


VARIANTS = [
    (4, False, "3.1.1, TLS"),
    (5, False, "5, TLS"),
    (4, True, "3.1.1, WSS"),
    (5, True, "5, WSS"),
]


def side_by_side(iot: IotCerts, directory: Path, rounds: int) -> None:
    pair = files_for(iot, iot.issue_certificate(), directory / "side")
    print(f"\n{'MQTT':12}{'connect':>10}{'round trip':>12}{'100 devices':>13}")
    for version, ws, name in VARIANTS:

        def connect_once(i: int, version: int = version, ws: bool = ws) -> float:
            device = _Device(iot, pair, f"c-{version}-{ws}-{i}", version, ws)
            elapsed = timed(device.connect)
            device.close()
            return elapsed

        connect_ms = median_ms(rounds, connect_once)
        device = _Device(iot, pair, f"rt-{version}-{ws}", version, ws)
        device.connect()
        topic = f"bench/{version}/{ws}"
        device.subscribe(topic)

        def round_trip(_: int, device: _Device = device, topic: str = topic) -> float:
            start = time.perf_counter()
            device.client.publish(topic, b"x", qos=1)
            device.next_message()
            return time.perf_counter() - start

        trip_ms = median_ms(rounds * 5, round_trip)
        device.close()
        many = [_Device(iot, pair, f"m-{version}-{ws}-{n}", version, ws) for n in range(100)]
        start = time.perf_counter()
        assert all(d.connect(timeout=30) for d in many)
        hundred_ms = (time.perf_counter() - start) * 1000
        for d in many:
            d.close()
        print(f"{name:12}{connect_ms:8.1f} ms{trip_ms:9.2f} ms{hundred_ms:10.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder, mock_iot() as iot:
        directory = Path(folder)
        print(f"start the endpoint (first use)        {timed(lambda: iot.mqtt) * 1000:7.1f} ms")
        paho_ms = median_ms(rounds, paho_connect(iot, directory))
        refused_ms = median_ms(rounds, paho_connect(iot, directory, "REVOKED"))
        sdk_ms = median_ms(rounds, sdk_connect(iot, directory))
        print(f"connect, paho-mqtt (median)           {paho_ms:7.1f} ms")
        print(f"refused connect, paho-mqtt (REVOKED)  {refused_ms:7.1f} ms")
        print(f"connect, awsiotsdk mtls_from_path     {sdk_ms:7.1f} ms")
        create_ms, register_ms = fleet_round_trips(iot, directory, rounds)
        print(f"fleet: CreateKeysAndCertificate       {create_ms:7.1f} ms")
        print(f"fleet: RegisterThing                  {register_ms:7.1f} ms")
        side_by_side(iot, directory, rounds)


if __name__ == "__main__":
    main()
