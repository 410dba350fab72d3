"""The loopback endpoint on waitress: malformed HTTP gets AWS's error shape, the route never
depends on the Host header, bodies are bounded, and stopping closes every connection and thread."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest
from sigv4 import signed_headers

from pytest_iotcerts import IotCerts, mock_iot


def exchange(iot: IotCerts, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; the status, headers and body of the answer."""
    port = int(iot.endpoint_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(raw)
        response = http.client.HTTPResponse(connection)
        response.begin()
        return response.status, dict(response.getheaders()), response.read()


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /certificates HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"POST /keys-and-certificate HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"POST /keys-and-certificate HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n",
    ],
)
def test_malformed_http_is_a_400_in_aws_error_shape(iot_certs: IotCerts, raw: bytes) -> None:
    status, headers, body = exchange(iot_certs, raw)

    assert status == 400
    assert headers["X-Amzn-Errortype"] == "InvalidRequestException"
    assert json.loads(body)["message"].startswith("Bad Request: ")
    assert iot_certs.certificates == []


def test_a_huge_content_length_is_refused_without_reading_it(iot_certs: IotCerts) -> None:
    raw = b"POST /keys-and-certificate HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n"

    status, headers, body = exchange(iot_certs, raw)

    assert status == 413
    assert headers["X-Amzn-Errortype"] == "RequestEntityTooLargeException"
    assert "max_body" in json.loads(body)["message"]


def _raw_get(iot_certs: IotCerts, *extra: str) -> bytes:
    url = iot_certs.endpoint_url + "/certificates"
    lines = ["GET /certificates HTTP/1.1", *extra]
    lines += [f"{name}: {value}" for name, value in signed_headers("GET", url).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize("host", ["localhost:1", "127.0.0.1", "[::1]:4566", "127.9.9.9:80"])
def test_a_loopback_host_header_never_changes_the_route(iot_certs: IotCerts, host: str) -> None:
    status, _, body = exchange(iot_certs, _raw_get(iot_certs, f"Host: {host}"))

    assert status == 200, body
    assert json.loads(body) == {"certificates": []}
    assert iot_certs.calls[-1].operation == "ListCertificates"


@pytest.mark.parametrize(
    "host",
    ["[", "evil.example", "evil.example:4566", "iot.cn-north-1.amazonaws.com.cn", "10.0.0.1"],
)
def test_a_host_that_is_not_loopback_is_refused(iot_certs: IotCerts, host: str) -> None:
    """A page that rebinds its own host name to 127.0.0.1 reaches the port, not the emulator."""
    status, headers, body = exchange(iot_certs, _raw_get(iot_certs, f"Host: {host}"))

    assert status == 403
    assert headers["X-Amzn-Errortype"] == "ForbiddenException"
    assert "not this loopback endpoint's" in json.loads(body)["message"]
    assert iot_certs.calls == []


def test_a_request_from_a_web_page_is_refused(iot_certs: IotCerts) -> None:
    raw = _raw_get(iot_certs, "Host: 127.0.0.1", "Origin: http://evil.example")

    status, _, body = exchange(iot_certs, raw)

    assert status == 403
    assert "web pages" in json.loads(body)["message"]
    assert iot_certs.calls == []


def test_idle_connections_cannot_shut_a_client_out(iot_certs: IotCerts) -> None:
    """More half-sent requests than waitress's default connection limit (100) stay open, and a
    real request still gets its answer."""
    port = int(iot_certs.endpoint_url.rsplit(":", 1)[1])
    idle = []
    try:
        for _ in range(150):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(b"POST /things/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
            idle.append(connection)
        status, _, body = exchange(iot_certs, _raw_get(iot_certs, "Host: 127.0.0.1"))
        assert status == 200, body
    finally:
        for connection in idle:
            connection.close()


def loopback_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "loopback" in t.name or "waitress" in t.name]


def test_stopping_closes_keep_alive_connections_and_every_thread() -> None:
    before = set(loopback_threads())  # another test's server, stopping meanwhile, is not ours
    with mock_iot() as iot:
        url = iot.endpoint_url
        port = int(url.rsplit(":", 1)[1])
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        kept.request("GET", "/certificates", headers=signed_headers("GET", url + "/certificates"))
        assert json.loads(kept.getresponse().read())["certificates"] == []
        # Clients that never finish their request.
        stuck = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        for connection in stuck:
            connection.sendall(b"POST /keys-and-certificate HTTP/1.1\r\nContent-Length: 10\r\n")
        calls = len(iot.calls)

    create = url + "/keys-and-certificate"
    with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
        kept.request("POST", "/keys-and-certificate", b"", signed_headers("POST", create))
        kept.getresponse()
    for connection in stuck:
        connection.settimeout(5)
        assert _read_until_closed(connection) == b""  # closed by the server
        connection.close()
    kept.close()
    assert len(iot.calls) == calls
    assert iot.certificates == []
    deadline = time.monotonic() + 5
    while set(loopback_threads()) - before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert set(loopback_threads()) - before == set()


def test_client_disconnects_print_nothing(
    iot_certs: IotCerts, capfd: pytest.CaptureFixture[str]
) -> None:
    port = int(iot_certs.endpoint_url.rsplit(":", 1)[1])
    for _ in range(10):
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(
                b"POST /keys-and-certificate HTTP/1.1\r\nContent-Length: 50\r\n\r\n{"
            )
    iot_certs.stop()

    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def _read_until_closed(connection: socket.socket) -> bytes:
    """What the server sent before closing; a reset (unread data in its buffer) is a close too."""
    try:
        return connection.recv(100)
    except ConnectionResetError:
        return b""


def test_a_worker_finishing_after_the_stop_finds_nothing_to_wake() -> None:
    """A task still running when the server stops wakes the loop as it ends; the loop and its
    trigger are gone by then, and that must not raise in the worker's thread."""
    from pytest_iotcerts._doors.http_server import _Server

    server = _Server(lambda request: None)  # type: ignore[arg-type,return-value]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    server.pull_trigger_to_close_all()
    thread.join(5)
    server.task_dispatcher.shutdown(timeout=5)

    server.pull_trigger()  # as HTTPChannel.service does at the end of a task

    assert not thread.is_alive()
