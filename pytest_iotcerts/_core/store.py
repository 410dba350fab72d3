"""Where the emulated service keeps its resources, per account and region.

One re-entrant lock guards the whole store. It is held only while reading or changing state, never
around key generation or signing: the service layer does its crypto first and takes the lock to
record it. Lookups by id are dict lookups, so they do not grow with the number of certificates.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from .._aws.clock import timestamp
from .._engines.shadows import Shadow
from .events import Events
from .links import Links
from .ordered import Ordered, Registry, Sorted
from .resources import (
    Authorizer,
    BillingGroup,
    CACertificate,
    Certificate,
    CertificateProvider,
    Command,
    CommandExecution,
    DomainConfiguration,
    FleetMetric,
    FleetMetricDatum,
    Job,
    JobExecution,
    JobTemplate,
    Policy,
    ProvisioningTemplate,
    RegistrationTask,
    RetainedMessage,
    RoleAlias,
    RuleRun,
    SoftwarePackage,
    Thing,
    ThingGroup,
    ThingType,
    TopicRule,
    TopicRuleDestination,
)
from .thing_index import ThingRegistry


class Sequenced(Protocol):
    sequence: int


T = TypeVar("T", bound=Sequenced)


@dataclass
class Transfer:
    """The latest transfer of a certificate, kept after it finished so late calls can be told."""

    certificate_id: str
    region: str
    source_account_id: str
    target_account_id: str
    state: str = "PENDING"  # PENDING, ACCEPTED, REJECTED, CANCELLED


@dataclass(frozen=True)
class Connectivity:
    """A client id's latest connection, as fleet indexing and GetThingConnectivityData show it
    (a thing's is the client id of its name)."""

    connected: bool
    timestamp: int  # epoch milliseconds
    disconnect_reason: str | None = None


# The event types of UpdateEventConfigurations (botocore's EventType).
EVENT_TYPES = (
    "THING",
    "THING_GROUP",
    "THING_TYPE",
    "THING_GROUP_MEMBERSHIP",
    "THING_GROUP_HIERARCHY",
    "THING_TYPE_ASSOCIATION",
    "JOB",
    "JOB_EXECUTION",
    "POLICY",
    "CERTIFICATE",
    "CA_CERTIFICATE",
)


@dataclass
class EventSettings:
    """UpdateEventConfigurations' settings: every type off until enabled."""

    enabled: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(EVENT_TYPES, False))
    created: dt.datetime = field(default_factory=timestamp)
    modified: dt.datetime = field(default_factory=timestamp)


@dataclass
class LoggingSettings:
    """Set/GetLoggingOptions (v1) and the v2 options and log levels by (target type, name)."""

    v1: dict[str, str] | None = None
    v2: dict[str, Any] | None = None
    levels: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class RegionState:
    """What one account holds in one region."""

    account_id: str
    region: str
    certificates: dict[str, Certificate] = field(default_factory=dict)
    certificates_in_issue_order: Ordered[Certificate] = field(default_factory=Ordered)
    # CA certificate id -> the certificates it signed, in issue order (ListCertificatesByCA)
    certificates_by_ca: dict[str, Ordered[Certificate]] = field(default_factory=dict)
    ca_certificates: dict[str, CACertificate] = field(default_factory=dict)
    things: ThingRegistry[Thing] = field(default_factory=ThingRegistry)
    policies: Registry[Policy] = field(default_factory=Registry)
    thing_types: Registry[ThingType] = field(default_factory=Registry)
    thing_groups: Registry[ThingGroup] = field(default_factory=Registry)
    billing_groups: Registry[BillingGroup] = field(default_factory=Registry)
    role_aliases: Registry[RoleAlias] = field(default_factory=Registry)
    authorizers: Registry[Authorizer] = field(default_factory=Registry)
    default_authorizer: str | None = None
    domain_configurations: Registry[DomainConfiguration] = field(default_factory=Registry)
    jobs: Registry[Job] = field(default_factory=Registry)
    # thing name -> the latest execution of each job on it, in the order they were queued
    # (ListJobExecutionsForThing, the device's pending jobs); the jobs the mock's clock can
    # still change (rolling out, scheduled, or with a timeout running)
    executions_of_thing: dict[str, Ordered[JobExecution]] = field(default_factory=dict)
    # thing name -> those of them still QUEUED or IN_PROGRESS (what the device is told of)
    pending_of_thing: dict[str, Ordered[JobExecution]] = field(default_factory=dict)
    jobs_in_motion: dict[str, Job] = field(default_factory=dict)
    job_templates: Registry[JobTemplate] = field(default_factory=Registry)
    topic_rules: Registry[TopicRule] = field(default_factory=Registry)
    provisioning_templates: Registry[ProvisioningTemplate] = field(default_factory=Registry)
    certificate_providers: dict[str, CertificateProvider] = field(default_factory=dict)
    # bulk registration: its tasks by id, and the S3 objects the test hands the mock when moto
    # is not there to hold them ((bucket, key) -> bytes)
    registration_tasks: dict[str, RegistrationTask] = field(default_factory=dict)
    s3_objects: dict[tuple[str, str], bytes] = field(default_factory=dict)
    # provider name -> the test's stand-in for the certificate provider's Lambda
    provider_functions: dict[str, Callable[[dict[str, Any]], Any]] = field(default_factory=dict)
    # authorizer name -> the test's stand-in for the custom authorizer's Lambda
    authorizer_functions: dict[str, Callable[[dict[str, Any]], Any]] = field(default_factory=dict)
    # template name -> the test's stand-in for the template's pre-provisioning hook (a Lambda)
    pre_provisioning_hooks: dict[str, Callable[[dict[str, Any]], Any]] = field(default_factory=dict)
    # certificate ownership tokens of fleet provisioning -> (the certificate id each is bound to,
    # when it was issued on the mock's clock)
    ownership_tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    # UpdateIndexingConfiguration's two members, as last set (indexing is off until then)
    indexing: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            "thingIndexingConfiguration": {"thingIndexingMode": "OFF"},
            "thingGroupIndexingConfiguration": {"thingGroupIndexingMode": "OFF"},
        }
    )
    fleet_metrics: Registry[FleetMetric] = field(default_factory=Registry)
    # the Software Package Catalog: packages (each with its versions), and whether jobs that
    # succeed update their things' $package shadow (GetPackageConfiguration)
    packages: Registry[SoftwarePackage] = field(default_factory=Registry)
    package_configuration: dict[str, Any] = field(default_factory=lambda: {"enabled": False})
    # every data point the fleet metrics emitted, oldest first
    fleet_metric_data: list[FleetMetricDatum] = field(default_factory=list)
    event_settings: EventSettings = field(default_factory=EventSettings)
    # client id -> the version number of its latest lifecycle (connection) events
    lifecycle_versions: dict[str, int] = field(default_factory=dict)
    connectivity: dict[str, Connectivity] = field(default_factory=dict)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    # resource ARN -> its tags
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    # the data plane: shadows by (thing name, shadow name; "" for the classic shadow), the
    # version and time (mock's clock) of shadows deleted lately, retained messages by topic
    shadows: dict[tuple[str, str], Shadow] = field(default_factory=dict)
    deleted_shadows: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    retained: Sorted[RetainedMessage] = field(default_factory=Sorted)
    # thing name -> its named shadows by name (also in ``shadows``), for its list of them
    named_shadows: dict[str, Sorted[Shadow]] = field(default_factory=dict)
    # every message a rule selected, and what its actions did
    rule_runs: list[RuleRun] = field(default_factory=list)
    rule_destinations: dict[str, TopicRuleDestination] = field(default_factory=dict)
    # commands by id; their executions by execution id
    commands: dict[str, Command] = field(default_factory=dict)
    command_executions: Registry[CommandExecution] = field(default_factory=Registry)
    # (client token, command ARN, target ARN) -> the execution it started (an idempotent start)
    command_tokens: dict[tuple[str, str, str], CommandExecution] = field(default_factory=dict)
    destination_confirmations: list[dict[str, str]] = field(default_factory=list)
    # function name or ARN -> the test's stand-in for a Lambda that rules' actions invoke
    lambda_functions: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    # thing name -> what the jobs MQTT API last told it (pending job ids, the next execution)
    jobs_notified: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    links: Links = field(default_factory=Links)
    registration_code: str = field(default_factory=lambda: secrets.token_hex(32))
    # Describe/UpdateEncryptionConfiguration: AWS-owned keys until the account names its own
    encryption: dict[str, Any] = field(
        default_factory=lambda: {
            "encryptionType": "AWS_OWNED_KMS_KEY",
            "configurationDetails": {"configurationStatus": "HEALTHY"},
        }
    )

    def hold_certificate(self, certificate: Certificate) -> None:
        """Keep a certificate here, in each order it is listed by."""
        self.certificates[certificate.certificate_id] = certificate
        self.certificates_in_issue_order.add(certificate.sequence, certificate)
        if certificate.ca_certificate_id is not None:
            signed = self.certificates_by_ca.setdefault(certificate.ca_certificate_id, Ordered())
            signed.add(certificate.sequence, certificate)
        certificate._links = self.links

    def drop_certificate(self, certificate: Certificate) -> None:
        self.certificates.pop(certificate.certificate_id, None)
        self.certificates_in_issue_order.discard(certificate.sequence)
        signed = self.certificates_by_ca.get(certificate.ca_certificate_id or "")
        if signed is not None:
            signed.discard(certificate.sequence)


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._regions: dict[tuple[str, str], RegionState] = {}
        # Every live certificate, in issue order, across accounts and regions.
        self._all: dict[int, Certificate] = {}
        self.transfers: dict[tuple[str, str], Transfer] = {}
        self.events = Events()
        # Goes up whenever a certificate or CA certificate is added, removed or moved: what a
        # TLS door trusts is rebuilt only when it changed.
        self.version = 0

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
            state.hold_certificate(certificate)
            self._all[certificate.sequence] = certificate
            self.version += 1

    def remove_certificate(self, certificate: Certificate) -> None:
        """Forget a certificate and every link it had."""
        with self.lock:
            state = self.region(certificate.account_id, certificate.region)
            state.links.thing_principals.drop_right(certificate.arn)
            state.links.policy_targets.drop_right(certificate.arn)
            state.drop_certificate(certificate)
            self._all.pop(certificate.sequence, None)
            self.version += 1

    def move_certificate(self, certificate: Certificate, account_id: str) -> None:
        """Hand a certificate (without links: a transfer needs none) to another account."""
        with self.lock:
            source = self.region(certificate.account_id, certificate.region)
            source.drop_certificate(certificate)
            certificate.account_id = account_id
            self.region(account_id, certificate.region).hold_certificate(certificate)
            self.version += 1

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

    def all_certificates(self) -> list[Certificate]:
        with self.lock:
            return list(self._all.values())

    def collect(self, pick: Callable[[RegionState], Iterable[T]]) -> list[T]:
        """What ``pick`` takes from every account and region, in creation order."""
        with self.lock:
            found = [item for state in self._regions.values() for item in pick(state)]
        return sorted(found, key=lambda item: item.sequence)
