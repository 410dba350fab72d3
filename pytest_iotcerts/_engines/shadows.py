"""Device shadow documents as the AWS IoT Device Shadow service keeps them: pure, no state.

A shadow holds ``desired`` and ``reported`` state, a metadata tree mirroring both with the epoch
second each leaf was last updated (an array's metadata is one entry per element), a ``version``
that moves on by one with every accepted update, and the time of the last one. An update merges
into what is there: objects merge key by key, any other value (an array included) replaces the
old one whole, and ``null`` removes a key, or a whole section (``"desired": null``). ``delta`` is
what ``desired`` holds that ``reported`` does not: keys missing from reported or with another
value, compared leaf by leaf inside objects and whole for arrays.

The rules checked are the Developer Guide's (Device Shadow error messages, service quotas): UTF-8
JSON, a ``state`` object whose ``desired`` and ``reported`` are objects (or null), at most six
levels of nesting in each, a ``clientToken`` of at most 64 bytes, an integer ``version`` that must
be the shadow's current one, and at most 8 KB of desired and reported state once merged (metadata
does not count). Refusals carry AWS's HTTP code and message (:class:`ShadowError`), for the REST
API's error and the MQTT API's ``rejected`` document alike.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

MAX_STATE_BYTES = 8 * 1024
MAX_DEPTH = 6
MAX_CLIENT_TOKEN_BYTES = 64
SECTIONS = ("desired", "reported")
NOT_UTF8 = "Unsupported documented encoding; supported encoding is UTF-8"
TOO_DEEP = f"JSON contains too many levels of nesting; maximum is {MAX_DEPTH}"


class ShadowError(Exception):
    """A refused shadow request: AWS's HTTP ``code`` and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Shadow:
    """One shadow document (a thing's classic shadow or one of its named shadows)."""

    state: dict[str, dict[str, Any]] = field(default_factory=dict)  # "desired", "reported"
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = 0
    timestamp: int = 0

    def delta(self) -> dict[str, Any] | None:
        desired = self.state.get("desired")
        if desired is None:
            return None
        return _delta(desired, self.state.get("reported") or {}) or None

    def document(self, client_token: str | None = None) -> dict[str, Any]:
        """The GET answer: state (with delta), metadata, version, timestamp."""
        state: dict[str, Any] = copy.deepcopy(self.state)
        delta = self.delta()
        if delta is not None:
            state["delta"] = delta
        document: dict[str, Any] = {
            "state": state,
            "metadata": copy.deepcopy(self.metadata),
            "version": self.version,
            "timestamp": self.timestamp,
        }
        return _with_token(document, client_token)

    def snapshot(self) -> dict[str, Any]:
        """The document as ``update/documents`` shows it (``previous`` and ``current``)."""
        return {
            "state": copy.deepcopy(self.state),
            "metadata": copy.deepcopy(self.metadata),
            "version": self.version,
        }


@dataclass(frozen=True)
class Update:
    """What an accepted update answers and publishes."""

    shadow: Shadow
    accepted: dict[str, Any]
    documents: dict[str, Any]
    delta: dict[str, Any] | None  # the update/delta message, when there is a delta to tell


def read_request(payload: bytes) -> dict[str, Any]:
    """A request document: a JSON object in UTF-8 (an empty payload is an empty request)."""
    if not payload.strip():
        return {}
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ShadowError(415, NOT_UTF8) from None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise ShadowError(400, "Invalid JSON") from None
    if not isinstance(document, dict):
        raise ShadowError(400, "Invalid JSON")
    return document


def client_token(request: dict[str, Any]) -> str | None:
    """The request's ``clientToken`` (echoed in every answer), or 400."""
    token = request.get("clientToken")
    if token is None:
        return None
    if not isinstance(token, str) or len(token.encode()) > MAX_CLIENT_TOKEN_BYTES:
        raise ShadowError(400, "Invalid clientToken")
    return token


def update(current: Shadow | None, request: dict[str, Any], *, version: int, now: int) -> Update:
    """Apply an update request to ``current`` (None: no shadow yet, whose next version follows
    ``version``: a shadow deleted lately keeps counting)."""
    token = client_token(request)
    state = _checked_state(request)
    base = current if current is not None else Shadow(version=version)
    expected = request.get("version")
    if expected is not None:
        if isinstance(expected, bool) or not isinstance(expected, int):
            raise ShadowError(400, "Invalid version")
        if expected != base.version:
            raise ShadowError(409, "Version conflict")
    shadow = Shadow(copy.deepcopy(base.state), copy.deepcopy(base.metadata), base.version + 1, now)
    accepted_metadata: dict[str, Any] = {}
    for section in SECTIONS:
        if section not in state:
            continue
        change = state[section]
        if change is None:
            shadow.state.pop(section, None)
            shadow.metadata.pop(section, None)
            continue
        merged = _merge(shadow.state.get(section, {}), change)
        stamped = _merge_metadata(shadow.metadata.get(section, {}), change, now)
        _set_or_drop(shadow.state, section, merged)
        _set_or_drop(shadow.metadata, section, stamped)
        accepted_metadata[section] = _stamp(change, now)
    if len(json.dumps(shadow.state, separators=(",", ":")).encode()) > MAX_STATE_BYTES:
        raise ShadowError(413, "The payload exceeds the maximum size allowed")
    accepted = _with_token(
        {
            "state": {s: copy.deepcopy(state[s]) for s in SECTIONS if s in state},
            "metadata": accepted_metadata,
            "version": shadow.version,
            "timestamp": now,
        },
        token,
    )
    documents = _with_token(
        {
            "previous": base.snapshot() if current is not None else None,
            "current": shadow.snapshot(),
            "timestamp": now,
        },
        token,
    )
    return Update(shadow, accepted, documents, _delta_message(shadow, state, now, token))


def deleted(shadow: Shadow, *, now: int, token: str | None) -> dict[str, Any]:
    """The DELETE answer."""
    return _with_token({"version": shadow.version, "timestamp": now}, token)


def rejection(error: ShadowError, *, now: int, token: str | None) -> dict[str, Any]:
    """The MQTT API's ``rejected`` document."""
    return _with_token({"code": error.code, "message": error.message, "timestamp": now}, token)


# -- the rules ---------------------------------------------------------------------------------


def _checked_state(request: dict[str, Any]) -> dict[str, Any]:
    if "state" not in request:
        raise ShadowError(400, "Missing required node: state")
    state = request["state"]
    if not isinstance(state, dict):
        raise ShadowError(400, "State node must be an object")
    for key, value in state.items():
        if key not in SECTIONS:
            raise ShadowError(400, "State contains an invalid node")
        if value is not None and not isinstance(value, dict):
            raise ShadowError(400, f"{key.capitalize()} node must be an object")
        if value is not None and _depth(value) > MAX_DEPTH:
            raise ShadowError(400, TOO_DEEP)
    return state


def _depth(value: Any) -> int:
    """Levels of objects and arrays: ``{"a": 1}`` is 1, ``{"a": {"b": 1}}`` is 2."""
    if isinstance(value, dict):
        return 1 + max((_depth(child) for child in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(child) for child in value), default=0)
    return 0


# -- merging -----------------------------------------------------------------------------------


def _merge(old: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = _without_nulls(value)
        if isinstance(merged.get(key), dict) and not merged[key]:
            merged.pop(key)  # an object emptied by nulls is gone, as AWS shows it
    return merged


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return copy.deepcopy(value)


def _merge_metadata(old: dict[str, Any], change: dict[str, Any], now: int) -> dict[str, Any]:
    merged = dict(old)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        elif (
            isinstance(value, dict)
            and isinstance(merged.get(key), dict)
            and ("timestamp" not in merged[key] or len(merged[key]) > 1)
        ):
            merged[key] = _merge_metadata(merged[key], value, now)
        else:
            merged[key] = _stamp(_without_nulls(value), now)
        if isinstance(merged.get(key), dict) and not merged[key]:
            merged.pop(key)
    return merged


def _stamp(value: Any, now: int) -> Any:
    """The metadata of ``value``: its shape, with ``{"timestamp": now}`` at every leaf."""
    if isinstance(value, dict):
        return {key: _stamp(child, now) for key, child in value.items()}
    if isinstance(value, list):
        return [_stamp(child, now) for child in value]
    return {"timestamp": now}


def _set_or_drop(holder: dict[str, Any], key: str, value: dict[str, Any]) -> None:
    if value:
        holder[key] = value
    else:
        holder.pop(key, None)


# -- delta -------------------------------------------------------------------------------------


def _delta(desired: dict[str, Any], reported: dict[str, Any]) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    for key, wanted in desired.items():
        have = reported.get(key)
        if isinstance(wanted, dict) and isinstance(have, dict):
            inner = _delta(wanted, have)
            if inner:
                delta[key] = inner
        elif key not in reported or wanted != have:
            delta[key] = copy.deepcopy(wanted)
    return delta


def _delta_message(
    shadow: Shadow, state: dict[str, Any], now: int, token: str | None
) -> dict[str, Any] | None:
    """``update/delta``: after an update that sets desired state, what of it the device has
    not reported yet (only the keys this update touched)."""
    change = state.get("desired")
    delta = shadow.delta()
    if not isinstance(change, dict) or delta is None:
        return None
    touched = {key: value for key, value in delta.items() if key in change}
    if not touched:
        return None
    metadata = shadow.metadata.get("desired", {})
    return _with_token(
        {
            "version": shadow.version,
            "timestamp": now,
            "state": touched,
            "metadata": {key: copy.deepcopy(metadata[key]) for key in touched if key in metadata},
        },
        token,
    )


def _with_token(document: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        document["clientToken"] = token
    return document
