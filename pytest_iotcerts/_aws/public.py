"""The names users meet are shown with the path they import them from (``pytest_iotcerts.X``),
in messages, tracebacks and reprs, wherever the class is defined inside the package."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T", bound=type)


def public(cls: T) -> T:
    """Show ``cls`` as ``pytest_iotcerts.<name>`` (apply it outermost, after ``@dataclass``)."""
    cls.__module__ = "pytest_iotcerts"
    return cls
