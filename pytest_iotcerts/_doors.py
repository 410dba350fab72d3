"""The doors other than botocore's: a loopback endpoint for subprocesses (the aws CLI, the JS SDK)
and ``responses`` for ``requests`` code. All of them call ``handle()``, over the one router."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import responses

from . import _responses
from ._activation import UNSET_ENV
from ._http import HttpRequest, HttpResponse
from ._router import Router

if TYPE_CHECKING:
    from ._server import LoopbackServer


class Doors:
    """``endpoint_url``, ``subprocess_env``, ``mock_requests``, ``handle``; part of
    ``IotCerts``."""

    _router: Router
    _server: LoopbackServer | None

    if TYPE_CHECKING:  # from the other parts of IotCerts

        @property
        def active(self) -> bool: ...

        def _environment(self) -> dict[str, str | None]: ...

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one HTTP request for the IoT control plane (what every door calls)."""
        return self._router.handle(request)

    @property
    def endpoint_url(self) -> str:
        """A loopback endpoint (``http://127.0.0.1:PORT``) serving this same state, for the aws
        CLI, the AWS SDK for JavaScript and other subprocesses. Started on first use."""
        if not self.active:
            raise RuntimeError("the emulator is not active; start it (or use the fixture) first")
        if self._server is None:
            from ._server import LoopbackServer  # the server library loads only when needed

            self._server = LoopbackServer(self.handle)
        return self._server.start()

    def subprocess_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a subprocess to talk to this emulator: ``base`` (default: the
        current environment, already holding fake credentials and the region) plus
        ``AWS_ENDPOINT_URL_IOT`` pointing at the loopback endpoint."""
        env = dict(os.environ if base is None else base)
        env.update({k: v for k, v in self._environment().items() if v is not None})
        for name in UNSET_ENV:
            env.pop(name, None)
        env["AWS_ENDPOINT_URL_IOT"] = self.endpoint_url
        env["AWS_ENDPOINT_URL_IOT_JOBS_DATA_PLANE"] = self.endpoint_url  # the same router answers
        env.pop("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", None)
        return env

    def add_to_responses(self, rsps: responses.RequestsMock) -> None:
        """Answer requests-based IoT calls (``https://iot.{region}.amazonaws.com/...``) made
        while ``rsps`` is active."""
        _responses.register(rsps, self.handle)

    @contextmanager
    def mock_requests(self) -> Iterator[responses.RequestsMock]:
        """A ``responses`` mock that answers IoT calls made with ``requests`` and lets every
        other request through."""
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            rsps.add_passthru(_responses.not_iot_url())
            self.add_to_responses(rsps)
            yield rsps
