"""The account's encryption configuration (Describe/UpdateEncryptionConfiguration): data at
rest under an AWS-owned KMS key until the account names its own key and the role to use it."""

from __future__ import annotations

from typing import Any

from .._aws.clock import timestamp
from .._aws.errors import invalid_request
from ._scope import Scope
from .security import check_role_arn

TYPES = ("AWS_OWNED_KMS_KEY", "CUSTOMER_MANAGED_KMS_KEY")


class Encryption:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def describe(self) -> dict[str, Any]:
        with self._scope.store.lock:
            return dict(self._scope.state.encryption)

    def update(
        self, encryption_type: str, kms_key_arn: str | None, kms_role_arn: str | None
    ) -> None:
        if encryption_type not in TYPES:
            raise invalid_request(f"encryptionType must be one of {', '.join(TYPES)}.")
        if encryption_type == "CUSTOMER_MANAGED_KMS_KEY":
            if not kms_key_arn or ":kms:" not in kms_key_arn or ":key/" not in kms_key_arn:
                raise invalid_request(
                    "A customer managed key needs kmsKeyArn, the ARN of a KMS key."
                )
            if not kms_role_arn:
                raise invalid_request("A customer managed key needs kmsAccessRoleArn.")
            check_role_arn(kms_role_arn)
        configured: dict[str, Any] = {
            "encryptionType": encryption_type,
            "configurationDetails": {"configurationStatus": "HEALTHY"},
            "lastModifiedDate": timestamp(),
        }
        if encryption_type == "CUSTOMER_MANAGED_KMS_KEY":
            configured.update(kmsKeyArn=kms_key_arn, kmsAccessRoleArn=kms_role_arn)
        with self._scope.store.lock:
            self._scope.state.encryption = configured
