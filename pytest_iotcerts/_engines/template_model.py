"""What a provisioning template is made of, shared by its checks (``templates``) and its
evaluation (``template_eval``): the resource types, parameter types and override settings AWS
documents, the error a template is refused with, and what an evaluation yields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

THING = "AWS::IoT::Thing"
CERTIFICATE = "AWS::IoT::Certificate"
POLICY = "AWS::IoT::Policy"
PARAMETER_TYPES = ("String", "Number", "CommaDelimitedList")
CERTIFICATE_SOURCES = ("CertificateSigningRequest", "CertificateId", "CertificatePem")
# Values AWS fills in itself: the certificate being provisioned (fleet provisioning, JITP).
PSEUDO_PARAMETERS = (
    "AWS::IoT::Certificate::Id",
    "AWS::IoT::Certificate::CommonName",
    "AWS::IoT::Certificate::Country",
    "AWS::IoT::Certificate::Organization",
    "AWS::IoT::Certificate::OrganizationalUnit",
    "AWS::IoT::Certificate::DistinguishedNameQualifier",
    "AWS::IoT::Certificate::StateName",
    "AWS::IoT::Certificate::SerialNumber",
    "AWS::Region",
    "AWS::AccountId",
)
NO_VALUE = "AWS::NoValue"
OVERRIDES: dict[str, dict[str, tuple[str, ...]]] = {
    THING: {
        "AttributePayload": ("DO_NOTHING", "REPLACE", "FAIL", "MERGE"),
        "ThingTypeName": ("DO_NOTHING", "REPLACE", "FAIL"),
        "ThingGroups": ("DO_NOTHING", "REPLACE", "FAIL", "MERGE"),
    },
    CERTIFICATE: {"Status": ("DO_NOTHING", "REPLACE", "FAIL")},
    POLICY: {},
}
OVERRIDE_ALIASES = {
    "ATTRIBUTE_PAYLOAD": "AttributePayload",
    "THING_TYPE_NAME": "ThingTypeName",
    "THING_GROUPS": "ThingGroups",
    "STATUS": "Status",
}
SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")


class TemplateError(ValueError):
    """A template that cannot be used, or cannot be evaluated with the parameters given."""


class _Omitted:
    """``{"Ref": "AWS::NoValue"}``: the property it stands for is left out."""


OMITTED = _Omitted()


@dataclass(frozen=True)
class Resource:
    """One evaluated resource: its logical name, type, properties and override settings."""

    logical_name: str
    type: str
    properties: dict[str, Any]
    overrides: dict[str, str] = field(default_factory=dict)

    def override(self, name: str, default: str = "DO_NOTHING") -> str:
        return self.overrides.get(name, default)


@dataclass(frozen=True)
class Evaluation:
    resources: list[Resource]
    device_configuration: dict[str, Any]

    def of_type(self, kind: str) -> list[Resource]:
        return [resource for resource in self.resources if resource.type == kind]


def function_of(node: Any) -> str | None:
    """The intrinsic function a node calls (``{"Ref": ...}``, ``{"Fn::Join": ...}``), if any."""
    if isinstance(node, dict) and len(node) == 1:
        (key,) = node
        if key == "Ref" or key == "Condition" or key.startswith("Fn::"):
            return str(key)
    return None
