"""What every part of the service layer shares: the caller's account and region, the store, the CA,
and lookups that raise the modeled error when a resource does not exist."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cryptography import x509

from .._aws.errors import invalid_request, not_found
from .._core.links import Links
from .._core.resources import BillingGroup, Certificate, Policy, Thing, ThingGroup, ThingType
from .._core.store import RegionState, Store
from .._x509.crypto import CertificateAuthority
from .._x509.keys import KeySource, key_source

CERTIFICATE_ARN = re.compile(
    r"^arn:aws[a-z-]*:iot:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):cert/(?P<id>[0-9a-fA-F]{64})$"
)

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """One account in one region, as the service layer sees it."""

    store: Store
    ca: CertificateAuthority
    account_id: str
    region: str
    clock: Callable[[], float] = time.monotonic  # the mock's: timeouts run on it
    keys: KeySource = field(default_factory=key_source)  # CreateKeysAndCertificate's keys

    @property
    def state(self) -> RegionState:
        return self.store.region(self.account_id, self.region)

    @property
    def links(self) -> Links:
        return self.state.links

    @property
    def placement(self) -> dict[str, Any]:
        """Where a new named resource lives: ``Thing(name, **scope.placement, ...)``."""
        return {"account_id": self.account_id, "region": self.region, "links": self.links}

    def new_certificate(
        self, certificate: x509.Certificate, *, status: str, operation: str, **details: Any
    ) -> Certificate:
        """A record of ``certificate`` in this account and region (not held yet)."""
        return Certificate(
            certificate,
            account_id=self.account_id,
            region=self.region,
            status=status,
            operation=operation,
            **details,
        )

    def certificates_changed(self) -> None:
        """Tell the doors a status changed, so live connections are checked (call it after
        releasing the store's lock)."""
        self.store.events.certificates_changed(self.account_id, self.region)

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Publish an event as AWS IoT, in this account and region."""
        self.store.events.publish(self.account_id, self.region, topic, payload)

    def certificate(self, certificate_id: str) -> Certificate:
        """The caller's certificate, or ResourceNotFoundException."""
        certificate = self.state.certificates.get(certificate_id.lower())
        if certificate is None:
            raise not_found(
                f"The certificate {certificate_id} does not exist in account "
                f"{self.account_id}, region {self.region}."
            )
        return certificate

    def certificate_for_principal(self, principal: str) -> Certificate | None:
        """The caller's certificate a principal ARN names; None for other kinds of principal
        (Cognito identities, thing groups); ResourceNotFoundException for an unknown certificate."""
        found = CERTIFICATE_ARN.match(principal)
        if found is None:
            if ":cert/" in principal:
                raise invalid_request(f"'{principal}' is not a valid certificate ARN.")
            return None
        certificate = self.state.certificates.get(found.group("id").lower())
        if certificate is None or (found.group("account"), found.group("region")) != (
            self.account_id,
            self.region,
        ):
            raise not_found(
                f"The certificate {principal} does not exist in account {self.account_id}, "
                f"region {self.region}."
            )
        return certificate

    def thing(self, name: str) -> Thing:
        return _named(self.state.things, name, "thing")

    def thing_type(self, name: str) -> ThingType:
        return _named(self.state.thing_types, name, "thing type")

    def thing_group(self, name: str) -> ThingGroup:
        return _named(self.state.thing_groups, name, "thing group")

    def billing_group(self, name: str) -> BillingGroup:
        return _named(self.state.billing_groups, name, "billing group")

    def policy(self, name: str) -> Policy:
        return _named(self.state.policies, name, "policy")


def _named(held: dict[str, T], name: str, kind: str) -> T:
    """The resource called ``name``, or ResourceNotFoundException naming its kind."""
    found = held.get(name)
    if found is None:
        raise not_found(f"The {kind} {name} does not exist.")
    return found
