"""Two-sided links between resources: a thing's principals, a policy's targets, and so on.

Each relation is kept once, indexed from both ends, so a certificate's things and a thing's
principals can never disagree, and removing a resource removes every link it had in one call.
Links remember the order they were made in: list operations page in that order.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .ordered import Ordered

L = TypeVar("L", bound=Hashable)
R = TypeVar("R", bound=Hashable)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V", bound=Hashable)

_order = itertools.count(1)


def next_sequence() -> int:
    """A process-wide creation order, shared by resources and links (markers page on it)."""
    return next(_order)


@dataclass
class Link(Generic[L, R]):
    """One link; ``kind`` says how it was made (EXCLUSIVE_THING for a thing's principal, say)."""

    left: L
    right: R
    sequence: int
    kind: str | None = None


class Relation(Generic[L, R]):
    """A many-to-many relation between ``L`` and ``R`` keys, in the order links were made.
    With ``paged``, each left's links are also kept ``Ordered``, so a list of them (a group's
    members) pages in O(page + log n); with ``paged_right``, each right's (the things a
    certificate is attached to)."""

    def __init__(self, *, paged: bool = False, paged_right: bool = False) -> None:
        self._by_left: dict[L, dict[R, Link[L, R]]] = {}
        self._by_right: dict[R, dict[L, Link[L, R]]] = {}
        self._ordered: dict[L, Ordered[Link[L, R]]] | None = {} if paged else None
        self._ordered_right: dict[R, Ordered[Link[L, R]]] | None = {} if paged_right else None

    def link(self, left: L, right: R, kind: str | None = None) -> Link[L, R]:
        """Link the two (again: the first link's place in the order is kept, its kind updated)."""
        existing = self.get(left, right)
        if existing is not None:
            existing.kind = kind
            return existing
        made = Link(left, right, next_sequence(), kind)
        self._by_left.setdefault(left, {})[right] = made
        self._by_right.setdefault(right, {})[left] = made
        _hold(self._ordered, left, made)
        _hold(self._ordered_right, right, made)
        return made

    def unlink(self, left: L, right: R) -> bool:
        """Remove the link; False if there was none."""
        found = self.get(left, right)
        if found is None:
            return False
        _remove(self._by_left, left, right)
        _remove(self._by_right, right, left)
        _release(self._ordered, left, found)
        _release(self._ordered_right, right, found)
        return True

    def get(self, left: L, right: R) -> Link[L, R] | None:
        return self._by_left.get(left, {}).get(right)

    def of_left(self, left: L) -> list[Link[L, R]]:
        """The links of ``left``, oldest first (links are made in sequence order, and a dict
        keeps the order its keys came in)."""
        return list(self._by_left.get(left, {}).values())

    def links_of_right(self, right: R) -> Mapping[L, Link[L, R]]:
        """The links of ``right`` by left, as held (a view, not a copy: read under the lock)."""
        return self._by_right.get(right, {})

    def of_right(self, right: R) -> list[Link[L, R]]:
        """The links of ``right``, oldest first."""
        return list(self._by_right.get(right, {}).values())

    def ordered_of_left(self, left: L) -> Ordered[Link[L, R]]:
        """The links of ``left`` to page from (a ``paged`` relation's)."""
        if self._ordered is None:
            return Ordered.of(self.of_left(left), key=_sequence)
        return self._ordered.get(left) or Ordered()

    def ordered_of_right(self, right: R) -> Ordered[Link[L, R]]:
        """The links of ``right`` to page from (a ``paged_right`` relation's)."""
        if self._ordered_right is None:
            return Ordered.of(self.of_right(right), key=_sequence)
        return self._ordered_right.get(right) or Ordered()

    def rights(self, left: L) -> list[R]:
        return [link.right for link in self.of_left(left)]

    def lefts(self, right: R) -> list[L]:
        return [link.left for link in self.of_right(right)]

    def drop_left(self, left: L) -> None:
        for right in list(self._by_left.get(left, {})):
            self.unlink(left, right)

    def drop_right(self, right: R) -> None:
        for left in list(self._by_right.get(right, {})):
            self.unlink(left, right)


def _hold(kept: dict[K, Ordered[Link[L, R]]] | None, key: K, link: Link[L, R]) -> None:
    if kept is not None:
        kept.setdefault(key, Ordered()).add(link.sequence, link)


def _release(kept: dict[K, Ordered[Link[L, R]]] | None, key: K, link: Link[L, R]) -> None:
    if kept is not None:
        ordered = kept[key]
        ordered.discard(link.sequence)
        if not len(ordered):
            del kept[key]


class Links:
    """Every relation of one account in one region."""

    def __init__(self) -> None:
        # thing name -> principal ARN (a certificate's, a Cognito identity's), kind = its type
        self.thing_principals: Relation[str, str] = Relation(paged_right=True)
        # policy name -> target (a certificate ARN, a Cognito identity, a thing group ARN)
        self.policy_targets: Relation[str, str] = Relation(paged=True)

        # thing group name -> thing name; billing group name -> thing name
        self.group_things: Relation[str, str] = Relation(paged=True)
        self.billing_things: Relation[str, str] = Relation(paged=True)

    def drop_thing(self, name: str) -> None:
        """Every link of a thing that is deleted."""
        self.thing_principals.drop_left(name)
        self.group_things.drop_right(name)
        self.billing_things.drop_right(name)


def _sequence(link: Link[L, R]) -> int:
    return link.sequence


def _remove(index: dict[K, dict[V, Any]], outer: K, inner: V) -> None:
    links = index[outer]
    del links[inner]
    if not links:
        del index[outer]
