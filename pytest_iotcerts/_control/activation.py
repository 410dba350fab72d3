"""Turning a mock on and off: start/stop, the context manager, the decorator, the environment
it sets while active, and what it checks when it stops."""

from __future__ import annotations

import functools
import inspect
import os
import time
import unittest
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .._aws.clock import Clock
from .._doors import botocore_door
from .._wire.auth import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from .environment import environment

if TYPE_CHECKING:
    from .._doors.http_server import LoopbackServer
    from .._wire.http import HttpRequest, HttpResponse

F = TypeVar("F", bound=Callable[..., Any])
A = TypeVar("A", bound="Activation")

# Credentials and config that could point botocore at a real account are hidden while active.
UNSET_ENV = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
)


class Activation:
    """Start, stop, ``with``, ``@decorator``; part of ``IotCerts``."""

    clock: Clock
    sleep_on_retry: bool
    _active: bool
    _server: LoopbackServer | None
    _retry_delays: list[float]

    if TYPE_CHECKING:  # from the other parts of IotCerts

        @property
        def region(self) -> str: ...

        def handle(self, request: HttpRequest) -> HttpResponse: ...

        def reset(self) -> None: ...

        def report(self) -> None: ...

        def _stop_devices(self) -> None: ...

    def start(self: A) -> A:
        """Activate. Several mocks may be active at once: calls from a thread go to the latest
        mock that thread started, else to the latest started anywhere."""
        if self._active:
            raise RuntimeError("this mock_iot() is already active")
        self.reset()
        environment.push(self, self._environment())
        botocore_door.push(self)
        self._active = True
        return self

    def stop(self) -> None:
        if not self._active:
            return
        self._active = False
        botocore_door.pop(self)
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._stop_devices()
        environment.pop(self)

    @property
    def active(self) -> bool:
        return self._active

    def __enter__(self: A) -> A:
        return self.start()

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        self.stop()
        if exc_type is None:
            self.report()

    def __call__(self, func: F) -> F:
        """Use as a decorator: each call of ``func`` runs with fresh, active state. On a
        ``unittest.TestCase`` class, every test runs with fresh state (started before
        ``setUp``, stopped after ``tearDown``); on another class, every ``test*`` method."""
        if isinstance(func, type):
            return self._decorate_class(func)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _decorate_class(self, cls: type) -> type:
        if issubclass(cls, unittest.TestCase):
            original_set_up = cls.setUp

            def set_up(test: unittest.TestCase) -> None:
                self.start()
                test.addCleanup(self.stop)
                original_set_up(test)

            cls.setUp = set_up  # type: ignore[method-assign,assignment]
            return cls
        for name, attribute in list(vars(cls).items()):
            if name.startswith("test") and callable(attribute):
                setattr(cls, name, self(attribute))
        return cls

    def retry_delay(self, seconds: float) -> None:
        """botocore backs off before retrying one of this mock's calls: record the delay, then
        sleep it (``sleep_on_retry``) or move the mock's clock on by it."""
        wait = self.retry_wait(seconds)
        if wait:
            time.sleep(wait)

    def retry_wait(self, seconds: float) -> float:
        """Record a backoff and return what to really wait: all of it with
        ``sleep_on_retry``, else nothing (the mock's clock moves on by it instead)."""
        self._retry_delays.append(seconds)
        if self.sleep_on_retry:
            return seconds
        self.clock.advance(seconds)
        return 0.0

    def _environment(self) -> dict[str, str | None]:
        values: dict[str, str | None] = {
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        values.update(dict.fromkeys(UNSET_ENV))
        return values
