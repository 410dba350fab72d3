"""Mistakes in a test's own code are reported as the test's: the marker, the argument and what to
write instead, with no traceback of the plugin's; warnings point at the test; the server refuses
bad arguments before it announces itself."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def quiet_asyncio(pytester: pytest.Pytester) -> None:
    """pytest-asyncio (in the test extra) warns in every run that leaves this unset."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def _output(result: pytest.RunResult) -> str:
    return result.stdout.str() + result.stderr.str()


def test_a_fault_marker_without_an_error_code_names_the_fix(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.iot_fault(operation="CreateThing")
        def test_throttled(iot_certs):
            pass
        """
    )
    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    output = _output(result)
    where = "@pytest.mark.iot_fault on test_a_fault_marker_without_an_error_code_names_the_fix.py"
    assert where in output
    assert "names no error code" in output
    assert '@pytest.mark.iot_fault("ThrottlingException", operation="CreateThing")' in output
    assert "controller.start()" not in output  # none of the fixture's source
    assert "missing 1 required positional argument" not in output


def test_a_misspelled_error_code_gets_a_did_you_mean(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.iot_fault("Throttling", operation="CreateThing")
        def test_throttled(iot_certs):
            pass
        """
    )
    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    output = _output(result)
    assert "did you mean ThrottlingException?" in output
    assert "_add_marked_faults" not in output


def test_an_unknown_fault_marker_argument_is_named(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.iot_fault("ThrottlingException", operations="CreateThing")
        def test_throttled(iot_certs):
            pass
        """
    )
    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    assert "unknown argument(s) operations" in _output(result)


def test_a_bad_setting_in_a_marker_is_reported_without_a_traceback(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.iot_certs(account_id="12")
        def test_it(iot_certs):
            pass
        """
    )
    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    output = _output(result)
    assert "@pytest.mark.iot_certs on" in output
    assert "12 digits" in output
    assert "def settings_for" not in output


def test_teardown_warnings_point_at_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_calls_an_unemulated_operation(iot_certs):
            client = boto3.client("iot")
            try:
                client.list_audit_findings()
            except client.exceptions.ClientError:
                pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")  # its own warning filters

    result.assert_outcomes(passed=1, warnings=1)
    output = _output(result)
    assert "test_teardown_warnings_point_at_the_test.py:3: IotCertsWarning" in output
    assert "_pytest" not in output.split("warnings summary")[1]


def test_public_classes_are_shown_by_their_public_path(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_seeding_a_bad_policy(iot_certs):
            iot_certs.create_policy("p", document="not json")
        """
    )
    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    output = _output(result)
    assert "pytest_iotcerts.ServiceError: MalformedPolicyException" in output
    assert "pytest_iotcerts._aws" not in output


def test_import_region_has_a_command_line_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        client = boto3.client("iot")  # at import time, during collection

        def test_module_level_client(iot_certs):
            assert client.list_things()["things"] == []
        """
    )
    result = pytester.runpytest_subprocess("--iot-certs-import-region")

    result.assert_outcomes(passed=1)


def test_a_client_without_a_region_at_import_gets_a_hint(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    pytester.makepyfile(
        """
        import boto3

        client = boto3.client("iot")

        def test_module_level_client(iot_certs):
            pass
        """
    )
    result = pytester.runpytest_subprocess()

    result.assert_outcomes(errors=1)
    output = _output(result)
    assert "NoRegionError" in output
    assert "iot_certs_import_region = true" in output
    assert "--iot-certs-import-region" in output


def test_the_fixture_says_what_it_offers(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")

    output = _output(result)
    assert "iot_certs" in output
    for offered in ("issue_certificate()", "calls", "throttle()", "iot_certs.mqtt"):
        assert offered in output


# -- the server refuses bad arguments before it announces itself ------------------------------


def _serve(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_iotcerts", "serve", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (("--port", "99999"), "'99999' is not a TCP port"),
        (("--port", "-1"), "is not a TCP port"),
        (("--host", "example.com"), "not an address to listen on"),
    ],
)
def test_bad_server_arguments_exit_2_before_serving(arguments: tuple[str, ...], says: str) -> None:
    ran = _serve(*arguments)

    assert ran.returncode == 2
    assert says in ran.stderr
    assert "serving" not in ran.stdout


def test_serve_mqtt_without_the_extra_says_so_before_the_url() -> None:
    blocked = (
        "import sys\n"
        "class NoMqtt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'amqtt':\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, NoMqtt())\n"
        "from pytest_iotcerts.__main__ import main\n"
        "sys.exit(main(['serve', '--port', '0', '--mqtt']))\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60
    )

    assert ran.returncode == 2
    assert ran.stdout == ""  # no "serving at" line for a script to wait on
    assert "pip install -e '.[mqtt]'" in ran.stderr


def test_the_server_help_is_plain_text() -> None:
    ran = _serve("--help")

    assert ran.returncode == 0
    assert "``" not in ran.stdout
    assert "/_iotcerts/" in ran.stdout
