"""The pytest plugin: the ``iot_certs`` fixture, its marker and ini options.

A thin layer over ``mock_iot()``: it reads settings (ini defaults, then markers closest-first) and
keeps one active controller for the duration of a test.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from ._controller import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, IotCerts, mock_iot

SETTINGS = ("account_id", "region", "sleep_on_retry", "strict_faults", "aws_quotas")


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
    parser.addini(
        "iot_certs_account_id",
        "AWS account id of IoT calls whose access key maps to no other account.",
        default=DEFAULT_ACCOUNT_ID,
    )
    parser.addini(
        "iot_certs_region",
        "Default region set in the environment while iot_certs is active.",
        default=DEFAULT_REGION,
    )
    parser.addini(
        "iot_certs_sleep_on_retry",
        "Let botocore really sleep between retries of IoT calls (default: skip the sleep).",
        type="bool",
        default=False,
    )
    parser.addini(
        "iot_certs_strict_faults",
        "Fail a test whose fault rules with a times= count did not all fire fully.",
        type="bool",
        default=False,
    )
    parser.addini(
        "iot_certs_aws_quotas",
        "Rate-limit every IoT operation at AWS's published per-operation quota.",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "iot_certs(account_id=None, region=None, sleep_on_retry=None, strict_faults=None, "
        "aws_quotas=None): settings of the iot_certs fixture for this test.",
    )
    config.addinivalue_line(
        "markers",
        "iot_fault(error_code, operation=None, times=None, message=None, account_id=None, "
        "region=None, probability=None, seed=None, strict=False): make matching IoT calls fail "
        "(same arguments as iot_certs.add_fault); stackable.",
    )


def settings_for(node: pytest.Item, config: pytest.Config) -> dict[str, Any]:
    """ini defaults, overridden by ``iot_certs`` markers from the farthest to the closest."""
    settings: dict[str, Any] = {
        "account_id": str(config.getini("iot_certs_account_id")),
        "region": str(config.getini("iot_certs_region")),
        "sleep_on_retry": bool(config.getini("iot_certs_sleep_on_retry")),
        "strict_faults": bool(config.getini("iot_certs_strict_faults")),
        "aws_quotas": bool(config.getini("iot_certs_aws_quotas")),
    }
    for marker in reversed(list(node.iter_markers("iot_certs"))):
        if marker.args:
            raise pytest.UsageError(
                f"@pytest.mark.iot_certs takes keyword arguments only ({', '.join(SETTINGS)})"
            )
        unknown = sorted(set(marker.kwargs) - set(SETTINGS))
        if unknown:
            raise pytest.UsageError(
                f"@pytest.mark.iot_certs got unknown setting(s) {', '.join(unknown)}; "
                f"known: {', '.join(SETTINGS)}"
            )
        settings.update(marker.kwargs)
    return settings


@pytest.fixture
def iot_certs(request: pytest.FixtureRequest) -> Iterator[IotCerts]:
    """An active, empty AWS IoT certificate service for this test.

    Teardown fails the test when a strict fault rule did not fire as often as its ``times``.
    """
    settings = settings_for(request.node, request.config)
    try:
        controller = mock_iot(**settings)
    except ValueError as error:
        raise pytest.UsageError(f"iot_certs settings: {error}") from None
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
