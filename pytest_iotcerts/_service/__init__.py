"""The service layer: AWS IoT's domain operations, for one account in one region.

Each part applies AWS's rules and changes state under the store's lock, with typed arguments and
results. The doors (botocore, ``responses``, the loopback server) reach it through the router and
the wire handlers in ``_operations``; the controller's seeding calls it directly. It knows nothing
of HTTP. Adding an operation is one method here plus one small handler there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property

from .._core.store import Store
from .._x509.crypto import CertificateAuthority
from .._x509.keys import KeySource, key_source
from . import fleet_changes
from ._scope import Scope
from .authorization import Authorization
from .bulk_registration import BulkRegistration
from .certificate_providers import CertificateProviders
from .certificates import Certificates
from .commands import Commands
from .connections import Connections
from .custom_auth import CustomAuthentication
from .domains import DomainConfigurations
from .encryption import Encryption
from .endpoints import Endpoints
from .events import EventConfigurations, RegistryEvents
from .fleet_metrics import FleetMetrics
from .groups import BillingGroups, ThingGroups
from .index_aggregations import Aggregations
from .indexing import Indexing
from .job_executions import JobExecutions
from .jobs import Jobs, JobTemplates
from .jobs_mqtt import JobsMqtt
from .logging import Logging
from .messages import Messages
from .packages import Packages
from .policies import Policies
from .provisioning import Provisioning
from .provisioning_templates import ProvisioningTemplates
from .registration import CACertificates, Registration
from .rule_destinations import RuleDestinations
from .rules import TopicRules
from .rules_engine import RulesEngine
from .security import Authorizers, RoleAliases
from .shadows import Shadows
from .tags import Tags
from .thing_types import ThingTypes
from .things import Things
from .transfers import Transfers

__all__ = ["IotService", "Scope"]

# Groups and things tell of new members; CONTINUOUS jobs queue them.
fleet_changes.on_thing_joined(lambda scope, group, thing: Jobs(scope).thing_joined(group, thing))
fleet_changes.on_thing_changed(lambda scope, thing: Jobs(scope).thing_changed(thing))
fleet_changes.on_executions_changed(lambda scope, things: JobsMqtt(scope).notify(things))
# A job that installs package versions records them in the thing's $package shadow.
fleet_changes.on_job_succeeded(lambda scope, job, thing: Packages(scope).job_succeeded(job, thing))


class IotService:
    """The emulated AWS IoT service as one account sees it in one region."""

    def __init__(
        self,
        store: Store,
        ca: CertificateAuthority,
        account_id: str,
        region: str,
        clock: Callable[[], float] = time.monotonic,
        keys: KeySource | None = None,
    ) -> None:
        self.scope = Scope(store, ca, account_id, region, clock, keys or key_source())

    @property
    def account_id(self) -> str:
        return self.scope.account_id

    @property
    def region(self) -> str:
        return self.scope.region

    @cached_property
    def certificates(self) -> Certificates:
        return Certificates(self.scope)

    @cached_property
    def registration(self) -> Registration:
        return Registration(self.scope)

    @cached_property
    def ca_certificates(self) -> CACertificates:
        return CACertificates(self.scope)

    @cached_property
    def transfers(self) -> Transfers:
        return Transfers(self.scope)

    @cached_property
    def provisioning_templates(self) -> ProvisioningTemplates:
        return ProvisioningTemplates(self.scope)

    @cached_property
    def provisioning(self) -> Provisioning:
        return Provisioning(self.scope)

    @cached_property
    def authorization(self) -> Authorization:
        return Authorization(self.scope)

    @cached_property
    def connections(self) -> Connections:
        return Connections(self.scope)

    @cached_property
    def things(self) -> Things:
        return Things(self.scope)

    @cached_property
    def thing_types(self) -> ThingTypes:
        return ThingTypes(self.scope)

    @cached_property
    def thing_groups(self) -> ThingGroups:
        return ThingGroups(self.scope)

    @cached_property
    def billing_groups(self) -> BillingGroups:
        return BillingGroups(self.scope)

    @cached_property
    def policies(self) -> Policies:
        return Policies(self.scope)

    @cached_property
    def role_aliases(self) -> RoleAliases:
        return RoleAliases(self.scope)

    @cached_property
    def authorizers(self) -> Authorizers:
        return Authorizers(self.scope)

    @cached_property
    def domain_configurations(self) -> DomainConfigurations:
        return DomainConfigurations(self.scope)

    @cached_property
    def jobs(self) -> Jobs:
        return Jobs(self.scope)

    @cached_property
    def job_executions(self) -> JobExecutions:
        return JobExecutions(self.scope)

    @cached_property
    def job_templates(self) -> JobTemplates:
        return JobTemplates(self.scope)

    @cached_property
    def topic_rules(self) -> TopicRules:
        return TopicRules(self.scope)

    @cached_property
    def indexing(self) -> Indexing:
        return Indexing(self.scope)

    @cached_property
    def index_aggregations(self) -> Aggregations:
        return Aggregations(self.indexing)

    @cached_property
    def packages(self) -> Packages:
        return Packages(self.scope)

    @cached_property
    def fleet_metrics(self) -> FleetMetrics:
        return FleetMetrics(self.scope, self.indexing, self.index_aggregations)

    @cached_property
    def tags(self) -> Tags:
        return Tags(self.scope)

    @cached_property
    def event_configurations(self) -> EventConfigurations:
        return EventConfigurations(self.scope)

    @cached_property
    def registry_events(self) -> RegistryEvents:
        return RegistryEvents(self.scope)

    @cached_property
    def logging(self) -> Logging:
        return Logging(self.scope)

    @cached_property
    def endpoints(self) -> Endpoints:
        return Endpoints(self.scope)

    @cached_property
    def custom_auth(self) -> CustomAuthentication:
        return CustomAuthentication(self.scope)

    @cached_property
    def bulk_registration(self) -> BulkRegistration:
        return BulkRegistration(self.scope)

    @cached_property
    def certificate_providers(self) -> CertificateProviders:
        return CertificateProviders(self.scope)

    @cached_property
    def encryption(self) -> Encryption:
        return Encryption(self.scope)

    @cached_property
    def commands(self) -> Commands:
        return Commands(self.scope)

    @cached_property
    def jobs_mqtt(self) -> JobsMqtt:
        return JobsMqtt(self.scope)

    @cached_property
    def rule_destinations(self) -> RuleDestinations:
        return RuleDestinations(self.scope)

    @cached_property
    def rules_engine(self) -> RulesEngine:
        return RulesEngine(self.scope)

    @cached_property
    def shadows(self) -> Shadows:
        return Shadows(self.scope)

    @cached_property
    def messages(self) -> Messages:
        return Messages(self.scope)
