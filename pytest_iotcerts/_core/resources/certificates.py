"""Device certificates and CA certificates: the X.509 certificate, its id, ARN and status."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from ..._aws.clock import timestamp
from ..._aws.partitions import iot_arn
from ..._aws.public import public
from ..._x509 import crypto
from ..links import Links, next_sequence

_NO_LINKS = Links()


class _X509Resource:
    """What a device certificate and a CA certificate share: the X.509 certificate, its id and
    ARN, a status, and the versioned timestamps every update moves on."""

    _arn_kind = "cert"

    def __init__(
        self, certificate: x509.Certificate, *, account_id: str, region: str, status: str
    ) -> None:
        self.certificate = certificate
        self.pem = crypto.to_pem(certificate)
        self.certificate_id = crypto.certificate_id(certificate)
        self.account_id = account_id
        self.region = region
        self.status = status
        self.certificate_mode = "DEFAULT"
        self.creation_date = self.last_modified_date = timestamp()
        self.customer_version = 1
        self.generation_id = str(uuid.uuid4())
        self.sequence = next_sequence()

    @property
    def arn(self) -> str:
        return iot_arn(self.region, self.account_id, f"{self._arn_kind}/{self.certificate_id}")

    @property
    def not_before(self) -> dt.datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    def touch(self) -> None:
        """Record an update: a new last-modified date and customer version."""
        self.last_modified_date = timestamp()
        self.customer_version += 1


@public
class Certificate(_X509Resource):
    """A device certificate the emulated service holds. ``status`` and links are live."""

    def __init__(
        self,
        certificate: x509.Certificate,
        *,
        account_id: str,
        region: str,
        status: str,
        operation: str,
        csr: x509.CertificateSigningRequest | None = None,
        private_key: rsa.RSAPrivateKey | None = None,
        ca_certificate_id: str | None = None,
        provisioning_template: str | None = None,
    ) -> None:
        super().__init__(certificate, account_id=account_id, region=region, status=status)
        self.operation = operation
        # a claim certificate (CreateProvisioningClaim) provisions with this template only
        self.provisioning_template = provisioning_template
        self.csr = csr
        self.private_key = private_key
        self.ca_certificate_id = ca_certificate_id
        self.owned_by = account_id
        self.previous_owned_by: str | None = None
        self.transfer_data: dict[str, Any] = {}
        self._links = _NO_LINKS  # the account's links, once the certificate is held

    @property
    def private_key_pem(self) -> str | None:
        return None if self.private_key is None else crypto.private_key_pem(self.private_key)

    @property
    def public_key_pem(self) -> str:
        return crypto.public_key_pem(self.certificate.public_key())  # type: ignore[arg-type]

    @property
    def things(self) -> frozenset[str]:
        """Names of the things this certificate is attached to."""
        return frozenset(self._links.thing_principals.lefts(self.arn))

    @property
    def policies(self) -> frozenset[str]:
        """Names of the policies attached to this certificate."""
        return frozenset(self._links.policy_targets.lefts(self.arn))

    def __repr__(self) -> str:
        return (
            f"<Certificate {self.certificate_id[:12]}... {self.status} "
            f"{self.account_id}/{self.region} via {self.operation}>"
        )


@public
class CACertificate(_X509Resource):
    """A CA certificate registered with RegisterCACertificate."""

    _arn_kind = "cacert"

    def __init__(
        self,
        certificate: x509.Certificate,
        *,
        account_id: str,
        region: str,
        status: str,
        auto_registration: bool = False,
        certificate_mode: str = "DEFAULT",
        registration_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(certificate, account_id=account_id, region=region, status=status)
        self.auto_registration_status = "ENABLE" if auto_registration else "DISABLE"
        self.certificate_mode = certificate_mode
        self.registration_config = registration_config

    def __repr__(self) -> str:
        return f"<CACertificate {self.certificate_id[:12]}... {self.status}>"
