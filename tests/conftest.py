from __future__ import annotations

import fcntl
import ipaddress
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from pytest_iotcerts import IotCerts


@pytest.fixture
def client(iot_certs: IotCerts) -> Any:
    """A plain boto3 IoT client, made while the emulator is active."""
    return boto3.client("iot", region_name="us-east-1")


def _is_loopback(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the local host
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


class NetworkGuard:
    """Fails the test on any DNS lookup of another host and any connect to a non-loopback
    address, even when the code under test swallowed the error it raised."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def refuse(self, what: str) -> OSError:
        self.violations.append(what)
        return OSError(f"the test suite's network guard refused {what}")

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_getaddrinfo = socket.getaddrinfo
        real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not _is_loopback(host):
                raise self.refuse(f"a DNS lookup of {host!r}")
            return real_getaddrinfo(host, *args, **kwargs)

        def checked(sock: socket.socket, address: Any) -> None:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
                raise self.refuse(f"a connection to {address!r}")

        def connect(sock: socket.socket, address: Any) -> None:
            checked(sock, address)
            real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            checked(sock, address)
            return real_connect_ex(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    """Around every test: nothing leaves the machine (only 127.0.0.0/8 and ::1 are reachable)."""
    guard = NetworkGuard()
    guard.install(monkeypatch)
    yield guard
    if guard.violations:
        pytest.fail(
            "the test reached for the network: " + "; ".join(guard.violations), pytrace=False
        )


JS_DIR = Path(__file__).parent / "js"


@pytest.fixture(scope="session")
def node_sdk() -> Path:
    """tests/js/package.json's packages (@aws-sdk/client-iot, @aws-sdk/client-iot-data-plane,
    mqtt), installed from the npm registry on first use, by one xdist worker at a time."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("these tests need node and npm on PATH (Node.js 18 or newer)")
    modules = JS_DIR / "node_modules"
    wanted = ("@aws-sdk/client-iot", "@aws-sdk/client-iot-data-plane", "mqtt")
    with open(JS_DIR / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all((modules / name / "package.json").is_file() for name in wanted):
            subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=JS_DIR,
                check=True,
                timeout=600,
            )
    return JS_DIR
