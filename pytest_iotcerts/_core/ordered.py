"""Items in creation order (or name order), for lists that page without looking at every
item."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar, overload

T = TypeVar("T")


class Ordered(Generic[T]):
    """Items by their creation sequence: adding and removing cost O(1), and a page from any
    sequence O(page + log n). Removal leaves a gap the page skips; gaps are swept out once they
    outnumber the items."""

    def __init__(self) -> None:
        self._sequences: list[int] = []
        self._items: dict[int, T] = {}

    @classmethod
    def of(cls, items: Iterable[T], key: Callable[[T], int]) -> Ordered[T]:
        ordered: Ordered[T] = cls()
        for item in sorted(items, key=key):
            ordered.add(key(item), item)
        return ordered

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.window(None, len(self)))

    def __contains__(self, item: object) -> bool:
        return any(held is item for held in self._items.values())

    def add(self, sequence: int, item: T) -> None:
        sequences = self._sequences
        if not sequences or sequence > sequences[-1]:
            sequences.append(sequence)
        else:  # created earlier, held later (a transfer); maybe held here before
            index = bisect.bisect_left(sequences, sequence)
            if index == len(sequences) or sequences[index] != sequence:
                sequences.insert(index, sequence)
        self._items[sequence] = item

    def discard(self, sequence: int) -> None:
        if self._items.pop(sequence, None) is not None and len(self._sequences) > 2 * len(self):
            self._sequences = [s for s in self._sequences if s in self._items]

    def window(self, start: int | None, count: int, *, ascending: bool = True) -> list[T]:
        """Up to ``count`` items from the first whose sequence is ``>= start`` (ascending) or
        ``<= start`` (descending); from either end when ``start`` is None."""
        sequences, found = self._sequences, list[T]()
        if ascending:
            index = 0 if start is None else bisect.bisect_left(sequences, start)
            step = 1
        else:
            index = (
                len(sequences) - 1 if start is None else bisect.bisect_right(sequences, start) - 1
            )
            step = -1
        while 0 <= index < len(sequences) and len(found) < count:
            item = self._items.get(sequences[index])
            if item is not None:
                found.append(item)
            index += step
        return found


class Sequenced(Protocol):
    sequence: int


Q = TypeVar("Q", bound=Sequenced)


class Filtered(Ordered[Q]):
    """The items of an order that pass a check, checked only as a page reaches them: a page
    costs the items looked at to fill it, not every item the check would pass."""

    CHUNK = 64

    def __init__(self, base: Ordered[Q], wanted: Callable[[Q], bool]) -> None:
        super().__init__()
        self._base, self._wanted = base, wanted

    def __len__(self) -> int:
        return len(self.window(None, len(self._base)))

    def __contains__(self, item: object) -> bool:
        return any(held is item for held in self)

    def window(self, start: int | None, count: int, *, ascending: bool = True) -> list[Q]:
        found: list[Q] = []
        position = start
        while len(found) < count:
            chunk = self._base.window(position, self.CHUNK, ascending=ascending)
            found += [item for item in chunk if self._wanted(item)]
            if len(chunk) < self.CHUNK:
                break
            position = chunk[-1].sequence + (1 if ascending else -1)
        return found[:count]


S = TypeVar("S", bound=Sequenced)


class Registry(dict[str, S]):
    """Resources by name that also keep ``in_order``, an ``Ordered`` by creation sequence, up to
    date as they are added and removed: an unfiltered list pages from it in O(page + log n)
    instead of sorting the family on every page."""

    def __init__(self) -> None:
        super().__init__()
        self.in_order: Ordered[S] = Ordered()

    def __setitem__(self, name: str, item: S) -> None:
        held = self.get(name)
        if held is not None:
            self.in_order.discard(held.sequence)
        super().__setitem__(name, item)
        self.in_order.add(item.sequence, item)

    def __delitem__(self, name: str) -> None:
        self.in_order.discard(self[name].sequence)
        super().__delitem__(name)

    def pop(self, name: str, *default: Any) -> Any:
        held = self.get(name)
        if held is not None:
            self.in_order.discard(held.sequence)
        return super().pop(name, *default)

    def clear(self) -> None:
        super().clear()
        self.in_order = Ordered()

    def setdefault(self, name: str, default: Any = None) -> Any:
        raise TypeError("Registry.setdefault is not supported: assign with [] instead")

    def update(self, *args: Any, **kwargs: Any) -> None:
        for name, item in dict(*args, **kwargs).items():
            self[name] = item


V = TypeVar("V")


class Sorted(dict[str, V]):
    """Items by name that also keep their names sorted: a list in name order (retained
    messages by topic, a thing's named shadows) pages by position without sorting every item
    on every page."""

    def __init__(self) -> None:
        super().__init__()
        self._names: list[str] = []

    def __setitem__(self, name: str, item: V) -> None:
        if name not in self:
            bisect.insort(self._names, name)
        super().__setitem__(name, item)

    def __delitem__(self, name: str) -> None:
        super().__delitem__(name)
        self._names.pop(bisect.bisect_left(self._names, name))

    def pop(self, name: str, *default: Any) -> Any:
        if name in self:
            item = self[name]
            del self[name]
            return item
        if default:
            return default[0]
        raise KeyError(name)

    def clear(self) -> None:
        super().clear()
        self._names = []

    def setdefault(self, name: str, default: Any = None) -> Any:
        raise TypeError("Sorted.setdefault is not supported: assign with [] instead")

    def update(self, *args: Any, **kwargs: Any) -> None:
        for name, item in dict(*args, **kwargs).items():
            self[name] = item

    def names(self) -> Sequence[str]:
        """The names in order (a view: valid until the next change)."""
        return self._names

    def in_name_order(self) -> Sequence[V]:
        """The items in name order, to slice a page from (a view: valid until the next change)."""
        return _ByName(self)


class _ByName(Sequence[V]):
    def __init__(self, held: Sorted[V]) -> None:
        self._held = held

    def __len__(self) -> int:
        return len(self._held)

    @overload
    def __getitem__(self, index: int) -> V: ...

    @overload
    def __getitem__(self, index: slice) -> list[V]: ...

    def __getitem__(self, index: int | slice) -> V | list[V]:
        names = self._held.names()
        if isinstance(index, slice):
            return [self._held[name] for name in names[index]]
        return self._held[names[index]]
