"""Things, as far as certificates need them: create, describe, delete, and principals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import ServiceError, invalid_request
from .._router import RequestContext
from .._state import Thing, next_sequence
from ._common import certificate_for_principal, find_thing, operation, page


def _attributes(params: Mapping[str, Any]) -> dict[str, str]:
    payload = params.get("attributePayload") or {}
    return dict(payload.get("attributes") or {})


@operation("CreateThing")
def create_thing(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    name = params["thingName"]
    with context.store.lock:
        thing = context.state.things.get(name)
        if thing is None:
            thing = Thing(
                name=name,
                account_id=context.account_id,
                region=context.region,
                thing_type_name=params.get("thingTypeName"),
                attributes=_attributes(params),
                billing_group_name=params.get("billingGroupName"),
            )
            context.state.things[name] = thing
        elif (thing.thing_type_name, thing.attributes) != (
            params.get("thingTypeName"),
            _attributes(params),
        ):
            # The same name and configuration again succeeds; a different configuration does not.
            raise ServiceError(
                "ResourceAlreadyExistsException",
                f"The thing {name} already exists with a different configuration.",
                resourceId=thing.thing_id,
                resourceArn=thing.arn,
            )
        return {"thingName": thing.name, "thingArn": thing.arn, "thingId": thing.thing_id}


@operation("DescribeThing")
def describe_thing(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        thing = find_thing(context, params["thingName"])
        return {
            "defaultClientId": thing.name,
            "thingName": thing.name,
            "thingId": thing.thing_id,
            "thingArn": thing.arn,
            "thingTypeName": thing.thing_type_name,
            "attributes": dict(thing.attributes),
            "version": thing.version,
            "billingGroupName": thing.billing_group_name,
        }


@operation("DeleteThing")
def delete_thing(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        thing = context.state.things.get(params["thingName"])
        if thing is None:
            return {}  # documented: deleting a thing that does not exist succeeds
        expected = params.get("expectedVersion")
        if expected is not None and expected != thing.version:
            raise ServiceError(
                "VersionConflictException",
                f"The thing {thing.name} is at version {thing.version}, not {expected}.",
            )
        if thing.principals:
            # AWS's own wording, as seen in its error reports.
            raise invalid_request(
                f"Cannot delete. Thing {thing.name} is still attached to one or more principals"
            )
        del context.state.things[thing.name]
    return {}


@operation("AttachThingPrincipal")
def attach_thing_principal(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    principal = params["principal"]
    exclusive = params.get("thingPrincipalType") == "EXCLUSIVE_THING"
    with context.store.lock:
        thing = find_thing(context, params["thingName"])
        certificate = certificate_for_principal(context, principal)
        others = [
            other
            for other in context.state.things.values()
            if other is not thing and principal in other.principals
        ]
        if others and (exclusive or any(o.exclusive.get(principal) for o in others)):
            raise invalid_request(
                f"The principal {principal} is attached to {others[0].name} exclusively or "
                "is asked to be exclusive, but is attached to other things."
            )
        thing.principals.setdefault(principal, next_sequence())
        thing.exclusive[principal] = exclusive
        if certificate is not None:
            certificate.things.add(thing.name)
    return {}


@operation("DetachThingPrincipal")
def detach_thing_principal(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    principal = params["principal"]
    with context.store.lock:
        thing = find_thing(context, params["thingName"])
        certificate = certificate_for_principal(context, principal)
        thing.principals.pop(principal, None)
        thing.exclusive.pop(principal, None)
        if certificate is not None:
            certificate.things.discard(thing.name)
    return {}


@operation("ListPrincipalThings")
def list_principal_things(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    principal = params["principal"]
    with context.store.lock:
        certificate_for_principal(context, principal)
        things = [t for t in context.state.things.values() if principal in t.principals]
        chosen, token = page(
            things,
            key=lambda t: t.principals[principal],
            marker=params.get("nextToken"),
            size=params.get("maxResults"),
        )
        return {"things": [t.name for t in chosen], "nextToken": token}


@operation("ListThingPrincipals")
def list_thing_principals(context: RequestContext, params: dict[str, Any]) -> Mapping[str, Any]:
    with context.store.lock:
        thing = find_thing(context, params["thingName"])
        chosen, token = page(
            list(thing.principals),
            key=thing.principals.__getitem__,
            marker=params.get("nextToken"),
            size=params.get("maxResults"),
        )
        return {"principals": chosen, "nextToken": token}
