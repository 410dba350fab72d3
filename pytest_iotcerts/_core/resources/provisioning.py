"""Provisioning templates and their versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..._aws.clock import timestamp
from ._named import ConfiguredResource


@dataclass
class ProvisioningTemplateVersion:
    """One version of a provisioning template's body."""

    version_id: int
    body: str
    created: dt.datetime = field(default_factory=timestamp)


class ProvisioningTemplate(ConfiguredResource):
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


@dataclass
class RegistrationTask:
    """A bulk registration task (StartThingRegistrationTask), and its reports' URLs."""

    task_id: str
    template_body: str
    bucket: str
    key: str
    role_arn: str
    status: str = "InProgress"
    message: str | None = None
    success_count: int = 0
    failure_count: int = 0
    percentage_progress: int = 0
    reports: dict[str, list[str]] = field(default_factory=lambda: {"RESULTS": [], "ERRORS": []})
    created: dt.datetime = field(default_factory=timestamp)
    modified: dt.datetime = field(default_factory=timestamp)
