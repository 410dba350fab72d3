"""What only a real pytest run shows: entry point, ini options, markers, teardown, isolation."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("iotcerts") == "pytest_iotcerts.plugin"


def test_the_fixture_works_with_no_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_issue(iot_certs):
            client = boto3.client("iot")
            response = client.create_keys_and_certificate(setAsActive=True)
            assert iot_certs.get(response["certificateId"]).status == "ACTIVE"
            assert response["certificateArn"].startswith("arn:aws:iot:us-east-1:123456789012:")
        """
    )
    pytester.runpytest_subprocess("--strict-markers").assert_outcomes(passed=1)


def test_ini_options_set_suite_defaults_and_markers_override_them(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(
        """
        [pytest]
        iot_certs_account_id = 111122223333
        iot_certs_region = eu-west-3
        """
    )
    pytester.makepyfile(
        """
        import boto3
        import pytest

        def test_ini(iot_certs):
            arn = boto3.client("iot").create_keys_and_certificate()["certificateArn"]
            assert arn.startswith("arn:aws:iot:eu-west-3:111122223333:cert/")

        @pytest.mark.iot_certs(account_id="444455556666")
        def test_marker(iot_certs):
            arn = boto3.client("iot").create_keys_and_certificate()["certificateArn"]
            assert arn.startswith("arn:aws:iot:eu-west-3:444455556666:cert/")

        @pytest.mark.iot_certs(region="ca-central-1", account_id="111111111111")
        class TestGroup:
            @pytest.mark.iot_certs(account_id="777788889999")
            def test_closest_marker_wins_per_setting(self, iot_certs):
                arn = boto3.client("iot").create_keys_and_certificate()["certificateArn"]
                assert arn.startswith("arn:aws:iot:ca-central-1:777788889999:cert/")
        """
    )
    result = pytester.runpytest_subprocess("--strict-markers")
    result.assert_outcomes(passed=3, failed=0)


def test_a_bad_marker_setting_is_a_clear_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.iot_certs(acount_id="111122223333")
        def test_typo(iot_certs):
            pass
        """
    )
    result = pytester.runpytest_subprocess()
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*unknown setting(s) acount_id*"])


def test_state_is_fresh_in_every_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_each_starts_empty(iot_certs, n):
            assert iot_certs.certificates == []
            assert iot_certs.calls == []
            client = boto3.client("iot")
            client.create_keys_and_certificate()
            assert len(iot_certs.certificates) == 1
        """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=3)


def test_botocore_and_the_environment_are_restored_after_a_failing_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import os
        import time
        import botocore.endpoint
        import botocore.hooks

        ORIGINAL_EMIT = botocore.hooks.HierarchicalEmitter.emit
        os.environ["AWS_PROFILE"] = "developer"

        def test_fails_inside(iot_certs):
            assert botocore.hooks.HierarchicalEmitter.emit is not ORIGINAL_EMIT
            assert "AWS_PROFILE" not in os.environ
            raise AssertionError("boom")

        def test_after():
            assert botocore.hooks.HierarchicalEmitter.emit is ORIGINAL_EMIT
            assert botocore.endpoint.time is time
            assert os.environ["AWS_PROFILE"] == "developer"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: boom*"])


def test_a_client_made_at_import_time_is_intercepted(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        CLIENT = boto3.client("iot", region_name="sa-east-1")

        def test_uses_module_client(iot_certs):
            response = CLIENT.create_keys_and_certificate()
            assert iot_certs.get(response["certificateId"]).region == "sa-east-1"
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_the_core_works_without_pytest(pytester: pytest.Pytester) -> None:
    script = pytester.makepyfile(
        provision="""
        import boto3
        from pytest_iotcerts import mock_iot

        with mock_iot(account_id="123123123123") as iot:
            arn = boto3.client("iot").create_keys_and_certificate()["certificateArn"]
            assert iot.certificates[0].arn == arn
        print("ok", arn)
        """
    )
    result = pytester.run(sys.executable, "-I", str(script))
    assert result.ret == 0, result.stderr.str()
    result.stdout.fnmatch_lines(["ok arn:aws:iot:us-east-1:123123123123:cert/*"])


def test_the_iot_fault_marker_stacks_and_is_registered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from botocore.config import Config

        pytestmark = pytest.mark.iot_fault(
            "ServiceUnavailableException", operation="ListCertificates"
        )

        @pytest.mark.iot_fault("ThrottlingException", operation="CreateKeysAndCertificate", times=2)
        @pytest.mark.iot_fault(
            "UnauthorizedException", operation="DescribeCertificate", message="policy changed"
        )
        def test_marked(iot_certs):
            client = boto3.client("iot", config=Config(retries={"mode": "legacy"}))
            response = client.create_keys_and_certificate()
            assert response["ResponseMetadata"]["RetryAttempts"] == 2
            with pytest.raises(client.exceptions.UnauthorizedException, match="policy changed"):
                client.describe_certificate(certificateId=response["certificateId"])
            # Closest first: the decorator nearest the function, then the module's.
            assert [r.error_code for r in iot_certs.faults] == [
                "UnauthorizedException", "ThrottlingException", "ServiceUnavailableException"
            ]
        """
    )
    pytester.runpytest_subprocess("--strict-markers").assert_outcomes(passed=1)


def test_a_bad_iot_fault_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.iot_fault("NoSuchError")
        def test_marked(iot_certs):
            pass
        """
    )
    result = pytester.runpytest_subprocess()
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*iot_fault*'NoSuchError' is not an error of the IoT service*"])


def test_strict_faults_fail_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        iot_certs_strict_faults = true
        """
    )
    pytester.makepyfile(
        """
        import boto3
        import pytest

        @pytest.mark.iot_fault("ThrottlingException", operation="ListCertificates", times=3)
        def test_never_lists(iot_certs):
            boto3.client("iot").create_keys_and_certificate()

        @pytest.mark.iot_fault("ThrottlingException", operation="CreateKeysAndCertificate", times=1)
        def test_fires_fully(iot_certs):
            boto3.client("iot").create_keys_and_certificate()

        @pytest.mark.iot_certs(strict_faults=False)
        @pytest.mark.iot_fault("ThrottlingException", operation="ListCertificates", times=3)
        def test_not_strict(iot_certs):
            pass
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=3, errors=1, warnings=1)  # the lenient rule only warns
    result.stdout.fnmatch_lines(
        [
            "*1 fault rule(s) did not fire as often as expected*",
            "*ThrottlingException, operation=*ListCertificates*, times=3; fired 0)",
            "calls made: CreateKeysAndCertificate->200",
        ]
    )
    output = result.stdout.str()
    assert "During handling of the above exception" not in output
    assert output.count("ERROR at teardown of test_never_lists") == 1


def test_a_script_that_issued_keys_exits_cleanly(pytester: pytest.Pytester) -> None:
    """The background key pool must not abort the interpreter at exit (it once did: a daemon
    thread killed inside native key generation gives 'FATAL: exception not rethrown')."""
    script = pytester.makepyfile(
        issue_and_exit="""
        import boto3
        from pytest_iotcerts import mock_iot

        with mock_iot():
            boto3.client("iot").create_keys_and_certificate()
        """
    )
    for _ in range(3):
        result = pytester.run(sys.executable, str(script))
        assert result.ret == 0, result.stderr.str()
        assert "FATAL" not in result.stderr.str()


def test_xdist_workers_each_get_isolated_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest

        @pytest.mark.parametrize("n", range(8))
        def test_isolated(iot_certs, n):
            assert iot_certs.certificates == []
            client = boto3.client("iot")
            for _ in range(3):
                client.create_keys_and_certificate()
            listed = client.list_certificates()["certificates"]
            assert len(listed) == 3
            for certificate in iot_certs.certificates:
                certificate.certificate.verify_directly_issued_by(iot_certs.ca_certificate)
        """
    )
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=8)


def test_a_call_to_an_unemulated_operation_is_also_a_warning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        from botocore.exceptions import ClientError

        def test_swallows_the_error(iot_certs):
            try:
                boto3.client("iot").list_audit_findings()
            except ClientError:
                pass  # code under test that hides failures
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*IotCertsWarning*does not emulate ListAuditFindings yet*"])


def test_a_bug_of_ours_is_a_500_to_the_client_and_a_warning_to_the_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from botocore.config import Config
        from pytest_iotcerts._operations import HANDLERS

        def broken(context, params):
            raise RuntimeError("deliberately broken handler")

        def test_broken_handler(iot_certs, monkeypatch):
            monkeypatch.setitem(HANDLERS, "DescribeCertificate", broken)
            client = boto3.client("iot", config=Config(retries={"total_max_attempts": 1}))
            with pytest.raises(client.exceptions.InternalFailureException, match="deliberately"):
                client.describe_certificate(certificateId="a" * 64)
            assert iot_certs.calls[-1].status_code == 500
            assert "RuntimeError: deliberately broken handler" in iot_certs.internal_errors[0]
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*IotCertsWarning: pytest-iotcerts hit an internal error*"])


def test_an_unused_plugin_imports_neither_botocore_nor_cryptography() -> None:
    """Installed but unused, the plugin must cost a pytest run almost nothing (issue 12: under
    60 ms; ``python benchmarks/suite.py`` measures it)."""
    import subprocess

    probe = (
        "import sys, pytest_iotcerts.plugin, pytest_iotcerts; "
        "heavy = [m for m in ('botocore', 'cryptography', 'responses', 'boto3') "
        "if m in sys.modules]; print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr
