"""Changes to the fleet that another family of the service acts on.

Groups and things say what changed; jobs (CONTINUOUS ones) act on it. Jobs say which things'
executions changed; the jobs MQTT API tells those devices (``notify``, ``notify-next``). The
teller does not import the part that acts, so imports run one way: jobs need groups to resolve
their targets, and groups need nothing of jobs. The service assembles them in ``__init__``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._core.resources import Job
    from ._scope import Scope

ThingJoined = Callable[["Scope", str, str], None]
ThingChanged = Callable[["Scope", str], None]
ExecutionsChanged = Callable[["Scope", list[str]], None]
JobSucceeded = Callable[["Scope", "Job", str], None]

_on_thing_joined: list[ThingJoined] = []
_on_thing_changed: list[ThingChanged] = []
_on_executions_changed: list[ExecutionsChanged] = []
_on_job_succeeded: list[JobSucceeded] = []


def on_executions_changed(listener: ExecutionsChanged) -> ExecutionsChanged:
    """Call ``listener(scope, thing_names)`` when job executions of those things changed."""
    _on_executions_changed.append(listener)
    return listener


def executions_changed(scope: Scope, thing_names: list[str]) -> None:
    for listener in _on_executions_changed:
        listener(scope, thing_names)


def on_thing_joined(listener: ThingJoined) -> ThingJoined:
    """Call ``listener(scope, group_name, thing_name)`` when a thing is added to a group."""
    _on_thing_joined.append(listener)
    return listener


def on_thing_changed(listener: ThingChanged) -> ThingChanged:
    """Call ``listener(scope, thing_name)`` when a thing is created or updated."""
    _on_thing_changed.append(listener)
    return listener


def thing_joined(scope: Scope, group_name: str, thing_name: str) -> None:
    for listener in _on_thing_joined:
        listener(scope, group_name, thing_name)


def thing_changed(scope: Scope, thing_name: str) -> None:
    for listener in _on_thing_changed:
        listener(scope, thing_name)


def on_job_succeeded(listener: JobSucceeded) -> JobSucceeded:
    """Call ``listener(scope, job, thing_name)`` when a job's execution on a thing succeeds."""
    _on_job_succeeded.append(listener)
    return listener


def job_succeeded(scope: Scope, job: Job, thing_name: str) -> None:
    for listener in _on_job_succeeded:
        listener(scope, job, thing_name)
