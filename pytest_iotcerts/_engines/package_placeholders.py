"""The Software Package Catalog's substitution parameters in a job document (the developer
guide's "Preparing AWS IoT Jobs"): ``${aws:iot:package:NAME:version:VERSION:attributes}`` (all
of the version's attributes), ``...:attributes:KEY`` (one of them), and
``...:artifact-location:s3-presigned-url`` (a URL to the version's artifact in S3). An empty
name or version (``package::version::``) is the job's single destination package version, and
the version ``$default`` the package's default one. Pure: the service resolves each placeholder
once, when the job is made; this module finds them and writes their values in."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PLACEHOLDER = re.compile(
    r"\$\{aws:iot:package:(?P<package>[^:}]*):version:(?P<version>[^:}]*):"
    r"(?:attributes(?::(?P<key>[^}]+))?|(?P<artifact>artifact(?:-location)?:s3-presigned-url))\}"
)


@dataclass(frozen=True)
class Placeholder:
    """One substitution parameter: its text, the package and version it names (empty: the
    job's own), and what it asks for: every attribute, one (``key``), or the artifact's URL."""

    text: str
    package: str
    version: str
    key: str | None
    artifact: bool


def placeholders(document: str) -> list[Placeholder]:
    """The package placeholders of a job document, each once."""
    found = {
        m.group(0): Placeholder(
            m.group(0), m["package"], m["version"], m["key"], m["artifact"] is not None
        )
        for m in _PLACEHOLDER.finditer(document)
    }
    return list(found.values())


def substitute(document: str, values: Mapping[str, Any]) -> str:
    """The document with each placeholder replaced by its value: a placeholder that is a whole
    JSON string becomes the value itself (every attribute: an object), one inside a longer
    string its text."""
    for text, value in values.items():
        document = document.replace(f'"{text}"', json.dumps(value))
        shown = value if isinstance(value, str) else json.dumps(value)
        document = document.replace(text, json.dumps(shown)[1:-1])
    return document
