"""What a suite is told: unemulated operations (warn or fail), markers that bring the fixture in,
failure output that points at the test, and clients created at import time."""

from __future__ import annotations

import pytest

SWALLOWING_TEST = """
    import boto3
    from botocore.exceptions import ClientError

    def test_swallows_the_errors(iot_certs):
        client = boto3.client("iot")
        findings, profiles = client.list_audit_findings, client.list_security_profiles
        for call in (findings, findings, profiles):
            try:
                call()
            except ClientError:
                pass  # code under test that hides failures
"""


def test_unemulated_fail_fails_the_test_naming_each_operation(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\niot_certs_unemulated = fail\n")
    pytester.makepyfile(SWALLOWING_TEST)

    result = pytester.runpytest_subprocess()

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*called IoT operations not emulated yet: "
            "ListAuditFindings (2 calls), ListSecurityProfiles.*"
        ]
    )


def test_unemulated_fail_from_the_command_line_and_a_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        SWALLOWING_TEST
        + """
    import pytest

    @pytest.mark.iot_certs(unemulated="warn")
    def test_allowed_here(iot_certs):
        test_swallows_the_errors(iot_certs)
    """
    )

    result = pytester.runpytest_subprocess("--iot-certs-unemulated=fail")

    result.assert_outcomes(passed=2, errors=1, warnings=1)


def test_an_unknown_unemulated_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_any(iot_certs):\n    pass\n")

    result = pytester.runpytest_subprocess("--iot-certs-unemulated=explode")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unemulated must be one of warn, fail, not 'explode'*"])


def test_the_warning_can_be_made_an_error_with_its_public_name(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SWALLOWING_TEST)

    result = pytester.runpytest_subprocess("-W", "error::pytest_iotcerts.IotCertsWarning")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*IotCertsWarning: pytest-iotcerts does not emulate ListAuditFindings (2 calls)*"]
    )


def test_the_not_implemented_message_says_what_to_do() -> None:
    import boto3
    from botocore.exceptions import ClientError

    from pytest_iotcerts import mock_iot

    with pytest.warns(Warning), mock_iot(), pytest.raises(ClientError) as raised:
        boto3.client("iot").list_security_profiles()

    message = raised.value.response["Error"]["Message"]
    assert raised.value.response["Error"]["Code"] == "NotImplementedException"
    assert "does not emulate the IoT operation ListSecurityProfiles" in message
    assert "Seed the state" in message
    assert "unemulated setting to 'fail'" in message


def test_markers_bring_the_fixture_in(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os

        import boto3
        import pytest

        @pytest.mark.iot_certs(region="eu-north-1")
        def test_settings_marker_alone():
            assert os.environ["AWS_DEFAULT_REGION"] == "eu-north-1"
            boto3.client("iot").create_keys_and_certificate()

        @pytest.mark.iot_fault("ThrottlingException", operation="ListCertificates", times=1)
        def test_fault_marker_alone():
            client = boto3.client("iot")
            client.list_certificates()  # retried past the one throttle
            assert client.list_certificates()["certificates"] == []

        @pytest.mark.iot_fault("UnauthorizedException", operation="ListCertificates")
        class TestOnAClass:
            def test_method(self):
                with pytest.raises(Exception, match="UnauthorizedException"):
                    boto3.client("iot").list_certificates()
        """
    )

    result = pytester.runpytest_subprocess("--strict-markers")

    result.assert_outcomes(passed=3)


def test_assertion_helpers_hide_their_own_frames(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_status(iot_certs):
            certificate = iot_certs.issue_certificate(status="INACTIVE")
            iot_certs.assert_status(certificate.certificate_id, "ACTIVE")

        def test_attached_to_an_unknown_certificate(iot_certs):
            iot_certs.assert_attached("f" * 64, thing="sensor")
        """
    )

    result = pytester.runpytest_subprocess()

    result.assert_outcomes(failed=2)
    output = result.stdout.str()
    assert "_inspection.py" not in output
    result.stdout.fnmatch_lines(
        [
            "E * AssertionError: expected certificate * to be ACTIVE, but it is INACTIVE",
            "E * AssertionError: expected certificate ffff* to have thing 'sensor', but no "
            "certificate 'ffff*'; the service holds no certificates",
        ]
    )


def test_an_unfired_counted_rule_warns_even_when_not_strict(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.iot_fault("ThrottlingException", operation="ListCertificates", times=2)
        def test_never_lists(iot_certs):
            pass
        """
    )

    result = pytester.runpytest_subprocess()

    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        ["*IotCertsWarning: pytest-iotcerts: 1 fault rule(s) did not fire as often as expected*"]
    )


CLIENT_AT_IMPORT = """
    import boto3

    CLIENT = boto3.client("iot")  # no region_name: it comes from the environment

    def test_uses_it(iot_certs):
        assert CLIENT.meta.region_name == "ap-south-1"
        CLIENT.create_keys_and_certificate()
"""


def test_a_client_made_at_import_without_a_region_fails_collection(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_CONFIG_FILE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    pytester.makepyfile(CLIENT_AT_IMPORT)

    result = pytester.runpytest_subprocess()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*NoRegionError*"])


def test_the_import_region_option_gives_import_time_clients_a_region(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    pytester.makeini("[pytest]\niot_certs_region = ap-south-1\niot_certs_import_region = true\n")
    pytester.makepyfile(CLIENT_AT_IMPORT)

    result = pytester.runpytest_subprocess()

    result.assert_outcomes(passed=1)
