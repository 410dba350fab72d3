"""Items in creation order, for lists that page without looking at every item."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

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
