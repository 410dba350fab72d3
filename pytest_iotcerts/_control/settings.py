"""The settings of a mock, in one place.

ini options (suite defaults), command-line options, ``@pytest.mark.iot_certs(...)`` markers and
``mock_iot(...)`` arguments all build this one frozen dataclass; each field's metadata is its
help text, so the plugin registers every option from here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .._aws.public import public

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
UNEMULATED_CHOICES = ("warn", "fail")


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@public
@dataclass(frozen=True)
class Settings:
    account_id: str = _setting(
        DEFAULT_ACCOUNT_ID, "AWS account of IoT calls whose access key maps to no other account."
    )
    region: str = _setting(DEFAULT_REGION, "Default region set in the environment while active.")
    sleep_on_retry: bool = _setting(
        False, "Let botocore really sleep between retries of IoT calls (default: skip the sleep)."
    )
    strict_faults: bool = _setting(
        False, "Fail a test whose fault rules with a times= count did not all fire fully."
    )
    aws_quotas: bool = _setting(
        False, "Rate-limit every IoT operation at AWS's published per-operation quota."
    )
    verify_signatures: bool = _setting(
        False,
        "Check each request's SigV4 signature against the fake credentials the mock hands out "
        "(a wrong secret or a stale signature gets AWS's 403).",
    )
    mqtt_policies: bool = _setting(
        False,
        "Evaluate the policies attached to a device's certificate (and its thing's groups) at "
        "the MQTT endpoint: iot:Connect, iot:Publish, iot:Subscribe, iot:Receive, with policy "
        "variables (default: an admitted device may do anything).",
    )

    key_bank: str = _setting(
        "",
        "Where CreateKeysAndCertificate's RSA keys are kept between runs (each used at most once "
        "per run): a directory, '' for $PYTEST_IOTCERTS_KEY_BANK or the user cache directory, "
        "or 'off' for fresh keys only with nothing written.",
    )
    unemulated: str = _setting(
        "warn",
        "What a call of an IoT operation not emulated yet does at teardown: 'warn' (an "
        "IotCertsWarning) or 'fail' (the test fails, naming each such operation).",
    )

    def __post_init__(self) -> None:
        check_account_id(self.account_id)
        if not isinstance(self.region, str) or not self.region:
            raise ValueError(
                f"region must be a region name such as 'us-east-1', not {self.region!r}"
            )
        if not isinstance(self.key_bank, str):
            raise ValueError(f"key_bank must be a directory, '' or 'off', not {self.key_bank!r}")
        if self.unemulated not in UNEMULATED_CHOICES:
            raise ValueError(
                f"unemulated must be one of {', '.join(UNEMULATED_CHOICES)}, "
                f"not {self.unemulated!r}"
            )
        for item in dataclasses.fields(self):
            if isinstance(item.default, bool) and not isinstance(getattr(self, item.name), bool):
                raise ValueError(
                    f"{item.name} must be True or False, not {getattr(self, item.name)!r}"
                )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(item.name for item in dataclasses.fields(cls))

    @classmethod
    def fields(cls) -> tuple[dataclasses.Field[Any], ...]:
        return dataclasses.fields(cls)

    def updated(self, **changes: Any) -> Settings:
        """A copy with ``changes``; ValueError naming an unknown setting."""
        unknown = sorted(set(changes) - set(self.names()))
        if unknown:
            raise ValueError(
                f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(self.names())}"
            )
        return dataclasses.replace(self, **changes)


def check_account_id(account_id: object) -> None:
    if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
        raise ValueError(f"an AWS account id is 12 digits, got {account_id!r}")
