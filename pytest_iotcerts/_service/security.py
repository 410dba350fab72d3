"""Role aliases (for the credentials provider) and custom authorizers, with the default one."""

from __future__ import annotations

import re
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .._aws.clock import timestamp
from .._aws.errors import ServiceError, already_exists, invalid_request, not_found
from .._core.ordered import Filtered, Ordered
from .._core.resources import Authorizer, RoleAlias
from ._scope import Scope

DEFAULT_CREDENTIAL_DURATION = 3600
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")


def _already_exists(kind: str, name: str, arn: str) -> ServiceError:
    return already_exists(
        f"The {kind} {name} already exists.",
        name,
        arn,
    )


def check_role_arn(role_arn: str) -> None:
    if not _ROLE_ARN.match(role_arn):
        raise invalid_request(f"{role_arn} is not the ARN of an IAM role.")


class RoleAliases:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, name: str, role_arn: str, duration: int | None = None) -> RoleAlias:
        check_role_arn(role_arn)
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.role_aliases.get(name)
            if existing is not None:
                raise _already_exists("role alias", name, existing.arn)
            alias = state.role_aliases[name] = RoleAlias(
                name,
                **self._scope.placement,
                role_arn=role_arn,
                credential_duration_seconds=duration or DEFAULT_CREDENTIAL_DURATION,
            )
            return alias

    def get(self, name: str) -> RoleAlias:
        with self._scope.store.lock:
            alias = self._scope.state.role_aliases.get(name)
            if alias is None:
                raise not_found(f"The role alias {name} does not exist.")
            return alias

    def in_order(self) -> Ordered[RoleAlias]:
        """The role aliases by creation, as held: a page costs O(page + log n)."""
        return self._scope.state.role_aliases.in_order

    def select(self) -> list[RoleAlias]:
        with self._scope.store.lock:
            return list(self._scope.state.role_aliases.values())

    def update(self, name: str, role_arn: str | None, duration: int | None) -> RoleAlias:
        if role_arn is not None:
            check_role_arn(role_arn)
        with self._scope.store.lock:
            alias = self.get(name)
            alias.role_arn = role_arn or alias.role_arn
            alias.credential_duration_seconds = duration or alias.credential_duration_seconds
            alias.last_modified_date = timestamp()
            return alias

    def delete(self, name: str) -> None:
        state = self._scope.state
        with self._scope.store.lock:
            alias = self.get(name)
            state.tags.pop(alias.arn, None)
            del state.role_aliases[name]


def _check_signing(settings: dict[str, Any]) -> None:
    """Unless signing is disabled, a token key name and PEM public keys that load."""
    if settings.get("signingDisabled"):
        return
    keys = settings.get("tokenSigningPublicKeys") or {}
    if not settings.get("tokenKeyName") or not keys:
        raise invalid_request(
            "An authorizer with signing enabled needs tokenKeyName and tokenSigningPublicKeys "
            "(or signingDisabled=true)."
        )
    for key_name, pem in keys.items():
        try:
            load_pem_public_key(str(pem).encode())
        except (ValueError, TypeError):
            raise invalid_request(
                f"The token signing public key {key_name} is not a PEM public key."
            ) from None


class Authorizers:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, name: str, settings: dict[str, Any]) -> Authorizer:
        _check_signing(settings)
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.authorizers.get(name)
            if existing is not None:
                raise _already_exists("authorizer", name, existing.arn)
            authorizer = state.authorizers[name] = Authorizer(
                name,
                **self._scope.placement,
                settings={"status": "ACTIVE", **settings},
            )
            return authorizer

    def get(self, name: str) -> Authorizer:
        with self._scope.store.lock:
            authorizer = self._scope.state.authorizers.get(name)
            if authorizer is None:
                raise not_found(f"The authorizer {name} does not exist.")
            return authorizer

    def in_order(self) -> Ordered[Authorizer]:
        """The authorizers by creation, as held: a page costs O(page + log n)."""
        return self._scope.state.authorizers.in_order

    def listed(self, status: str | None = None) -> Ordered[Authorizer]:
        """The authorizers by creation (with one status, if given), paged lazily."""
        held = self._scope.state.authorizers.in_order
        return held if status is None else Filtered(held, lambda a: a.status == status)

    def update(self, name: str, changes: dict[str, Any]) -> Authorizer:
        with self._scope.store.lock:
            authorizer = self.get(name)
            settings = {**authorizer.settings, **changes}
            _check_signing(settings)
            authorizer.settings = settings
            authorizer.last_modified_date = timestamp()
            return authorizer

    def delete(self, name: str) -> None:
        """Only an INACTIVE authorizer that is not the default can be deleted."""
        state = self._scope.state
        with self._scope.store.lock:
            authorizer = self.get(name)
            if authorizer.status == "ACTIVE" or state.default_authorizer == name:
                raise ServiceError(
                    "DeleteConflictException",
                    f"The authorizer {name} is ACTIVE or the default authorizer; set its status "
                    "to INACTIVE (and clear the default) before deleting it.",
                )
            state.tags.pop(authorizer.arn, None)
            del state.authorizers[name]

    def set_default(self, name: str) -> Authorizer:
        state = self._scope.state
        with self._scope.store.lock:
            authorizer = self.get(name)
            if state.default_authorizer == name:
                raise _already_exists("default authorizer", name, authorizer.arn)
            if authorizer.status != "ACTIVE":
                raise invalid_request(f"The authorizer {name} is INACTIVE; activate it first.")
            state.default_authorizer = name
            return authorizer

    def default(self) -> Authorizer:
        with self._scope.store.lock:
            name = self._scope.state.default_authorizer
            if name is None:
                raise not_found("No default authorizer is set in this account and region.")
            return self.get(name)

    def clear_default(self) -> None:
        with self._scope.store.lock:
            self.default()
            self._scope.state.default_authorizer = None
