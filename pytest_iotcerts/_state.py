"""State of the emulated service, per account and region.

One re-entrant lock guards the whole store. It is held only while reading or changing state, never
around key generation or signing: handlers do their crypto first and take the lock to record it.
Lookups by id are dict lookups, so they do not grow with the number of certificates.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from . import _crypto
from ._partitions import iot_arn


class Certificate:
    """A certificate the emulated service holds. ``status`` and attachments are live."""

    def __init__(
        self,
        *,
        certificate: x509.Certificate,
        account_id: str,
        region: str,
        status: str,
        operation: str,
        csr: x509.CertificateSigningRequest | None = None,
        private_key: rsa.RSAPrivateKey | None = None,
        ca_certificate_id: str | None = None,
        certificate_mode: str = "DEFAULT",
        created: dt.datetime | None = None,
    ) -> None:
        self.certificate = certificate
        self.pem = _crypto.to_pem(certificate)
        self.certificate_id = _crypto.certificate_id(certificate)
        self.account_id = account_id
        self.region = region
        self.status = status
        self.operation = operation
        self.csr = csr
        self.private_key = private_key
        self.ca_certificate_id = ca_certificate_id
        self.certificate_mode = certificate_mode
        self.creation_date = created or now()
        self.last_modified_date = self.creation_date
        self.customer_version = 1
        self.generation_id = str(uuid.uuid4())
        self.owned_by = account_id
        self.previous_owned_by: str | None = None
        self.transfer_data: dict[str, Any] = {}
        self.things: set[str] = set()
        self.policies: set[str] = set()
        self.sequence = next(_sequence)

    @property
    def arn(self) -> str:
        return iot_arn(self.region, self.account_id, f"cert/{self.certificate_id}")

    @property
    def private_key_pem(self) -> str | None:
        return None if self.private_key is None else _crypto.private_key_pem(self.private_key)

    @property
    def public_key_pem(self) -> str:
        return _crypto.public_key_pem(self.certificate.public_key())  # type: ignore[arg-type]

    def touch(self) -> None:
        self.last_modified_date = now()
        self.customer_version += 1

    def description(self) -> dict[str, Any]:
        """The CertificateDescription shape of DescribeCertificate."""
        description: dict[str, Any] = {
            "certificateArn": self.arn,
            "certificateId": self.certificate_id,
            "caCertificateId": self.ca_certificate_id,
            "status": self.status,
            "certificatePem": self.pem,
            "ownedBy": self.owned_by,
            "previousOwnedBy": self.previous_owned_by,
            "creationDate": self.creation_date,
            "lastModifiedDate": self.last_modified_date,
            "customerVersion": self.customer_version,
            "transferData": dict(self.transfer_data),
            "generationId": self.generation_id,
            "validity": {
                "notBefore": self.certificate.not_valid_before_utc,
                "notAfter": self.certificate.not_valid_after_utc,
            },
            "certificateMode": self.certificate_mode,
        }
        return description

    def summary(self) -> dict[str, Any]:
        """The Certificate shape of ListCertificates."""
        return {
            "certificateArn": self.arn,
            "certificateId": self.certificate_id,
            "status": self.status,
            "certificateMode": self.certificate_mode,
            "creationDate": self.creation_date,
        }

    def __repr__(self) -> str:
        return (
            f"<Certificate {self.certificate_id[:12]}... {self.status} "
            f"{self.account_id}/{self.region} via {self.operation}>"
        )


_sequence = itertools.count(1)


class Sequenced(Protocol):
    sequence: int


T = TypeVar("T", bound=Sequenced)


def now() -> dt.datetime:
    """Millisecond precision, as the service keeps and returns its timestamps."""
    moment = dt.datetime.now(dt.timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class CACertificate:
    """A CA certificate registered with RegisterCACertificate."""

    def __init__(
        self,
        *,
        certificate: x509.Certificate,
        account_id: str,
        region: str,
        status: str,
        auto_registration: bool,
        certificate_mode: str,
        registration_config: dict[str, Any] | None,
    ) -> None:
        self.certificate = certificate
        self.pem = _crypto.to_pem(certificate)
        self.certificate_id = _crypto.certificate_id(certificate)
        self.account_id = account_id
        self.region = region
        self.status = status
        self.auto_registration_status = "ENABLE" if auto_registration else "DISABLE"
        self.certificate_mode = certificate_mode
        self.registration_config = registration_config
        self.creation_date = self.last_modified_date = now()
        self.customer_version = 1
        self.generation_id = str(uuid.uuid4())
        self.sequence = next(_sequence)

    @property
    def arn(self) -> str:
        return iot_arn(self.region, self.account_id, f"cacert/{self.certificate_id}")

    def touch(self) -> None:
        self.last_modified_date = now()
        self.customer_version += 1

    def description(self) -> dict[str, Any]:
        return {
            "certificateArn": self.arn,
            "certificateId": self.certificate_id,
            "status": self.status,
            "certificatePem": self.pem,
            "ownedBy": self.account_id,
            "creationDate": self.creation_date,
            "autoRegistrationStatus": self.auto_registration_status,
            "lastModifiedDate": self.last_modified_date,
            "customerVersion": self.customer_version,
            "generationId": self.generation_id,
            "validity": {
                "notBefore": self.certificate.not_valid_before_utc,
                "notAfter": self.certificate.not_valid_after_utc,
            },
            "certificateMode": self.certificate_mode,
        }

    def summary(self) -> dict[str, Any]:
        return {
            "certificateArn": self.arn,
            "certificateId": self.certificate_id,
            "status": self.status,
            "creationDate": self.creation_date,
        }

    def __repr__(self) -> str:
        return f"<CACertificate {self.certificate_id[:12]}... {self.status}>"


class Thing:
    def __init__(
        self,
        *,
        name: str,
        account_id: str,
        region: str,
        thing_type_name: str | None = None,
        attributes: dict[str, str] | None = None,
        billing_group_name: str | None = None,
    ) -> None:
        self.name = name
        self.thing_id = str(uuid.uuid4())
        self.account_id = account_id
        self.region = region
        self.thing_type_name = thing_type_name
        self.attributes = dict(attributes or {})
        self.billing_group_name = billing_group_name
        self.version = 1
        # principal -> attachment order, and whether it is attached as EXCLUSIVE_THING
        self.principals: dict[str, int] = {}
        self.exclusive: dict[str, bool] = {}
        self.sequence = next(_sequence)

    @property
    def arn(self) -> str:
        return iot_arn(self.region, self.account_id, f"thing/{self.name}")

    def __repr__(self) -> str:
        return f"<Thing {self.name} principals={list(self.principals)}>"


class Policy:
    def __init__(self, *, name: str, document: str, account_id: str, region: str) -> None:
        self.name = name
        self.document = document
        self.account_id = account_id
        self.region = region
        self.creation_date = self.last_modified_date = now()
        self.generation_id = str(uuid.uuid4())
        self.default_version_id = "1"
        # target (certificate ARN, Cognito identity, thing group ARN) -> attachment order
        self.targets: dict[str, int] = {}
        self.sequence = next(_sequence)

    @property
    def arn(self) -> str:
        return iot_arn(self.region, self.account_id, f"policy/{self.name}")

    def __repr__(self) -> str:
        return f"<Policy {self.name} targets={list(self.targets)}>"


@dataclass
class Transfer:
    """The latest transfer of a certificate, kept after it finished so late calls can be told."""

    certificate_id: str
    region: str
    source_account_id: str
    target_account_id: str
    state: str = "PENDING"  # PENDING, ACCEPTED, REJECTED, CANCELLED


def next_sequence() -> int:
    return next(_sequence)


@dataclass
class RegionState:
    """What one account holds in one region."""

    account_id: str
    region: str
    certificates: dict[str, Certificate] = field(default_factory=dict)
    ca_certificates: dict[str, CACertificate] = field(default_factory=dict)
    things: dict[str, Thing] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    registration_code: str = field(default_factory=lambda: secrets.token_hex(32))


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._regions: dict[tuple[str, str], RegionState] = {}
        # Every live certificate, in issue order, across accounts and regions.
        self._all: dict[int, Certificate] = {}
        self.transfers: dict[tuple[str, str], Transfer] = {}

    def region(self, account_id: str, region: str) -> RegionState:
        with self.lock:
            key = (account_id, region)
            state = self._regions.get(key)
            if state is None:
                state = self._regions[key] = RegionState(account_id, region)
            return state

    def add_certificate(self, certificate: Certificate) -> None:
        with self.lock:
            state = self.region(certificate.account_id, certificate.region)
            state.certificates[certificate.certificate_id] = certificate
            self._all[certificate.sequence] = certificate

    def remove_certificate(self, certificate: Certificate) -> None:
        with self.lock:
            state = self.region(certificate.account_id, certificate.region)
            state.certificates.pop(certificate.certificate_id, None)
            self._all.pop(certificate.sequence, None)

    def find(
        self, certificate_id: str, *, account_id: str | None = None, region: str | None = None
    ) -> Certificate | None:
        """First match in issue order; one dict lookup per account and region held."""
        with self.lock:
            matches = [
                state.certificates[certificate_id]
                for state in self._regions.values()
                if certificate_id in state.certificates
                and account_id in (None, state.account_id)
                and region in (None, state.region)
            ]
        return min(matches, key=lambda c: c.sequence, default=None)

    def move_certificate(self, certificate: Certificate, account_id: str) -> None:
        """Hand a certificate to another account (an accepted transfer)."""
        with self.lock:
            self.region(certificate.account_id, certificate.region).certificates.pop(
                certificate.certificate_id, None
            )
            certificate.account_id = account_id
            self.region(account_id, certificate.region).certificates[certificate.certificate_id] = (
                certificate
            )

    def all_certificates(self) -> list[Certificate]:
        with self.lock:
            return list(self._all.values())

    def collect(self, pick: Callable[[RegionState], Iterable[T]]) -> list[T]:
        """What ``pick`` takes from every account and region, in creation order."""
        with self.lock:
            found = [item for state in self._regions.values() for item in pick(state)]
        return sorted(found, key=lambda item: item.sequence)

    def regions(self) -> Iterator[RegionState]:
        with self.lock:
            yield from list(self._regions.values())
