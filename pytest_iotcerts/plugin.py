"""The pytest plugin: the ``iot_certs`` fixture, its markers, ini and command-line options.

A thin layer over ``IotCerts``: it reads settings (ini defaults, command-line options, then
markers closest-first), keeps one active controller for the duration of a test, and turns what the
controller reports when it stops into warnings or a test failure.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

import pytest

from ._aws.errors import IotCertsWarning
from ._control.settings import Settings
from ._x509 import key_bank

if TYPE_CHECKING:
    from ._control.controller import IotCerts

__all__ = ["IotCertsWarning", "iot_certs"]

MARKERS = ("iot_certs", "iot_fault")
IMPORT_REGION = "iot_certs_import_region"
_REGION_SET_AT_CONFIGURE = pytest.StashKey[bool]()
_KEY_BANK_BEFORE = pytest.StashKey[dict[str, "str | None"]]()


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
    import_region_help = (
        "Set AWS_DEFAULT_REGION to iot_certs_region for the whole run when it is unset, so "
        "boto3 clients created at import time (during collection) get a region."
    )
    parser.addini(IMPORT_REGION, import_region_help, type="bool", default=False)
    group.addoption(
        "--iot-certs-import-region", action="store_true", default=None, help=import_region_help
    )


def pytest_configure(config: pytest.Config) -> None:
    names = ", ".join(f"{name}=None" for name in Settings.names())
    config.addinivalue_line(
        "markers",
        f"iot_certs({names}): settings of the iot_certs fixture for this test (brings the "
        "fixture in).",
    )
    config.addinivalue_line(
        "markers",
        "iot_fault(error_code, operation=None, times=None, message=None, account_id=None, "
        "region=None, probability=None, seed=None, strict=False): make matching IoT calls fail "
        "(same arguments as iot_certs.add_fault); stackable; brings the fixture in.",
    )
    _settings(_configured(config))  # a bad ini or command-line setting stops the run at once
    config.stash[_KEY_BANK_BEFORE] = key_bank.claim()
    import_region = config.getoption(IMPORT_REGION) or config.getini(IMPORT_REGION)
    if import_region and "AWS_DEFAULT_REGION" not in os.environ:
        os.environ["AWS_DEFAULT_REGION"] = config.getini("iot_certs_region")
        config.stash[_REGION_SET_AT_CONFIGURE] = True


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_REGION_SET_AT_CONFIGURE, False):
        os.environ.pop("AWS_DEFAULT_REGION", None)
    keys = sys.modules.get("pytest_iotcerts._x509.keys")
    if keys is not None:  # only when a test issued keys: save the fresh ones to the key bank
        keys.save_fresh_keys()
    key_bank.release(config.stash.get(_KEY_BANK_BEFORE, {}))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A marker is never silently ignored: a test marked ``iot_certs`` or ``iot_fault`` gets the
    fixture even when it does not ask for it."""
    for item in items:
        fixturenames = getattr(item, "fixturenames", None)
        if fixturenames is None or "iot_certs" in fixturenames:
            continue
        if any(item.get_closest_marker(name) is not None for name in MARKERS):
            fixturenames.insert(0, "iot_certs")


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """A client made at import time without a region fails the module's collection: say how
    the plugin can give it one."""
    if report.failed and "NoRegionError" in str(report.longrepr):
        report.sections.append(
            (
                "pytest-iotcerts",
                "A boto3 client was created at import time without a region. Set "
                "iot_certs_import_region = true in the ini file (or pass "
                "--iot-certs-import-region) and the plugin sets AWS_DEFAULT_REGION to "
                "iot_certs_region for the run; or give the client region_name=.",
            )
        )


def settings_for(node: pytest.Item, config: pytest.Config) -> Settings:
    """ini defaults, then command-line options, then ``iot_certs`` markers from the farthest
    to the closest."""
    chosen = _configured(config)
    for marker in reversed(list(node.iter_markers("iot_certs"))):
        if marker.args:
            _usage_error(
                f"@pytest.mark.iot_certs on {node.nodeid} takes keyword arguments only "
                f"({', '.join(Settings.names())}), got {marker.args!r}"
            )
        chosen.update(marker.kwargs)
    try:
        return Settings().updated(**chosen)
    except ValueError as error:
        _usage_error(f"@pytest.mark.iot_certs on {node.nodeid}: {error}")
        raise  # not reached: _usage_error fails the test


def _usage_error(message: str) -> None:
    """A mistake in the test's own code: reported as the message alone, with no traceback of
    the plugin's."""
    __tracebackhide__ = True
    pytest.fail(message, pytrace=False)


def _configured(config: pytest.Config) -> dict[str, Any]:
    """The settings ini options and command-line options choose (the latter win)."""
    chosen: dict[str, Any] = {}
    for item in Settings.fields():
        chosen[item.name] = config.getini(f"iot_certs_{item.name}")
        from_command_line = config.getoption(f"iot_certs_{item.name}")
        if from_command_line is not None:
            chosen[item.name] = from_command_line
    return chosen


def _warn_at_test(node: pytest.Item, reported: list[warnings.WarningMessage]) -> None:
    """Re-issue the controller's teardown warnings at the test's own line, where pytest's
    summary then points (not at pytest's fixture machinery)."""
    path, line, _ = node.reportinfo()
    for warning in reported:
        warnings.warn_explicit(
            warning.message,
            warning.category,
            filename=str(path),
            lineno=(line or 0) + 1,
        )


def _settings(chosen: dict[str, Any]) -> Settings:
    try:
        return Settings().updated(**chosen)
    except ValueError as error:
        raise pytest.UsageError(f"iot_certs settings: {error}") from None


FAULT_ARGUMENTS = (
    "operation",
    "times",
    "message",
    "account_id",
    "region",
    "probability",
    "seed",
    "strict",
)


def _add_marked_faults(controller: IotCerts, node: pytest.Item) -> None:
    # Closest first: a test's own fault rules are tried before its class's or module's.
    for marker in node.iter_markers("iot_fault"):
        where = f"@pytest.mark.iot_fault on {node.nodeid}"
        if not marker.args and "error_code" not in marker.kwargs:
            _usage_error(
                f"{where} names no error code: give it first, as in "
                '@pytest.mark.iot_fault("ThrottlingException", operation="CreateThing")'
            )
        unknown = sorted(set(marker.kwargs) - {"error_code", *FAULT_ARGUMENTS})
        if len(marker.args) > 1 or unknown:
            extra = ", ".join([*map(repr, marker.args[1:]), *unknown])
            _usage_error(
                f"{where}: unknown argument(s) {extra}; it takes an error code, then "
                f"{', '.join(f'{name}=' for name in FAULT_ARGUMENTS)}"
            )
        try:
            controller.add_fault(*marker.args, **marker.kwargs)
        except (TypeError, ValueError) as error:
            _usage_error(f"{where}: {error}")


@pytest.fixture
def iot_certs(request: pytest.FixtureRequest) -> Iterator[IotCerts]:
    """An emulated AWS IoT service, active and empty, for this test; every AWS IoT call of the
    process is answered by it. Seed it (issue_certificate(), create_thing(), create_policy()),
    read it (certificates, things, policies, jobs, calls, events, get(id)), assert on it
    (assert_status(), assert_called(), assert_attached()), make calls fail (throttle(),
    unauthorized(), add_fault(), rate_limit()), connect devices (iot_certs.mqtt), reach it from
    other clients (endpoint_url, subprocess_env(), mock_requests()). Configure it with
    @pytest.mark.iot_certs(...) and @pytest.mark.iot_fault(...); see docs/controller.md.

    At teardown it warns (IotCertsWarning) about unemulated operations called, counted fault
    rules that never fired and internal errors, and fails the test when a strict fault rule did
    not fire as often as its ``times`` (or, with ``unemulated="fail"``, an unemulated operation
    was called).
    """
    from ._control.controller import IotCerts  # botocore and cryptography load when a test asks

    controller = IotCerts(settings_for(request.node, request.config))
    controller.start()
    try:
        _add_marked_faults(controller, request.node)
        yield controller
    finally:
        controller.stop()
    failure = None
    with warnings.catch_warnings(record=True) as reported:
        warnings.simplefilter("always")
        try:
            controller.report()
        except AssertionError as error:
            failure = str(error)
    _warn_at_test(request.node, reported)
    if failure is not None:  # outside the except: reported once, not "during handling of..."
        pytest.fail(failure, pytrace=False)
