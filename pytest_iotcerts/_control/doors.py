"""The doors other than botocore's: a loopback endpoint for subprocesses (the aws CLI, the JS SDK)
and ``responses`` for ``requests`` code. All of them call ``handle()``, over the one router."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import responses

from .._core.resources import Certificate
from .._doors import requests_door
from .._wire.http import HttpRequest, HttpResponse
from .._wire.router import Router
from .._x509.crypto import write_private
from .activation import UNSET_ENV

if TYPE_CHECKING:
    from .._doors.http_server import LoopbackServer


@dataclass(frozen=True)
class DeviceFiles:
    """What a device's MQTT or TLS client reads: its certificate, its private key (None for a
    certificate issued from a CSR, whose key the device holds) and the CA bundle."""

    certificate: Path
    private_key: Path | None
    ca: Path


class Doors:
    """``endpoint_url``, ``subprocess_env``, ``mock_requests``, ``handle``; part of
    ``IotCerts``."""

    _router: Router
    _server: LoopbackServer | None

    if TYPE_CHECKING:  # from the other parts of IotCerts

        @property
        def ca_pem(self) -> str: ...

        @property
        def active(self) -> bool: ...

        def _environment(self) -> dict[str, str | None]: ...

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one HTTP request for the IoT control plane (what every door calls)."""
        return self._router.handle(request)

    def write_device_files(self, certificate: Certificate, directory: str | Path) -> DeviceFiles:
        """Write a certificate's PEM, its private key (when the service generated it) and the
        CA bundle into ``directory``, named as AWS's console names its downloads."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        prefix = certificate.certificate_id[:10]
        cert_path = folder / f"{prefix}-certificate.pem.crt"
        cert_path.write_text(certificate.pem)
        key_path = None
        if certificate.private_key_pem is not None:
            key_path = folder / f"{prefix}-private.pem.key"
            write_private(key_path, certificate.private_key_pem)
        ca_path = folder / "root-ca.pem"
        ca_path.write_text(self.ca_pem)
        return DeviceFiles(cert_path, key_path, ca_path)

    @property
    def endpoint_url(self) -> str:
        """A loopback endpoint (``http://127.0.0.1:PORT``) serving this same state, for the aws
        CLI, the AWS SDK for JavaScript and other subprocesses. Started on first use."""
        if not self.active:
            raise RuntimeError("the emulator is not active; start it (or use the fixture) first")
        if self._server is None:
            from .._doors.http_server import (
                LoopbackServer,  # the server library loads only when needed
            )

            self._server = LoopbackServer(self.handle)
        return self._server.start()

    def subprocess_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a subprocess to talk to this emulator: ``base`` (default: the
        current environment, already holding fake credentials and the region) plus
        ``AWS_ENDPOINT_URL_IOT`` and the data planes' variables pointing at the loopback
        endpoint."""
        env = dict(os.environ if base is None else base)
        env.update({k: v for k, v in self._environment().items() if v is not None})
        for name in UNSET_ENV:
            env.pop(name, None)
        env["AWS_ENDPOINT_URL_IOT"] = self.endpoint_url
        env["AWS_ENDPOINT_URL_IOT_JOBS_DATA_PLANE"] = self.endpoint_url  # the same router answers
        env["AWS_ENDPOINT_URL_IOT_DATA_PLANE"] = self.endpoint_url
        env.pop("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", None)
        return env

    def add_to_responses(self, rsps: responses.RequestsMock) -> None:
        """Answer requests-based IoT calls (``https://iot.{region}.amazonaws.com/...``) made
        while ``rsps`` is active."""
        requests_door.register(rsps, self.handle)

    @contextmanager
    def mock_requests(self) -> Iterator[responses.RequestsMock]:
        """A ``responses`` mock that answers IoT calls made with ``requests`` and lets every
        other request through."""
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            rsps.add_passthru(requests_door.not_iot_url())
            self.add_to_responses(rsps)
            yield rsps
