"""The registry: things, thing types, thing groups and billing groups."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ..._aws.clock import timestamp
from ..._aws.public import public
from ..links import Links, Relation
from ._named import NamedResource


@public
class Thing(NamedResource):
    """A thing in the registry; ``principals`` are the certificates (ARNs) attached to it."""

    _arn_kind = "thing"

    def __init__(
        self,
        name: str,
        *,
        account_id: str,
        region: str,
        links: Links,
        thing_type_name: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.thing_id = str(uuid.uuid4())
        self.thing_type_name = thing_type_name
        self.attributes = dict(attributes or {})
        self.version = 1

    @property
    def principals(self) -> list[str]:
        """Principal ARNs attached to this thing, in attachment order."""
        return self._links.thing_principals.rights(self.name)

    @property
    def thing_groups(self) -> list[str]:
        """Names of the static thing groups the thing is in, in the order it was added."""
        return self._links.group_things.lefts(self.name)

    @property
    def billing_group_name(self) -> str | None:
        """The billing group the thing is in (at most one)."""
        return next(iter(self._links.billing_things.lefts(self.name)), None)

    def __repr__(self) -> str:
        return f"<Thing {self.name} principals={self.principals}>"


@public
class ThingType(NamedResource):
    """A thing type: searchable attributes, and a lifecycle of deprecation before deletion."""

    _arn_kind = "thingtype"

    def __init__(
        self,
        name: str,
        *,
        account_id: str,
        region: str,
        links: Links,
        properties: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.thing_type_id = str(uuid.uuid4())
        self.properties = dict(properties or {})
        self.creation_date = timestamp()
        self.deprecated = False
        self.deprecation_date: dt.datetime | None = None

    def __repr__(self) -> str:
        return f"<ThingType {self.name}{' (deprecated)' * self.deprecated}>"


class _Group(NamedResource):
    """What thing groups and billing groups share: properties, a version and things."""

    _members = ""  # the relation in Links that holds the group's things

    def __init__(
        self,
        name: str,
        *,
        account_id: str,
        region: str,
        links: Links,
        properties: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.group_id = str(uuid.uuid4())
        self.properties = dict(properties or {})
        self.version = 1
        self.creation_date = timestamp()

    @property
    def things(self) -> list[str]:
        """Names of the things directly in this group, in the order they were added."""
        relation: Relation[str, str] = getattr(self._links, self._members)
        return relation.rights(self.name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} things={self.things}>"


@public
class ThingGroup(_Group):
    """A static thing group; ``parent_name`` places it in a hierarchy (fixed at creation)."""

    _arn_kind = "thinggroup"
    _members = "group_things"

    def __init__(
        self,
        name: str,
        *,
        parent_name: str | None = None,
        query: dict[str, str] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(name, **details)
        self.parent_name = parent_name
        # A dynamic group's indexName, queryString and queryVersion; None for a static group.
        self.query = query


@public
class BillingGroup(_Group):
    """A billing group: a thing is in at most one."""

    _arn_kind = "billinggroup"
    _members = "billing_things"
