"""Things in the registry and the principals attached to them."""

from __future__ import annotations

from collections.abc import Mapping

from .._aws.errors import ServiceError, already_exists, invalid_request
from .._core.links import Link
from .._core.ordered import Filtered, Ordered
from .._core.resources import Thing
from . import fleet_changes
from ._scope import Scope
from .events import RegistryEvents
from .groups import BillingGroups
from .thing_types import ThingTypes

EXCLUSIVE = "EXCLUSIVE_THING"
NON_EXCLUSIVE = "NON_EXCLUSIVE_THING"
# AWS IoT's quotas: attributes of a thing without a thing type, and with one.
MAX_UNTYPED_ATTRIBUTES = 3
MAX_TYPED_ATTRIBUTES = 50


def _check_attributes(attributes: dict[str, str], thing_type_name: str | None) -> None:
    limit = MAX_UNTYPED_ATTRIBUTES if thing_type_name is None else MAX_TYPED_ATTRIBUTES
    if len(attributes) > limit:
        kind = "without a thing type" if thing_type_name is None else "with a thing type"
        raise invalid_request(
            f"A thing {kind} can have at most {limit} attributes, not {len(attributes)}"
            + (" (give it a thing type for up to 50)." if thing_type_name is None else ".")
        )


def _updated_attributes(
    current: dict[str, str], given: dict[str, str] | None, merge: bool
) -> dict[str, str]:
    """UpdateThing's rule: ``merge`` adds to the attributes, otherwise they are replaced; an
    empty value removes that attribute either way."""
    if given is None:
        return dict(current)
    result = dict(current) if merge else {}
    result.update(given)
    return {name: value for name, value in result.items() if value != ""}


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
        _check_attributes(attributes, thing_type_name)
        state = self._scope.state
        with self._scope.store.lock:
            if thing_type_name is not None:
                ThingTypes(self._scope).check_usable(thing_type_name)
            if billing_group_name is not None:
                self._scope.billing_group(billing_group_name)
            thing = state.things.get(name)
            if thing is None:
                thing = state.things[name] = Thing(
                    name,
                    **self._scope.placement,
                    thing_type_name=thing_type_name,
                    attributes=attributes,
                )
                if billing_group_name is not None:
                    BillingGroups(self._scope).add_thing(billing_group_name, name)
                self._tell_jobs(name)
                events = RegistryEvents(self._scope)
                events.thing("CREATED", thing)
                if thing_type_name is not None:
                    events.type_association("ADDED", thing, thing_type_name)
            elif (thing.thing_type_name, thing.attributes) != (thing_type_name, attributes):
                raise already_exists(
                    f"The thing {name} already exists with a different configuration.",
                    thing.thing_id,
                    thing.arn,
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
            state.links.drop_thing(name)
            state.tags.pop(thing.arn, None)
            del state.things[name]
            RegistryEvents(self._scope).thing("DELETED", thing)

    def select(
        self,
        *,
        attribute_name: str | None = None,
        attribute_value: str | None = None,
        prefix: bool = False,
        thing_type_name: str | None = None,
    ) -> list[Thing] | Ordered[Thing]:
        """ListThings' filters: an attribute (its value exactly, or as a prefix) and a type;
        none: every thing. In creation order, from the registry's indexes: a page costs
        O(page + log n) for one exact filter, the matches of the narrowest for more."""
        with self._scope.store.lock:
            return self._scope.state.things.selected(
                attribute_name, attribute_value, prefix, thing_type_name
            )

    def update(
        self,
        name: str,
        *,
        attributes: dict[str, str] | None = None,
        merge: bool = False,
        thing_type_name: str | None = None,
        remove_thing_type: bool = False,
        expected_version: int | None = None,
    ) -> Thing:
        """UpdateThing: attributes replaced or merged, the type set or removed; the version
        moves on by one."""
        if thing_type_name is not None and remove_thing_type:
            raise invalid_request("Give either thingTypeName or removeThingType, not both.")
        with self._scope.store.lock:
            thing = self._scope.thing(name)
            if expected_version is not None and expected_version != thing.version:
                raise ServiceError(
                    "VersionConflictException",
                    f"The thing {name} is at version {thing.version}, not {expected_version}.",
                )
            new_type = None if remove_thing_type else (thing_type_name or thing.thing_type_name)
            if thing_type_name is not None:
                ThingTypes(self._scope).check_usable(thing_type_name)
            new_attributes = _updated_attributes(thing.attributes, attributes, merge)
            _check_attributes(new_attributes, new_type)
            old_type = thing.thing_type_name
            thing.thing_type_name, thing.attributes = new_type, new_attributes
            thing.version += 1
            self._scope.state.things.reindex(thing)
            self._tell_jobs(name)
            self._tell_events(thing, old_type)
            return thing

    def _tell_events(self, thing: Thing, old_type: str | None) -> None:
        events = RegistryEvents(self._scope)
        events.thing("UPDATED", thing)
        if old_type != thing.thing_type_name:
            if old_type is not None:
                events.type_association("REMOVED", thing, old_type)
            if thing.thing_type_name is not None:
                events.type_association("ADDED", thing, thing.thing_type_name)

    def _tell_jobs(self, name: str) -> None:
        fleet_changes.thing_changed(self._scope, name)

    def attach_principal(self, name: str, principal: str, *, exclusive: bool = False) -> None:
        """An exclusive principal may be attached to this thing only."""
        relation = self._scope.links.thing_principals
        with self._scope.store.lock:
            self._scope.thing(name)
            self._scope.certificate_for_principal(principal)
            held = relation.links_of_right(principal)
            others = len(held) - (name in held)
            # an exclusive link is its principal's only one: two links are never exclusive
            if others and (exclusive or (len(held) == 1 and _exclusive(held))):
                other = next(left for left in held if left != name)
                raise invalid_request(
                    f"The principal {principal} is attached to {other} exclusively or "
                    "is asked to be exclusive, but is attached to other things."
                )
            relation.link(name, principal, EXCLUSIVE if exclusive else NON_EXCLUSIVE)

    def detach_principal(self, name: str, principal: str) -> None:
        with self._scope.store.lock:
            self._scope.thing(name)
            self._scope.certificate_for_principal(principal)
            self._scope.links.thing_principals.unlink(name, principal)

    def of_principal(self, principal: str, kind: str | None = None) -> Ordered[Link[str, str]]:
        """The things a principal is attached to (``link.left``), in attachment order, to page
        from (a certificate may be attached to a fleet)."""
        with self._scope.store.lock:
            self._scope.certificate_for_principal(principal)
            links = self._scope.links.thing_principals.ordered_of_right(principal)
        return links if kind is None else Filtered(links, lambda link: link.kind == kind)

    def principals(self, name: str, kind: str | None = None) -> list[Link[str, str]]:
        """A thing's principals (``link.right``, ``link.kind``), in attachment order."""
        with self._scope.store.lock:
            self._scope.thing(name)
            links = self._scope.links.thing_principals.of_left(name)
        return [link for link in links if kind in (None, link.kind)]


def _exclusive(links: Mapping[str, Link[str, str]]) -> bool:
    return any(link.kind == EXCLUSIVE for link in links.values())
