"""Things by name, with the orders ListThings' filters page from.

Beside ``in_order`` (every thing, by creation), the registry keeps one ``Ordered`` per thing type
and per attribute (name and value, and name alone), up to date as things are added, changed
(``reindex``) and removed. A filtered ListThings then pages from the smallest order that holds
its matches, so its cost follows the matches, not the fleet.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from .ordered import Ordered, Registry


class Indexed(Protocol):
    name: str
    sequence: int
    thing_type_name: str | None
    attributes: dict[str, str]


Key = tuple[str, ...]  # ("type", NAME), ("attribute", NAME), ("value", NAME, VALUE)
T = TypeVar("T", bound=Indexed)


def _keys(thing: Indexed) -> list[Key]:
    keys: list[Key] = [("type", thing.thing_type_name)] if thing.thing_type_name else []
    for name, value in thing.attributes.items():
        keys += [("attribute", name), ("value", name, value)]
    return keys


class ThingRegistry(Registry[T]):
    def __init__(self) -> None:
        super().__init__()
        self._by_key: dict[Key, Ordered[T]] = {}
        self._indexed: dict[str, tuple[int, list[Key]]] = {}  # name -> (sequence, keys)
        self._values: dict[str, list[str]] = {}  # attribute name -> its values, sorted
        self._names: list[str] = []  # every thing's name, sorted (for name prefixes)

    # -- kept up to date ---------------------------------------------------------------------

    def __setitem__(self, name: str, thing: T) -> None:
        if name not in self:
            bisect.insort(self._names, name)
        super().__setitem__(name, thing)
        self.reindex(thing)

    def __delitem__(self, name: str) -> None:
        super().__delitem__(name)
        self._forget(name)

    def pop(self, name: str, *default: Any) -> Any:
        held = name in self
        found = super().pop(name, *default)
        if held:
            self._forget(name)
        return found

    def clear(self) -> None:
        super().clear()
        self._by_key, self._indexed, self._values, self._names = {}, {}, {}, []

    def _forget(self, name: str) -> None:
        self._unindex(name)
        self._names.pop(bisect.bisect_left(self._names, name))

    def reindex(self, thing: T) -> None:
        """The thing's type or attributes changed (in place): move it between the orders."""
        self._unindex(thing.name)
        keys = _keys(thing)
        for key in keys:
            self._by_key.setdefault(key, Ordered()).add(thing.sequence, thing)
        for name, value in thing.attributes.items():
            values = self._values.setdefault(name, [])
            index = bisect.bisect_left(values, value)
            if index == len(values) or values[index] != value:
                values.insert(index, value)
        self._indexed[thing.name] = (thing.sequence, keys)

    def _unindex(self, name: str) -> None:
        sequence, keys = self._indexed.pop(name, (0, []))
        for key in keys:
            ordered = self._by_key[key]
            ordered.discard(sequence)
            if not len(ordered):
                del self._by_key[key]
                if key[0] == "value":  # the last thing with this value: forget the value
                    values = self._values[key[1]]
                    values.pop(bisect.bisect_left(values, key[2]))

    # -- lookups ----------------------------------------------------------------------------

    def named(self, value: str, prefix: bool) -> list[T]:
        """The thing of that name, or (``prefix``) every thing whose name starts with it."""
        if not prefix:
            found = self.get(value)
            return [] if found is None else [found]
        start, end = self._name_range(value)
        return [self[name] for name in self._names[start:end]]

    def count(self, field: str, value: str, prefix: bool) -> int:
        """How many things a lookup would find, without finding them (``field``: fleet
        indexing's ``thingName``, ``thingTypeName`` or ``attributes.NAME``)."""
        if field == "thingName":
            start, end = self._name_range(value) if prefix else (0, int(value in self))
            return end - start
        if field == "thingTypeName":
            return len(self._by_key.get(("type", value)) or ())
        name = field.removeprefix("attributes.")
        if not prefix:
            return len(self._by_key.get(("value", name, value)) or ())
        return sum(len(self._by_key[("value", name, held)]) for held in self._held(name, value))

    def _name_range(self, prefix: str) -> tuple[int, int]:
        start = bisect.bisect_left(self._names, prefix)
        return start, bisect.bisect_left(self._names, prefix + "\U0010ffff", lo=start)

    def _held(self, name: str, prefix: str) -> list[str]:
        """The values of an attribute that start with ``prefix``."""
        values = self._values.get(name, [])
        start = bisect.bisect_left(values, prefix)
        return values[start : bisect.bisect_left(values, prefix + "\U0010ffff", lo=start)]

    # -- ListThings' filters -----------------------------------------------------------------

    def selected(
        self,
        attribute_name: str | None,
        attribute_value: str | None,
        prefix: bool,
        thing_type_name: str | None,
    ) -> Ordered[T]:
        """The things the filters select, as an order to page from. One exact filter is an
        order already kept; a prefix or two filters cost the matches of the narrowest."""
        candidates: list[Ordered[T]] = []
        if thing_type_name is not None:
            candidates.append(self._by_key.get(("type", thing_type_name)) or Ordered())
        if attribute_name is not None:
            candidates.append(self._attribute(attribute_name, attribute_value, prefix))
        if not candidates:
            return self.in_order
        narrowest = min(candidates, key=len)
        if len(candidates) == 1:
            return narrowest
        wanted = _filter(attribute_name, attribute_value, prefix, thing_type_name)
        return Ordered.of(
            (thing for thing in narrowest.window(None, len(narrowest)) if wanted(thing)),
            key=lambda thing: thing.sequence,
        )

    def _attribute(self, name: str, value: str | None, prefix: bool) -> Ordered[T]:
        if value is None:
            return self._by_key.get(("attribute", name)) or Ordered()
        if not prefix:
            return self._by_key.get(("value", name, value)) or Ordered()
        matching: list[T] = []
        for held in self._held(name, value):
            ordered = self._by_key[("value", name, held)]
            matching.extend(ordered.window(None, len(ordered)))
        return Ordered.of(matching, key=lambda thing: thing.sequence)


def _filter(
    attribute_name: str | None, attribute_value: str | None, prefix: bool, type_name: str | None
) -> Callable[[Indexed], bool]:
    def wanted(thing: Indexed) -> bool:
        if type_name is not None and thing.thing_type_name != type_name:
            return False
        if attribute_name is None:
            return True
        value = thing.attributes.get(attribute_name)
        if value is None or attribute_value is None:
            return value is not None
        return value.startswith(attribute_value) if prefix else value == attribute_value

    return wanted
