"""The Device Shadow service: classic and named shadows of a thing, reached over HTTP
(``iot-data``'s UpdateThingShadow, GetThingShadow, DeleteThingShadow, ListNamedShadowsForThing)
and over MQTT (``$aws/things/NAME/shadow[/name/SHADOW]/{get,update,delete}``), one store for both.

The documents and their rules are the pure engine's (``_engines.shadows``); this part keeps the
shadows of the caller's account and region, and publishes what AWS IoT publishes as AWS IoT: the
``accepted`` and ``rejected`` answers to MQTT requests, and ``update/delta`` and
``update/documents`` after every accepted update, whichever door it came through.

A thing need not be in the registry to have a shadow, as in AWS IoT. A shadow deleted in the last
48 hours (on the mock's clock) leaves its version: the next one of that name counts on from it.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from .._aws.errors import ServiceError
from .._core.ordered import Sorted
from .._engines import shadows as engine
from .._engines.shadows import Shadow, ShadowError
from ._scope import Scope

VERSION_KEPT_SECONDS = 48 * 3600
CLASSIC = ""
# The Software Package Catalog's reserved named shadow: each package's entry holds only its
# ``version`` and ``attributes`` (the developer guide, "Reserved named shadow").
PACKAGE_SHADOW = "$package"
PACKAGE_KEYWORDS = frozenset({"version", "attributes"})
REQUEST = re.compile(
    r"^\$aws/things/(?P<thing>[^/#+]+)/shadow(?:/name/(?P<shadow>[^/#+]+))?/"
    r"(?P<action>get|update|delete)$"
)
# HTTP status of a refusal -> the modeled error the REST API answers
_ERRORS = {
    400: "InvalidRequestException",
    401: "UnauthorizedException",
    403: "UnauthorizedException",
    404: "ResourceNotFoundException",
    409: "ConflictException",
    413: "RequestEntityTooLargeException",
    415: "UnsupportedDocumentEncodingException",
    429: "ThrottlingException",
}


@dataclass(frozen=True)
class Named:
    """A shadow's place: its thing and its name (``""`` for the classic shadow)."""

    thing: str
    name: str = CLASSIC

    @property
    def prefix(self) -> str:
        """Its MQTT topics' common part."""
        named = f"/name/{self.name}" if self.name else ""
        return f"$aws/things/{self.thing}/shadow{named}"

    def missing(self) -> ServiceError:
        shown = self.name or "Unnamed Shadow"
        return ServiceError("ResourceNotFoundException", f"No shadow exists with name: '{shown}'")


class Shadows:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    # -- the REST API ------------------------------------------------------------------------

    def update(self, where: Named, payload: bytes) -> dict[str, Any]:
        """UpdateThingShadow: the ``accepted`` document."""
        try:
            applied = self._update(where, engine.read_request(payload))
        except ShadowError as error:
            raise _modeled(error) from None
        self._announce(where, applied)
        return applied.accepted

    def get(self, where: Named) -> dict[str, Any]:
        with self._scope.store.lock:
            shadow = self._scope.state.shadows.get((where.thing, where.name))
            if shadow is None:
                raise where.missing()
            return _shown(where, shadow.document())

    def delete(self, where: Named) -> dict[str, Any]:
        try:
            return self._delete(where, None)
        except ShadowError as error:
            raise _modeled(error) from None

    def names(self, thing: str) -> list[str]:
        """The thing's named shadows, in name order (the classic shadow is not among them)."""
        with self._scope.store.lock:
            named = self._scope.state.named_shadows.get(thing)
            return [] if named is None else list(named.names())

    def held(self) -> dict[tuple[str, str], Shadow]:
        with self._scope.store.lock:
            return dict(self._scope.state.shadows)

    # -- the MQTT API ------------------------------------------------------------------------

    def request(self, topic: str, payload: bytes) -> bool:
        """Answer a request published on a shadow topic, as AWS IoT (False: not one)."""
        found = REQUEST.match(topic)
        if found is None:
            return False
        where = Named(found["thing"], found["shadow"] or CLASSIC)
        action = found["action"]
        token = None
        applied = None
        try:
            request = engine.read_request(payload)
            token = engine.client_token(request)
            if action == "update":
                applied = self._update(where, request)
                answer = applied.accepted
            elif action == "get":
                answer = self._get_over_mqtt(where, token)
            else:
                answer = self._delete(where, token)
        except ShadowError as error:
            now = int(time.time())
            rejected = engine.rejection(error, now=now, token=token)
            self._scope.publish(f"{where.prefix}/{action}/rejected", rejected)
            return True
        self._scope.publish(f"{where.prefix}/{action}/accepted", answer)
        if applied is not None:
            self._announce(where, applied)
        return True

    def _get_over_mqtt(self, where: Named, token: str | None) -> dict[str, Any]:
        with self._scope.store.lock:
            shadow = self._scope.state.shadows.get((where.thing, where.name))
            if shadow is None:
                raise ShadowError(404, where.missing().message)
            return _shown(where, shadow.document(token))

    # -- both ---------------------------------------------------------------------------------

    def _update(self, where: Named, request: dict[str, Any]) -> engine.Update:
        key = (where.thing, where.name)
        state = self._scope.state
        if where.name == PACKAGE_SHADOW:
            _check_packages(request)
        with self._scope.store.lock:
            applied = engine.update(
                state.shadows.get(key), request, version=self._kept_version(key), now=_now()
            )
            if where.name == PACKAGE_SHADOW:
                _unstamped(applied)
            state.shadows[key] = applied.shadow
            state.deleted_shadows.pop(key, None)
            if where.name:
                state.named_shadows.setdefault(where.thing, Sorted())[where.name] = applied.shadow
        return applied

    def _announce(self, where: Named, applied: engine.Update) -> None:
        """What AWS IoT publishes after an accepted update: the delta, then both documents."""
        if applied.delta is not None:
            self._scope.publish(f"{where.prefix}/update/delta", applied.delta)
        self._scope.publish(f"{where.prefix}/update/documents", applied.documents)

    def _delete(self, where: Named, token: str | None) -> dict[str, Any]:
        key = (where.thing, where.name)
        state = self._scope.state
        with self._scope.store.lock:
            shadow = state.shadows.pop(key, None)
            if shadow is None:
                raise ShadowError(404, where.missing().message)
            named = state.named_shadows.get(where.thing)
            if named is not None and where.name:
                named.pop(where.name, None)
                if not named:
                    del state.named_shadows[where.thing]
            state.deleted_shadows[key] = (shadow.version, self._scope.clock())
        return engine.deleted(shadow, now=_now(), token=token)

    def _kept_version(self, key: tuple[str, str]) -> int:
        """The version a new shadow counts on from: a deleted one's, for 48 hours."""
        kept = self._scope.state.deleted_shadows.get(key)
        if kept is None or self._scope.clock() - kept[1] > VERSION_KEPT_SECONDS:
            return 0
        return kept[0]

    # -- seeding ------------------------------------------------------------------------------

    def seed(self, where: Named, state: dict[str, Any]) -> dict[str, Any]:
        """An update as the test's setup: ``state`` is ``{"desired": ..., "reported": ...}``."""
        return self.update(where, json.dumps({"state": state}).encode())


def _unstamped(applied: engine.Update) -> None:
    """The reserved shadow ``$package`` keeps no metadata (the developer guide)."""
    applied.shadow.metadata.clear()
    applied.accepted.pop("metadata", None)
    for side in ("previous", "current"):
        if applied.documents.get(side):
            applied.documents[side].pop("metadata", None)


def _shown(where: Named, document: dict[str, Any]) -> dict[str, Any]:
    if where.name == PACKAGE_SHADOW:
        document.pop("metadata", None)
    return document


def _check_packages(request: dict[str, Any]) -> None:
    """An update of ``$package`` that gives a package anything but its version and attributes
    is rejected."""
    state = request.get("state") or {}
    for section in ("desired", "reported"):
        for package, entry in (state.get(section) or {}).items():
            if entry is None:  # the package removed
                continue
            if not isinstance(entry, dict) or not PACKAGE_KEYWORDS.issuperset(entry):
                raise ShadowError(
                    400,
                    f"The reserved named shadow {PACKAGE_SHADOW} holds only version and "
                    f"attributes for each package; {section}.{package} has more.",
                )


def _now() -> int:
    return int(time.time())


def _modeled(error: ShadowError) -> ServiceError:
    return ServiceError(_ERRORS.get(error.code, "InternalFailureException"), error.message)
