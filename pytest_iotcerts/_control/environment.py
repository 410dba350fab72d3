"""The process environment while mocks are active: one stack for every mock in the process.

The environment is process-wide, so it cannot follow each mock on its own. The first mock to
start saves what was there; the environment always holds the settings of the most recently
started mock that is still active; when the last one stops, what was saved comes back. A mock
stopping out of order (``a.start(); b.start(); a.stop()``) leaves ``b``'s values in place.

Only what this module wrote is undone: a variable someone else set in the meantime (a test, or
another mock such as moto's ``mock_aws()``) is theirs. Another mock started while ours was active
took a snapshot holding our fake values, and restores it when it stops, perhaps after ours: its
snapshot is corrected as ours stops, so its own stop restores the real values, whatever the
order. Two kinds of snapshot are known: an active ``mock.patch.dict(os.environ)``, and moto's
``mock_aws()``, which keeps the credentials it replaced in ``_orig_creds``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any
from unittest import mock

Values = Mapping[str, str | None]  # None: the variable is unset


class EnvironmentStack:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[tuple[object, Values]] = []
        self._saved: dict[str, str | None] = {}
        self._written: dict[str, set[str | None]] = {}
        self._moto = _MotoWatch()
        self._boto3 = _Boto3DefaultSession()

    def push(self, owner: object, values: Values) -> None:
        with self._lock:
            if not self._entries:
                self._moto.start()
                self._boto3.start()
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
        self._boto3.stop()
        patched = _patch_dict_snapshots()
        moto = self._moto.stop()
        for name, original in self._saved.items():
            written = self._written.get(name, set())
            if os.environ.get(name) in written:
                _set(os.environ, name, original)
            for snapshot in patched:
                if snapshot.get(name) in written:
                    _set(snapshot, name, original)
            for saved in moto:  # moto restores None as "unset"
                if name in saved and saved[name] in written:
                    saved[name] = original
        self._saved.clear()
        self._written.clear()


def _patch_dict_snapshots() -> list[dict[str, str]]:
    """What active ``mock.patch.dict(os.environ, ...)`` patches will restore when they stop."""
    snapshots = []
    for patch in mock._patch._active_patches:  # type: ignore[attr-defined]
        original = getattr(patch, "_original", None)
        if getattr(patch, "in_dict", None) is os.environ and isinstance(original, dict):
            snapshots.append(original)
    return snapshots


class _MotoWatch:
    """Notes the credentials each moto ``mock_aws()`` replaces while ours are active (moto, if
    imported, is watched through its ``_mock_env_variables``; nothing is imported here)."""

    def __init__(self) -> None:
        self._seen: list[dict[str, str | None]] = []
        self._patched: tuple[type, Callable[..., Any]] | None = None

    def start(self) -> None:
        mock_aws_class = getattr(sys.modules.get("moto.core.models"), "MockAWS", None)
        original = vars(mock_aws_class).get("_mock_env_variables") if mock_aws_class else None
        if mock_aws_class is None or original is None:
            return
        seen = self._seen

        def _mock_env_variables(moto_mock: Any) -> None:
            original(moto_mock)
            seen.append(moto_mock._orig_creds)

        setattr(mock_aws_class, "_mock_env_variables", _mock_env_variables)  # noqa: B010
        self._patched = (mock_aws_class, original)

    def stop(self) -> list[dict[str, str | None]]:
        """Unwatch; what the moto mocks started meanwhile will restore."""
        if self._patched is not None:
            mock_aws_class, original = self._patched
            setattr(mock_aws_class, "_mock_env_variables", original)  # noqa: B010
            self._patched = None
        seen, self._seen = self._seen, []
        return seen


class _Boto3DefaultSession:
    """boto3 keeps the session its first ``boto3.client()`` made, with the credentials and region
    of that moment: made under a mock, it holds the fake ones, and every later ``boto3.client()``
    of the process (any service) would sign with them. The first mock to start sets it aside,
    so a session made meanwhile reads the mock's environment; the last to stop puts it back.
    boto3 is never imported here."""

    def __init__(self) -> None:
        self._saved: object = None

    def start(self) -> None:
        boto3 = sys.modules.get("boto3")
        self._saved = getattr(boto3, "DEFAULT_SESSION", None)
        if boto3 is not None:
            boto3.DEFAULT_SESSION = None  # type: ignore[attr-defined]

    def stop(self) -> None:
        boto3 = sys.modules.get("boto3")
        if boto3 is not None:
            boto3.DEFAULT_SESSION = self._saved  # type: ignore[attr-defined]
        self._saved = None


def _set(environment: dict[str, str] | os._Environ[str], name: str, value: str | None) -> None:
    if value is None:
        environment.pop(name, None)
    else:
        environment[name] = value


environment = EnvironmentStack()
