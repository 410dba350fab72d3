"""The resources the emulated service holds, one module a family.

They are plain records with live state. Their links to each other (a certificate's things, a
policy's targets) are read from the account's ``Links``, the one place links are kept. Wire
shapes (DescribeCertificate's description, say) are built by the handlers, not here.
"""

from __future__ import annotations

from .certificates import CACertificate, Certificate
from .commands import TERMINAL_COMMAND_STATUSES, Command, CommandExecution
from .fleet_metrics import FleetMetric, FleetMetricDatum
from .jobs import TERMINAL_EXECUTION_STATUSES, Job, JobExecution, JobTemplate
from .messages import RetainedMessage
from .packages import PackageVersion, SoftwarePackage
from .policies import Policy, PolicyVersion
from .provisioning import ProvisioningTemplate, ProvisioningTemplateVersion, RegistrationTask
from .registry import BillingGroup, Thing, ThingGroup, ThingType
from .rules import ActionOutcome, RuleRun, TopicRule, TopicRuleDestination
from .security import Authorizer, CertificateProvider, DomainConfiguration, RoleAlias

__all__ = [
    "TERMINAL_COMMAND_STATUSES",
    "TERMINAL_EXECUTION_STATUSES",
    "ActionOutcome",
    "Authorizer",
    "BillingGroup",
    "CACertificate",
    "Certificate",
    "CertificateProvider",
    "Command",
    "CommandExecution",
    "DomainConfiguration",
    "FleetMetric",
    "FleetMetricDatum",
    "Job",
    "JobExecution",
    "JobTemplate",
    "PackageVersion",
    "Policy",
    "PolicyVersion",
    "ProvisioningTemplate",
    "ProvisioningTemplateVersion",
    "RegistrationTask",
    "RetainedMessage",
    "RoleAlias",
    "RuleRun",
    "SoftwarePackage",
    "Thing",
    "ThingGroup",
    "ThingType",
    "TopicRule",
    "TopicRuleDestination",
]
