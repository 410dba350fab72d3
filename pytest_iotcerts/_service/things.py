"""Things in the registry and the principals attached to them."""

from __future__ import annotations

from .._errors import ServiceError, invalid_request
from .._links import Link
from .._resources import Thing
from ._scope import Scope

EXCLUSIVE = "EXCLUSIVE_THING"
NON_EXCLUSIVE = "NON_EXCLUSIVE_THING"


class Things:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(
        self,
        name: str,
        *,
        thing_type_name: str | None = None,
        attributes: dict[str, str] | None = None,
        billing_group_name: str | None = None,
    ) -> Thing:
        """A new thing; the same name and configuration again returns the existing one."""
        attributes = dict(attributes or {})
        state = self._scope.state
        with self._scope.store.lock:
            thing = state.things.get(name)
            if thing is None:
                thing = state.things[name] = Thing(
                    name,
                    account_id=self._scope.account_id,
                    region=self._scope.region,
                    links=state.links,
                    thing_type_name=thing_type_name,
                    attributes=attributes,
                    billing_group_name=billing_group_name,
                )
            elif (thing.thing_type_name, thing.attributes) != (thing_type_name, attributes):
                raise ServiceError(
                    "ResourceAlreadyExistsException",
                    f"The thing {name} already exists with a different configuration.",
                    resourceId=thing.thing_id,
                    resourceArn=thing.arn,
                )
            return thing

    def get(self, name: str) -> Thing:
        with self._scope.store.lock:
            return self._scope.thing(name)

    def delete(self, name: str, *, expected_version: int | None = None) -> None:
        """Deleting a thing that does not exist succeeds (documented)."""
        state = self._scope.state
        with self._scope.store.lock:
            thing = state.things.get(name)
            if thing is None:
                return
            if expected_version is not None and expected_version != thing.version:
                raise ServiceError(
                    "VersionConflictException",
                    f"The thing {name} is at version {thing.version}, not {expected_version}.",
                )
            if thing.principals:
                # AWS's own wording, as seen in its error reports.
                raise invalid_request(
                    f"Cannot delete. Thing {name} is still attached to one or more principals"
                )
            state.links.thing_principals.drop_left(name)
            del state.things[name]

    def attach_principal(self, name: str, principal: str, *, exclusive: bool = False) -> None:
        """An exclusive principal may be attached to this thing only."""
        relation = self._scope.links.thing_principals
        with self._scope.store.lock:
            self._scope.thing(name)
            self._scope.certificate_for_principal(principal)
            others = [link for link in relation.of_right(principal) if link.left != name]
            if others and (exclusive or any(link.kind == EXCLUSIVE for link in others)):
                raise invalid_request(
                    f"The principal {principal} is attached to {others[0].left} exclusively or "
                    "is asked to be exclusive, but is attached to other things."
                )
            relation.link(name, principal, EXCLUSIVE if exclusive else NON_EXCLUSIVE)

    def detach_principal(self, name: str, principal: str) -> None:
        with self._scope.store.lock:
            self._scope.thing(name)
            self._scope.certificate_for_principal(principal)
            self._scope.links.thing_principals.unlink(name, principal)

    def of_principal(self, principal: str) -> list[Link[str, str]]:
        """The things a principal is attached to (``link.left``), in attachment order."""
        with self._scope.store.lock:
            self._scope.certificate_for_principal(principal)
            return self._scope.links.thing_principals.of_right(principal)

    def principals(self, name: str) -> list[Link[str, str]]:
        """A thing's principals (``link.right``, ``link.kind``), in attachment order."""
        with self._scope.store.lock:
            self._scope.thing(name)
            return self._scope.links.thing_principals.of_left(name)
