"""Domain configurations: the account's endpoints, AWS-managed or on a domain of the caller's."""

from __future__ import annotations

from typing import Any

from .._aws.clock import timestamp
from .._aws.errors import already_exists, invalid_request, not_found
from .._core.ordered import Filtered, Ordered
from .._core.resources import DomainConfiguration
from ._scope import Scope
from .endpoints import Endpoints

STATUSES = ("ENABLED", "DISABLED")


class DomainConfigurations:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, name: str, settings: dict[str, Any]) -> DomainConfiguration:
        """Without ``domainName`` the domain is AWS-managed (the account's ATS endpoint); with
        one, server certificates from ACM are needed."""
        settings = dict(settings)
        if settings.get("domainName") and not settings.get("serverCertificateArns"):
            raise invalid_request(
                "A domain configuration with a domainName of your own needs "
                "serverCertificateArns (certificates in AWS Certificate Manager)."
            )
        if "authorizerConfig" in settings:
            self._check_authorizer(settings["authorizerConfig"])
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.domain_configurations.get(name)
            if existing is not None:
                raise already_exists(
                    f"The domain configuration {name} already exists.",
                    name,
                    existing.arn,
                )
            configuration = state.domain_configurations[name] = DomainConfiguration(
                name,
                **self._scope.placement,
                settings=settings,
            )
            return configuration

    def _check_authorizer(self, config: dict[str, Any]) -> None:
        name = config.get("defaultAuthorizerName")
        if name is not None and name not in self._scope.state.authorizers:
            raise invalid_request(f"The authorizer {name} does not exist.")

    def get(self, name: str) -> DomainConfiguration:
        with self._scope.store.lock:
            configuration = self._scope.state.domain_configurations.get(name)
            if configuration is None:
                raise not_found(f"The domain configuration {name} does not exist.")
            return configuration

    def domain_name(self, configuration: DomainConfiguration) -> str:
        own = configuration.settings.get("domainName")
        return str(own) if own else Endpoints(self._scope).address("iot:Data-ATS")

    def listed(self, service_type: str | None = None) -> Ordered[DomainConfiguration]:
        """The configurations by creation (of one service type, if given), paged lazily."""
        held = self._scope.state.domain_configurations.in_order
        if service_type is None:
            return held
        return Filtered(held, lambda c: c.settings.get("serviceType", "DATA") == service_type)

    def update(
        self, name: str, changes: dict[str, Any], *, status: str | None, remove_authorizer: bool
    ) -> DomainConfiguration:
        if "authorizerConfig" in changes:
            self._check_authorizer(changes["authorizerConfig"])
        with self._scope.store.lock:
            configuration = self.get(name)
            configuration.settings.update(changes)
            if remove_authorizer:
                configuration.settings.pop("authorizerConfig", None)
            if status is not None and status != configuration.status:
                configuration.status = status
                configuration.last_status_change_date = timestamp()
            return configuration

    def delete(self, name: str) -> None:
        """A domain configuration is disabled before it is deleted."""
        state = self._scope.state
        with self._scope.store.lock:
            configuration = self.get(name)
            if configuration.status == "ENABLED":
                raise invalid_request(
                    f"The domain configuration {name} is ENABLED; disable it "
                    "(UpdateDomainConfiguration domainConfigurationStatus=DISABLED) first."
                )
            state.tags.pop(configuration.arn, None)
            del state.domain_configurations[name]
