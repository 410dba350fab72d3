"""The MQTT endpoint's latencies: starting it, a device's connect (TLS handshake, admission,
CONNACK) with paho-mqtt and with the AWS IoT Device SDK, a refused connect, and fleet
provisioning's two round trips (CreateKeysAndCertificate, RegisterThing) over the SDK.

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

from awscrt import mqtt
from awsiot import iotidentity
from devices import PahoDevice, files_for, sdk_connection

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


if __name__ == "__main__":
    main()
