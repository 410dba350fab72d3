"""Handlers of the emulated IoT operations, registered by name in HANDLERS."""

from __future__ import annotations

from . import (
    certificates,
    commands,
    data_plane,
    endpoints,
    fleet_metrics,
    groups,
    indexing,
    jobs,
    jobs_data,
    packages,
    policies,
    provisioning,
    registration,
    rules,
    security,
    settings,
    tags,
    thing_types,
    things,
    transfers,
)
from ._common import HANDLERS, SERVICE_HANDLERS, Handler

__all__ = [
    "HANDLERS",
    "SERVICE_HANDLERS",
    "Handler",
    "certificates",
    "commands",
    "data_plane",
    "endpoints",
    "fleet_metrics",
    "groups",
    "indexing",
    "jobs",
    "jobs_data",
    "packages",
    "policies",
    "provisioning",
    "registration",
    "rules",
    "security",
    "settings",
    "tags",
    "thing_types",
    "things",
    "transfers",
]
