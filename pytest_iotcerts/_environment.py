"""The process environment while mocks are active: one stack for every mock in the process.

The environment is process-wide, so it cannot follow each mock on its own. The first mock to
start saves what was there; the environment always holds the settings of the most recently
started mock that is still active; when the last one stops, what was saved comes back. A mock
stopping out of order (``a.start(); b.start(); a.stop()``) leaves ``b``'s values in place.

Only what this module wrote is undone: a variable someone else set in the meantime (a test, or
another mock such as moto's ``mock_aws()``) is theirs. A ``mock.patch.dict(os.environ)`` started
while ours was active (that is how ``mock_aws()`` patches) took a snapshot holding our fake
values; its snapshot is corrected as ours stops, so its own stop restores the real values, not
ours, whatever the order.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from unittest import mock

Values = Mapping[str, str | None]  # None: the variable is unset


class EnvironmentStack:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[tuple[object, Values]] = []
        self._saved: dict[str, str | None] = {}
        self._written: dict[str, set[str | None]] = {}

    def push(self, owner: object, values: Values) -> None:
        with self._lock:
            for name in values:
                self._saved.setdefault(name, os.environ.get(name))
            self._entries.append((owner, values))
            self._apply(values)

    def pop(self, owner: object) -> None:
        with self._lock:
            self._entries = [(o, v) for o, v in self._entries if o is not owner]
            if self._entries:
                self._apply(self._entries[-1][1])
            else:
                self._restore()

    def _apply(self, values: Values) -> None:
        for name, value in values.items():
            if self._is_ours(name, os.environ.get(name)):
                _set(os.environ, name, value)
                self._written.setdefault(name, set()).add(value)

    def _is_ours(self, name: str, live: str | None) -> bool:
        """Unchanged since we saved it, or holding a value we wrote."""
        if name not in self._written:
            return live == self._saved[name]
        return live in self._written[name]

    def _restore(self) -> None:
        snapshots = _environment_snapshots()
        for name, original in self._saved.items():
            written = self._written.get(name, set())
            if os.environ.get(name) in written:
                _set(os.environ, name, original)
            for snapshot in snapshots:
                if snapshot.get(name) in written:
                    _set(snapshot, name, original)
        self._saved.clear()
        self._written.clear()


def _environment_snapshots() -> list[dict[str, str]]:
    """What active ``mock.patch.dict(os.environ, ...)`` patches will restore when they stop."""
    snapshots = []
    for patch in mock._patch._active_patches:  # type: ignore[attr-defined]
        original = getattr(patch, "_original", None)
        if getattr(patch, "in_dict", None) is os.environ and isinstance(original, dict):
            snapshots.append(original)
    return snapshots


def _set(environment: dict[str, str] | os._Environ[str], name: str, value: str | None) -> None:
    if value is None:
        environment.pop(name, None)
    else:
        environment[name] = value


environment = EnvironmentStack()
