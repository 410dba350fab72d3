"""The pytest plugin: the ``iot_certs`` fixture, its marker and ini options.

A thin layer over ``mock_iot()``: it reads settings (ini defaults, then markers closest-first) and
keeps one active controller for the duration of a test.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any, Literal

import pytest

from ._controller import IotCerts
from ._settings import Settings


class IotCertsWarning(UserWarning):
    """Something a test should know about its IoT calls, that did not fail it."""


def _warn_about_surprises(controller: IotCerts) -> None:
    """Calls already answered with an error that code under test may have swallowed: our own
    internal errors, and operations not emulated yet."""
    unemulated = sorted(
        {c.operation or "?" for c in controller.calls if c.error_code == "NotImplementedException"}
    )
    if controller.internal_errors:
        warnings.warn(
            IotCertsWarning(
                "pytest-iotcerts hit an internal error while answering (the client got "
                "InternalFailureException); this is a bug of pytest-iotcerts, please report it:\n"
                + controller.internal_errors[0]
            ),
            stacklevel=1,
        )
    if unemulated:
        warnings.warn(
            IotCertsWarning(
                f"pytest-iotcerts does not emulate {', '.join(unemulated)} yet; those calls "
                "were answered with NotImplementedException (never sent to AWS)"
            ),
            stacklevel=1,
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("iotcerts", "pytest-iotcerts (the iot_certs fixture)")
    for item in Settings.fields():
        boolean = isinstance(item.default, bool)
        ini_type: Literal["bool", "string"] = "bool" if boolean else "string"
        parser.addini(
            f"iot_certs_{item.name}", item.metadata["help"], type=ini_type, default=item.default
        )
        option = f"--iot-certs-{item.name.replace('_', '-')}"
        if boolean:
            group.addoption(option, action="store_true", default=None, help=item.metadata["help"])
        else:
            group.addoption(option, default=None, help=item.metadata["help"])


def pytest_configure(config: pytest.Config) -> None:
    names = ", ".join(f"{name}=None" for name in Settings.names())
    config.addinivalue_line(
        "markers", f"iot_certs({names}): settings of the iot_certs fixture for this test."
    )
    config.addinivalue_line(
        "markers",
        "iot_fault(error_code, operation=None, times=None, message=None, account_id=None, "
        "region=None, probability=None, seed=None, strict=False): make matching IoT calls fail "
        "(same arguments as iot_certs.add_fault); stackable.",
    )


def settings_for(node: pytest.Item, config: pytest.Config) -> Settings:
    """ini defaults, then command-line options, then ``iot_certs`` markers from the farthest
    to the closest."""
    chosen: dict[str, Any] = {}
    for item in Settings.fields():
        chosen[item.name] = config.getini(f"iot_certs_{item.name}")
        from_command_line = config.getoption(f"iot_certs_{item.name}")
        if from_command_line is not None:
            chosen[item.name] = from_command_line
    for marker in reversed(list(node.iter_markers("iot_certs"))):
        if marker.args:
            raise pytest.UsageError(
                "@pytest.mark.iot_certs takes keyword arguments only "
                f"({', '.join(Settings.names())})"
            )
        chosen.update(marker.kwargs)
    try:
        return Settings().updated(**chosen)
    except ValueError as error:
        raise pytest.UsageError(f"iot_certs settings: {error}") from None


@pytest.fixture
def iot_certs(request: pytest.FixtureRequest) -> Iterator[IotCerts]:
    """An active, empty AWS IoT certificate service for this test.

    Teardown fails the test when a strict fault rule did not fire as often as its ``times``.
    """
    controller = IotCerts(settings_for(request.node, request.config))
    controller.start()
    try:
        # Closest first: a test's own fault rules are tried before its class's or module's.
        for marker in request.node.iter_markers("iot_fault"):
            try:
                controller.add_fault(*marker.args, **marker.kwargs)
            except (TypeError, ValueError) as error:
                raise pytest.UsageError(f"@pytest.mark.iot_fault: {error}") from None
        yield controller
    finally:
        controller.stop()
    _warn_about_surprises(controller)
    try:
        controller.verify_faults()
    except AssertionError as error:
        pytest.fail(str(error), pytrace=False)
