"""The resources the emulated service holds: certificates, CA certificates, things, policies.

They are plain records with live state. Their links to each other (a certificate's things, a
policy's targets) are read from the account's ``Links``, the one place links are kept. Wire
shapes (DescribeCertificate's description, say) are built by the handlers, not here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from .._aws.clock import timestamp
from .._aws.partitions import iot_arn
from .._x509 import crypto
from .links import Links, Relation, next_sequence

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


class _NamedResource:
    """What the registry's named resources share: a name unique in the account and region, an
    ARN made of it, and the account's links."""

    _arn_kind = ""

    def __init__(self, name: str, *, account_id: str, region: str, links: Links) -> None:
        self.name = name
        self.account_id = account_id
        self.region = region
        self.sequence = next_sequence()
        self._links = links

    @property
    def arn(self) -> str:
        return iot_arn(self.region, self.account_id, f"{self._arn_kind}/{self.name}")


class Thing(_NamedResource):
    """A thing in the registry; ``principals`` are the certificates (ARNs) attached to it."""

    _arn_kind = "thing"

    def __init__(
        self,
        name: str,
        *,
        account_id: str,
        region: str,
        links: Links,
        thing_type_name: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.thing_id = str(uuid.uuid4())
        self.thing_type_name = thing_type_name
        self.attributes = dict(attributes or {})
        self.version = 1

    @property
    def principals(self) -> list[str]:
        """Principal ARNs attached to this thing, in attachment order."""
        return self._links.thing_principals.rights(self.name)

    @property
    def thing_groups(self) -> list[str]:
        """Names of the static thing groups the thing is in, in the order it was added."""
        return self._links.group_things.lefts(self.name)

    @property
    def billing_group_name(self) -> str | None:
        """The billing group the thing is in (at most one)."""
        return next(iter(self._links.billing_things.lefts(self.name)), None)

    def __repr__(self) -> str:
        return f"<Thing {self.name} principals={self.principals}>"


@dataclass
class PolicyVersion:
    """One version of a policy's document."""

    version_id: str
    document: str
    created: dt.datetime = field(default_factory=timestamp)


class Policy(_NamedResource):
    """An IoT policy; ``targets`` are what it is attached to (certificate ARNs, ...), and
    ``versions`` its documents by version id (``document`` is the default version's)."""

    _arn_kind = "policy"

    def __init__(
        self, name: str, document: str, *, account_id: str, region: str, links: Links
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.creation_date = self.last_modified_date = timestamp()
        self.generation_id = str(uuid.uuid4())
        self.versions: dict[str, PolicyVersion] = {"1": PolicyVersion("1", document)}
        self.default_version_id = "1"
        self.last_version_number = 1

    @property
    def document(self) -> str:
        return self.versions[self.default_version_id].document

    @property
    def targets(self) -> list[str]:
        """What the policy is attached to, in attachment order."""
        return self._links.policy_targets.rights(self.name)

    def __repr__(self) -> str:
        return f"<Policy {self.name} v{self.default_version_id} targets={self.targets}>"


class ThingType(_NamedResource):
    """A thing type: searchable attributes, and a lifecycle of deprecation before deletion."""

    _arn_kind = "thingtype"

    def __init__(
        self,
        name: str,
        *,
        account_id: str,
        region: str,
        links: Links,
        properties: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.thing_type_id = str(uuid.uuid4())
        self.properties = dict(properties or {})
        self.creation_date = timestamp()
        self.deprecated = False
        self.deprecation_date: dt.datetime | None = None

    def __repr__(self) -> str:
        return f"<ThingType {self.name}{' (deprecated)' * self.deprecated}>"


class _Group(_NamedResource):
    """What thing groups and billing groups share: properties, a version and things."""

    _members = ""  # the relation in Links that holds the group's things

    def __init__(
        self,
        name: str,
        *,
        account_id: str,
        region: str,
        links: Links,
        properties: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.group_id = str(uuid.uuid4())
        self.properties = dict(properties or {})
        self.version = 1
        self.creation_date = timestamp()

    @property
    def things(self) -> list[str]:
        """Names of the things directly in this group, in the order they were added."""
        relation: Relation[str, str] = getattr(self._links, self._members)
        return relation.rights(self.name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} things={self.things}>"


class ThingGroup(_Group):
    """A static thing group; ``parent_name`` places it in a hierarchy (fixed at creation)."""

    _arn_kind = "thinggroup"
    _members = "group_things"

    def __init__(
        self,
        name: str,
        *,
        parent_name: str | None = None,
        query: dict[str, str] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(name, **details)
        self.parent_name = parent_name
        # A dynamic group's indexName, queryString and queryVersion; None for a static group.
        self.query = query


class BillingGroup(_Group):
    """A billing group: a thing is in at most one."""

    _arn_kind = "billinggroup"
    _members = "billing_things"


class RoleAlias(_NamedResource):
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


class _ConfiguredResource(_NamedResource):
    """A named resource whose configuration is kept as the caller gave it (the members of its
    create and update requests), so it is returned as given."""

    def __init__(
        self, name: str, *, account_id: str, region: str, links: Links, settings: dict[str, Any]
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.settings = dict(settings)


class Authorizer(_ConfiguredResource):
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


class DomainConfiguration(_ConfiguredResource):
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


TERMINAL_EXECUTION_STATUSES = frozenset(
    {"SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT", "REMOVED", "CANCELED"}
)


@dataclass
class JobExecution:
    """One execution of a job on one thing; ``version`` moves on with every change."""

    job_id: str
    thing_name: str
    thing_arn: str
    execution_number: int
    status: str = "QUEUED"
    status_details: dict[str, str] = field(default_factory=dict)
    queued_at: dt.datetime = field(default_factory=timestamp)
    started_at: dt.datetime | None = None
    last_updated_at: dt.datetime = field(default_factory=timestamp)
    version: int = 1
    force_canceled: bool = False
    timeout_at: float | None = None  # on the mock's clock, while IN_PROGRESS with a timeout

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_EXECUTION_STATUSES

    def move_to(self, status: str, details: dict[str, str] | None = None) -> None:
        if status == "IN_PROGRESS" and self.started_at is None:
            self.started_at = timestamp()
        self.status = status
        self.status_details.update(details or {})
        self.last_updated_at = timestamp()
        self.version += 1


class Job(_ConfiguredResource):
    """A job: a document for things (and the things of thing groups) to run, and its
    executions by thing name (a list each: a thing can run a job more than once)."""

    _arn_kind = "job"

    def __init__(self, name: str, **details: Any) -> None:
        super().__init__(name, **details)
        self.status = "IN_PROGRESS"
        self.created_at = self.last_updated_at = timestamp()
        self.completed_at: dt.datetime | None = None
        self.force_canceled = False
        self.reason_code: str | None = None
        self.comment: str | None = None
        self.executions: dict[str, list[JobExecution]] = {}

    @property
    def job_id(self) -> str:
        return self.name

    @property
    def target_selection(self) -> str:
        return str(self.settings.get("targetSelection", "SNAPSHOT"))

    def latest_executions(self) -> list[JobExecution]:
        """The latest execution on each thing, in the order the things were targeted."""
        return [runs[-1] for runs in self.executions.values()]

    def __repr__(self) -> str:
        return f"<Job {self.name} {self.status} things={list(self.executions)}>"


class JobTemplate(_ConfiguredResource):
    """A job template: a job's document and configuration, to create jobs from."""

    _arn_kind = "jobtemplate"

    def __init__(self, name: str, **details: Any) -> None:
        super().__init__(name, **details)
        self.created_at = timestamp()


class TopicRule(_NamedResource):
    """A topic rule: its SQL (checked), actions, and whether it is enabled."""

    _arn_kind = "rule"

    def __init__(
        self,
        name: str,
        *,
        account_id: str,
        region: str,
        links: Links,
        payload: dict[str, Any],
        topic_pattern: str,
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.payload = dict(payload)  # the TopicRulePayload as given
        self.topic_pattern = topic_pattern
        self.created_at = timestamp()

    @property
    def disabled(self) -> bool:
        return bool(self.payload.get("ruleDisabled", False))

    def __repr__(self) -> str:
        return f"<TopicRule {self.name} FROM '{self.topic_pattern}'>"


@dataclass
class ProvisioningTemplateVersion:
    """One version of a provisioning template's body."""

    version_id: int
    body: str
    created: dt.datetime = field(default_factory=timestamp)


class ProvisioningTemplate(_ConfiguredResource):
    """A provisioning template (FLEET_PROVISIONING or JITP): its settings as the caller gave them
    (description, enabled, provisioningRoleArn, preProvisioningHook, type) and its versions."""

    _arn_kind = "provisioningtemplate"

    def __init__(self, name: str, body: str, **details: Any) -> None:
        super().__init__(name, **details)
        self.creation_date = self.last_modified_date = timestamp()
        self.versions = {1: ProvisioningTemplateVersion(1, body)}
        self.default_version_id = 1
        self.last_version_id = 1

    @property
    def body(self) -> str:
        return self.versions[self.default_version_id].body

    @property
    def enabled(self) -> bool:
        return bool(self.settings.get("enabled", False))

    @property
    def type(self) -> str:
        return str(self.settings.get("type") or "FLEET_PROVISIONING")

    def __repr__(self) -> str:
        return f"<ProvisioningTemplate {self.name} v{self.default_version_id} {self.type}>"
