"""Provisioning templates and their versions (the bodies are checked by the template engine)."""

from __future__ import annotations

import re
from typing import Any

from .._aws.clock import timestamp
from .._aws.errors import ServiceError, already_exists, invalid_request, not_found
from .._core.ordered import Ordered
from .._core.resources import ProvisioningTemplate, ProvisioningTemplateVersion
from .._engines.template_model import TemplateError
from .._engines.templates import Template
from ._scope import Scope
from .security import check_role_arn

MAX_VERSIONS = 5  # AWS IoT's quota of versions per provisioning template
TYPES = ("FLEET_PROVISIONING", "JITP")
_LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:.+$")


def checked_template(body: str) -> Template:
    """The parsed body, or InvalidRequestException naming what is wrong with it."""
    try:
        return Template.parse(body)
    except TemplateError as error:
        raise invalid_request(str(error)) from None


def _check_settings(settings: dict[str, Any]) -> None:
    if settings.get("provisioningRoleArn") is not None:
        check_role_arn(settings["provisioningRoleArn"])
    hook = settings.get("preProvisioningHook")
    if hook is not None:
        if settings.get("type") == "JITP":
            raise invalid_request("A JITP template takes no pre-provisioning hook.")
        if not _LAMBDA_ARN.match(str(hook.get("targetArn", ""))):
            raise invalid_request(
                f"The pre-provisioning hook's targetArn {hook.get('targetArn')!r} is not the ARN "
                "of a Lambda function."
            )


class ProvisioningTemplates:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, name: str, body: str, settings: dict[str, Any]) -> ProvisioningTemplate:
        checked_template(body)
        _check_settings(settings)
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.provisioning_templates.get(name)
            if existing is not None:
                raise already_exists(
                    f"The provisioning template {name} already exists.", name, existing.arn
                )
            template = state.provisioning_templates[name] = ProvisioningTemplate(
                name, body, **self._scope.placement, settings=settings
            )
            return template

    def get(self, name: str) -> ProvisioningTemplate:
        with self._scope.store.lock:
            template = self._scope.state.provisioning_templates.get(name)
            if template is None:
                raise not_found(f"The provisioning template {name} does not exist.")
            return template

    def in_order(self) -> Ordered[ProvisioningTemplate]:
        """The templates by creation, as held: a page costs O(page + log n)."""
        return self._scope.state.provisioning_templates.in_order

    def select(self) -> list[ProvisioningTemplate]:
        with self._scope.store.lock:
            return list(self._scope.state.provisioning_templates.values())

    def update(self, name: str, changes: dict[str, Any]) -> ProvisioningTemplate:
        with self._scope.store.lock:
            template = self.get(name)
            settings = {**template.settings, **changes}
            if changes.pop("removePreProvisioningHook", False):
                settings.pop("preProvisioningHook", None)
            settings.pop("removePreProvisioningHook", None)
            default = settings.pop("defaultVersionId", None)
            if default is not None and default not in template.versions:
                raise invalid_request(f"The provisioning template {name} has no version {default}.")
            _check_settings(settings)
            template.settings = settings
            template.default_version_id = default or template.default_version_id
            template.last_modified_date = timestamp()
            return template

    def delete(self, name: str) -> None:
        state = self._scope.state
        with self._scope.store.lock:
            template = self.get(name)
            state.tags.pop(template.arn, None)
            state.pre_provisioning_hooks.pop(name, None)
            del state.provisioning_templates[name]

    def create_version(
        self, name: str, body: str, *, set_as_default: bool = False
    ) -> ProvisioningTemplateVersion:
        checked_template(body)
        with self._scope.store.lock:
            template = self.get(name)
            if len(template.versions) >= MAX_VERSIONS:
                raise ServiceError(
                    "VersionsLimitExceededException",
                    f"The provisioning template {name} has {MAX_VERSIONS} versions, the most it "
                    "can have; delete one first.",
                )
            template.last_version_id += 1
            version = ProvisioningTemplateVersion(template.last_version_id, body)
            template.versions[version.version_id] = version
            if set_as_default:
                template.default_version_id = version.version_id
            template.last_modified_date = timestamp()
            return version

    def version(self, name: str, version_id: int) -> ProvisioningTemplateVersion:
        with self._scope.store.lock:
            found = self.get(name).versions.get(version_id)
            if found is None:
                raise not_found(f"The provisioning template {name} has no version {version_id}.")
            return found

    def delete_version(self, name: str, version_id: int) -> None:
        with self._scope.store.lock:
            template = self.get(name)
            self.version(name, version_id)
            if version_id == template.default_version_id:
                raise ServiceError(
                    "DeleteConflictException",
                    f"Version {version_id} is the default version of the provisioning template "
                    f"{name}; make another version the default first.",
                )
            del template.versions[version_id]

    def set_hook(self, name: str, hook: Any) -> None:
        """The test's stand-in for the template's pre-provisioning Lambda (None removes it)."""
        with self._scope.store.lock:
            self.get(name)
            hooks = self._scope.state.pre_provisioning_hooks
            if hook is None:
                hooks.pop(name, None)
            else:
                hooks[name] = hook
