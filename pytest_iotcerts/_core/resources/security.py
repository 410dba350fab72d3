"""Role aliases, custom authorizers and domain configurations."""

from __future__ import annotations

import uuid
from typing import Any

from ..._aws.clock import timestamp
from ..._aws.public import public
from ..links import Links
from ._named import ConfiguredResource, NamedResource


@public
class RoleAlias(NamedResource):
    """A role alias: what devices name to get the IAM role's credentials from the credentials
    provider endpoint."""

    _arn_kind = "rolealias"

    def __init__(
        self,
        name: str,
        *,
        account_id: str,
        region: str,
        links: Links,
        role_arn: str,
        credential_duration_seconds: int,
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.role_arn = role_arn
        self.credential_duration_seconds = credential_duration_seconds
        self.creation_date = self.last_modified_date = timestamp()

    def __repr__(self) -> str:
        return f"<RoleAlias {self.name} -> {self.role_arn}>"


@public
class Authorizer(ConfiguredResource):
    """A custom authorizer: a Lambda function that authenticates devices, and the public keys
    that check the token's signature (unless signing is disabled)."""

    _arn_kind = "authorizer"

    def __init__(self, name: str, **details: Any) -> None:
        super().__init__(name, **details)
        self.creation_date = self.last_modified_date = timestamp()

    @property
    def status(self) -> str:
        return str(self.settings.get("status", "ACTIVE"))

    def __repr__(self) -> str:
        return f"<Authorizer {self.name} {self.status}>"


@public
class DomainConfiguration(ConfiguredResource):
    """A domain configuration: an endpoint (AWS-managed or the caller's own domain), its TLS and
    authentication settings, ENABLED or DISABLED."""

    _arn_kind = "domainconfiguration"

    def __init__(self, name: str, **details: Any) -> None:
        super().__init__(name, **details)
        self.configuration_id = uuid.uuid4().hex[:5]
        self.status = "ENABLED"
        self.last_status_change_date = timestamp()

    @property
    def arn(self) -> str:
        # AWS adds a short id after the name: ...:domainconfiguration/NAME/ID
        return f"{super().arn}/{self.configuration_id}"

    def __repr__(self) -> str:
        return f"<DomainConfiguration {self.name} {self.status}>"


class CertificateProvider(ConfiguredResource):
    """A certificate provider: the Lambda that signs CSRs for the operations it is the
    account's default for (``CreateCertificateFromCsr``)."""

    _arn_kind = "certprovider"

    def __init__(self, name: str, **details: Any) -> None:
        super().__init__(name, **details)
        self.creation_date = self.last_modified_date = timestamp()

    @property
    def operations(self) -> list[str]:
        return list(self.settings.get("accountDefaultForOperations") or [])

    def __repr__(self) -> str:
        return f"<CertificateProvider {self.name} for {self.operations}>"
