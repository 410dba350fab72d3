"""``python -m pytest_iotcerts serve``: the standalone server, its control API driven from node,
the aws CLI talking to it, and a clean stop on SIGTERM and Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_iotcerts import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, IotCerts

CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str

    def stop(self, signal_number: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(signal_number)
        output, _ = self.process.communicate(timeout=20)
        return self.process.returncode, output


def serve(*arguments: str) -> Server:
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_iotcerts", "serve", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+", first)
    if found is None:
        process.kill()
        pytest.fail(f"the server's first line holds no URL: {first!r}")
    return Server(process, found.group(0))


@pytest.fixture
def server() -> Iterator[Server]:
    running = serve("--account-id", "111122223333", "--region", "eu-west-1")
    yield running
    if running.process.poll() is None:
        running.stop()


def aws(server: Server, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "awscli", *arguments, "--endpoint-url", server.url]
    env = {**os.environ, **CLIENT_ENV}
    env.pop("AWS_PROFILE", None)
    return subprocess.run(
        [*command, "--output", "json"], env=env, capture_output=True, text=True, timeout=120
    )


def node(script: str, server: Server) -> dict[str, object]:
    if shutil.which("node") is None:
        pytest.fail("these tests need node on PATH (Node.js 18 or newer, for its fetch)")
    ran = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        env={**os.environ, "SERVER": server.url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    result: dict[str, object] = json.loads(ran.stdout)
    return result


CONTROL_FROM_NODE = """
const base = process.env.SERVER + "/_iotcerts";
const fault = await fetch(base + "/faults", {
  method: "POST",
  body: JSON.stringify({error_code: "ServiceUnavailableException",
                        operation: "DescribeCertificate", times: 1}),
});
const certificates = await (await fetch(base + "/certificates")).json();
const ca = await (await fetch(base + "/ca")).text();
const bad = await fetch(base + "/faults", {method: "POST", body: '{"error_code": "Nope"}'});
console.log(JSON.stringify({
  fault: fault.status, certificates, ca: ca.split("\\n")[0],
  bad: bad.status, badMessage: (await bad.json()).message,
}));
"""


def test_the_aws_cli_and_node_drive_the_same_server(server: Server) -> None:
    created = aws(server, "iot", "create-keys-and-certificate", "--set-as-active")
    assert created.returncode == 0, created.stderr
    certificate_id = json.loads(created.stdout)["certificateId"]

    seen = node(CONTROL_FROM_NODE, server)
    described = aws(server, "iot", "describe-certificate", "--certificate-id", certificate_id)

    [listed] = seen["certificates"]["certificates"]  # type: ignore[index]
    assert (listed["certificateId"], listed["status"]) == (certificate_id, "ACTIVE")
    assert (listed["accountId"], listed["region"]) == ("111122223333", "eu-west-1")
    assert seen["fault"] == 200
    assert seen["ca"] == "-----BEGIN CERTIFICATE-----"
    assert seen["bad"] == 400
    assert "Nope" in str(seen["badMessage"])
    # The fault fired once: the CLI retried past it.
    assert described.returncode == 0, described.stderr
    assert json.loads(described.stdout)["certificateDescription"]["certificateId"] == (
        certificate_id
    )


RESET_FROM_NODE = """
const base = process.env.SERVER + "/_iotcerts";
const before = await (await fetch(base + "/calls")).json();
await fetch(base + "/faults", {method: "DELETE"});
await fetch(base + "/reset", {method: "POST"});
const after = await (await fetch(base + "/certificates")).json();
const unknown = await fetch(base + "/nothing");
console.log(JSON.stringify({
  calls: before.calls.map(c => [c.operation, c.statusCode]),
  after: after.certificates.length, unknown: unknown.status,
}));
"""


def test_calls_reset_and_unknown_routes(server: Server) -> None:
    assert aws(server, "iot", "list-certificates").returncode == 0

    seen = node(RESET_FROM_NODE, server)

    assert seen == {"calls": [["ListCertificates", 200]], "after": 0, "unknown": 404}


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_the_server_stops_cleanly(signal_number: int) -> None:
    running = serve()

    code, output = running.stop(signal_number)

    assert code == 0
    assert "pytest-iotcerts stopped" in output


def test_bad_arguments_exit_with_a_message() -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "pytest_iotcerts", "serve", "--account-id", "12"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert ran.returncode == 2
    assert "12 digits" in ran.stderr


SERVER_DOCS = Path(__file__).resolve().parent.parent / "docs" / "server.md"


def test_the_docs_compose_service_installs_from_the_checkout_it_mounts() -> None:
    [compose] = re.findall(r"```yaml\n(.*?)```", SERVER_DOCS.read_text(), re.DOTALL)
    mounted = re.search(r'volumes: \["[^:]+:(?P<path>[^"]+)"\]', compose)

    assert mounted is not None, compose
    assert f"pip install {mounted['path']} && " in compose  # not on PyPI: from the checkout
    assert "python -m pytest_iotcerts serve --host 0.0.0.0 --port 4566" in compose


def test_the_docs_node_example_passes_against_the_server(server: Server, node_sdk: Path) -> None:
    readme = SERVER_DOCS.read_text()
    [example] = re.findall(r"```javascript\n(.*?)```", readme, re.DOTALL)
    script = node_sdk / "readme_example.test.mjs"
    script.write_text(example)

    try:
        ran = subprocess.run(
            ["node", "--test", script.name],
            cwd=node_sdk,
            env={**os.environ, "IOT_SERVER": server.url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        script.unlink()

    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_serve_mqtt_lets_devices_of_other_languages_connect(tmp_path: Path) -> None:
    import ssl
    import urllib.request

    import boto3
    import paho.mqtt.client as mqtt

    running = serve("--mqtt")
    assert running.process.stdout is not None
    second = running.process.stdout.readline()
    found = re.search(r"MQTT over TLS at (127\.0\.0\.1):(\d+) \(CA file: (.+)\)", second)
    assert found is not None, second
    host, port, ca_file = found.group(1), int(found.group(2)), found.group(3)
    try:
        iot = boto3.client(
            "iot",
            endpoint_url=running.url,
            region_name="us-east-1",
            aws_access_key_id=FAKE_ACCESS_KEY_ID,
            aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
        )
        made = iot.create_keys_and_certificate(setAsActive=True)
        (tmp_path / "c.pem").write_text(made["certificatePem"])
        (tmp_path / "k.pem").write_text(made["keyPair"]["PrivateKey"])
        device = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="far-away")
        device.tls_set(
            ca_certs=ca_file,
            certfile=str(tmp_path / "c.pem"),
            keyfile=str(tmp_path / "k.pem"),
            cert_reqs=ssl.CERT_REQUIRED,
        )
        device.connect(host, port)
        device.loop_start()
        published = device.publish("hello", b"world", qos=1)
        published.wait_for_publish(20)  # returns on timeout without raising: check it was
        assert published.is_published(), "no PUBACK in 20 s"
        device.disconnect()
        device.loop_stop()
        device._reset_sockets()  # paho leaves its socket pair open after loop_stop

        sent = {"topic": "hello", "sender": "far-away", "payload": "world"}
        deadline = time.monotonic() + 20  # the broker records a message after its PUBACK
        while True:
            with urllib.request.urlopen(f"{running.url}/_iotcerts/mqtt", timeout=10) as answer:
                messages = json.load(answer)["messages"]
            if sent in messages or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert sent in messages
        with urllib.request.urlopen(f"{running.url}/_iotcerts/events", timeout=10) as answer:
            events = json.load(answer)["events"]
        assert any(e["topic"] == "$aws/events/presence/connected/far-away" for e in events)
    finally:
        code, _ = running.stop()
    assert code == 0


# -- the control API checks what it is given, and whom it answers ------------------------------


@pytest.fixture
def control(iot_certs: IotCerts) -> Iterator[str]:
    """The standalone server's handler (the control API over the emulator), in process."""
    from pytest_iotcerts._control.server_api import ControlApi
    from pytest_iotcerts._doors.http_server import LoopbackServer

    server = LoopbackServer(ControlApi(iot_certs).handle)
    yield server.start()
    server.stop()


def _post(url: str, body: bytes, **headers: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("message", 5),
        ("message", {"a": 1}),
        ("account_id", "x"),
        ("region", 5),
        ("region", "Mars"),
        ("strict", "no"),
        ("times", True),
        ("times", 0),
        ("times", "2"),
        ("probability", "0.5"),
        ("probability", 2),
        ("seed", 1.5),
        ("operation", 5),
        ("operation", {"CreateThing": 1}),
        ("error_code", 5),
    ],
)
def test_a_fault_argument_of_the_wrong_type_is_a_400_naming_it(
    iot_certs: IotCerts, control: str, argument: str, value: object
) -> None:
    fault = {"error_code": "ThrottlingException", "operation": "CreateThing", argument: value}

    status, body = _post(control + "/_iotcerts/faults", json.dumps(fault).encode())

    assert status == 400, body
    assert argument in str(body["message"])
    assert iot_certs.faults == []


def test_a_page_in_the_browser_cannot_reset_the_emulator(iot_certs: IotCerts, control: str) -> None:
    iot_certs.create_thing("kept")
    # a "simple" cross-site request: no preflight, so the browser sends it as it is
    status, body = _post(
        control + "/_iotcerts/reset",
        b"{}",
        **{"Content-Type": "text/plain", "Origin": "http://evil.example"},
    )
    assert status == 403, body
    assert [thing.name for thing in iot_certs.things] == ["kept"]


def test_a_rebound_host_name_reads_nothing(iot_certs: IotCerts, control: str) -> None:
    request = urllib.request.Request(
        control + "/_iotcerts/certificates", headers={"Host": "attacker.example:4566"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    with refused.value:
        assert refused.value.code == 403


def test_the_js_data_plane_sdk_against_the_server(server: Server, node_sdk: Path) -> None:
    env = {
        **os.environ,
        **CLIENT_ENV,
        "AWS_ENDPOINT_URL_IOT_DATA_PLANE": server.url,
        "AWS_REGION": "eu-west-1",  # what the JS SDK reads
    }
    env.pop("AWS_PROFILE", None)
    run = subprocess.run(
        ["node", "shadow.mjs"],
        cwd=node_sdk,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["shadow"]["state"]["delta"] == {"on": True}
    assert result["retained"] == {"payload": "online", "qos": 1}
    assert result["error"] == {"name": "ResourceNotFoundException", "status": 404}
    with urllib.request.urlopen(f"{server.url}/_iotcerts/calls", timeout=10) as answer:
        calls = json.load(answer)["calls"]
    assert {c["service"] for c in calls} == {"iot-data"}
