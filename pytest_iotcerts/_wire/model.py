"""botocore's IoT service model, read from the server's side.

botocore ships the model to build and parse requests; here the same model finds the operation of
an incoming request (method + requestUri), parses and validates its input the way the service
does, and serializes outputs and errors so that botocore's own parser reads them back. Nothing
here knows about certificates.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import botocore.loaders
from botocore.model import OperationModel, ServiceModel, Shape

from .._aws.errors import ServiceError, invalid_request
from .constraints import validate
from .http import HttpRequest

SERVICE_NAME = "iot"


@dataclass(frozen=True)
class Route:
    operation: OperationModel
    regex: re.Pattern[str]
    labels: tuple[str, ...]
    first_segment: str | None  # None when the URI starts with a label


class IotModel:
    """Routes and (de)serialization for every operation of the IoT control plane."""

    def __init__(self, service_model: ServiceModel) -> None:
        self.service_model = service_model
        # (method, first path segment) -> candidate routes, so matching does not scan all 270.
        self._routes: dict[tuple[str, str | None], list[Route]] = {}
        for name in service_model.operation_names:
            operation = service_model.operation_model(name)
            route = _route_for(operation)
            key = (operation.http["method"].upper(), route.first_segment)
            self._routes.setdefault(key, []).append(route)
        # Literal segments beat labels: GET /certificates must not be read as a label value.
        for routes in self._routes.values():
            routes.sort(key=lambda r: (len(r.labels), -len(r.regex.pattern)))

    @property
    def operation_names(self) -> list[str]:
        return list(self.service_model.operation_names)

    def operation(self, name: str) -> OperationModel:
        return self.service_model.operation_model(name)

    def error_codes(self, operation: str | None = None) -> list[str]:
        if operation is None:
            return sorted(shape.name for shape in self.service_model.error_shapes)
        return sorted(shape.name for shape in self.operation(operation).error_shapes)

    @functools.cached_property
    def errors_by_operation(self) -> dict[str, frozenset[str]]:
        """The error codes each operation can return, by the model."""
        return {
            name: frozenset(shape.name for shape in self.operation(name).error_shapes)
            for name in self.operation_names
        }

    def error_status(self, code: str) -> int | None:
        try:
            shape = self.service_model.shape_for(code)
        except Exception:
            return None
        error = shape.metadata.get("error")
        if not shape.metadata.get("exception") and not error:
            return None
        return int((error or {}).get("httpStatusCode", 400))

    # -- requests ---------------------------------------------------------------------------

    def match(self, request: HttpRequest) -> tuple[OperationModel, dict[str, str]] | None:
        """The operation and its URI labels; a custom endpoint's own path prefix
        (``http://host/prefix/certificates``) is skipped when the full path matches nothing."""
        method = request.method.upper()
        segments = request.path.split("/")
        for start in range(1, max(2, len(segments))):
            path = "/" + "/".join(segments[start:])
            found = self._match_path(method, path)
            if found is not None:
                return found
        return None

    def _match_path(self, method: str, path: str) -> tuple[OperationModel, dict[str, str]] | None:
        first = path.lstrip("/").split("/", 1)[0]
        for key in ((method, first), (method, None)):
            for route in self._routes.get(key, ()):
                found = route.regex.match(path)
                if found:
                    return route.operation, dict(zip(route.labels, found.groups(), strict=True))
        return None

    def parse(
        self, operation: OperationModel, labels: Mapping[str, str], request: HttpRequest
    ) -> dict[str, Any]:
        """The operation's input, keyed by member name, validated as the service validates it.
        A request it cannot accept is refused with the operation's modeled validation error:
        InvalidRequestException, or ValidationException for the operations that model only
        that one (commands, software packages)."""
        try:
            return self._parse(operation, labels, request)
        except ServiceError as error:
            raise _as_modeled(error, operation) from None

    def _parse(
        self, operation: OperationModel, labels: Mapping[str, str], request: HttpRequest
    ) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        query = request.query
        payload = shape.serialization.get("payload")
        raw_payload = payload is not None and shape.members[payload].type_name == "blob"
        body = _json_body(request.body) if _has_body_members(shape) and not raw_payload else {}
        params: dict[str, Any] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire_name = member.serialization.get("name", name)
            if location == "uri":
                if wire_name in labels:
                    params[name] = _from_text(member, unquote(labels[wire_name]), name)
            elif location == "querystring":
                if member.type_name == "list":
                    if wire_name in query:
                        params[name] = [
                            _from_text(member.member, v, name) for v in query[wire_name]
                        ]
                elif wire_name in query:
                    params[name] = _from_text(member, query[wire_name][0], name)
            elif location == "header":
                value = request.header(wire_name)
                if value is not None and member.serialization.get("jsonvalue"):
                    params[name] = _json_header(value, name)
                elif value is not None:
                    params[name] = _from_text(member, value, name)
            elif location is None:
                if payload == name and raw_payload:
                    params[name] = request.body  # a blob payload is the body itself
                elif payload == name:
                    # The body is this member (a structure in every IoT operation that has one).
                    if body:
                        params[name] = _from_json(member, body, name)
                elif body.get(wire_name) is not None:  # JSON null is an absent member
                    params[name] = _from_json(member, body[wire_name], name)
        validate(shape, params, "")
        return params

    # -- responses --------------------------------------------------------------------------

    def serialize_output(
        self, operation: OperationModel, output: Mapping[str, Any]
    ) -> tuple[int, dict[str, str], bytes]:
        shape = operation.output_shape
        headers: dict[str, str] = {}
        status = int(operation.http.get("responseCode", 200))
        if shape is None:
            return status, headers, b""
        payload = shape.serialization.get("payload")
        if payload is not None and shape.members[payload].type_name == "blob":
            headers["Content-Type"] = "application/json"  # AWS IoT's shadow documents
            return status, headers, bytes(output.get(payload) or b"")
        body: dict[str, Any] = {}
        for name, member in shape.members.items():
            value = output.get(name)
            if value is None:
                continue
            location = member.serialization.get("location")
            if location == "header":
                headers[member.serialization.get("name", name)] = str(value)
            elif location == "statusCode":
                status = int(value)
            else:
                body[member.serialization.get("name", name)] = _to_json(member, value)
        headers["Content-Type"] = "application/json"
        return status, headers, json.dumps(body).encode()

    def serialize_error(self, error: ServiceError) -> tuple[int, dict[str, str], bytes]:
        status = self.error_status(error.code) or error.status_code or 400
        body: dict[str, Any] = {"message": error.message}
        for key, value in error.fields.items():
            body[key] = value
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": error.code}
        return status, headers, json.dumps(body).encode()


@functools.cache
def iot_model(service_name: str = SERVICE_NAME) -> IotModel:
    """The process-wide model of an IoT service (``iot``, ``iot-jobs-data``): loading it is the
    slowest thing in start-up, so do it once."""
    # The loader alone: a Session would read the user's AWS config and profile.
    loader = botocore.loaders.create_loader()
    return IotModel(
        ServiceModel(loader.load_service_model(service_name, "service-2"), service_name)
    )


def _route_for(operation: OperationModel) -> Route:
    uri = operation.http["requestUri"].split("?", 1)[0]
    labels: list[str] = []
    pattern = ["^"]
    for part in re.split(r"(\{[^}]+\})", uri):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            greedy = name.endswith("+")
            labels.append(name.rstrip("+"))
            pattern.append("(.+)" if greedy else "([^/]+)")
        else:
            pattern.append(re.escape(part))
    pattern.append("/?$")
    first = uri.lstrip("/").split("/", 1)[0]
    return Route(
        operation, re.compile("".join(pattern)), tuple(labels), None if "{" in first else first
    )


def _has_body_members(shape: Shape) -> bool:
    return any(m.serialization.get("location") is None for m in shape.members.values())


def _as_modeled(error: ServiceError, operation: OperationModel) -> ServiceError:
    codes = {shape.name for shape in operation.error_shapes}
    modeled = error.code in codes or error.code != "InvalidRequestException"
    if not modeled and "ValidationException" in codes:
        return ServiceError("ValidationException", error.message)
    return error


def _json_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        decoded = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_request("The request body is not valid JSON.") from None
    except RecursionError:
        raise invalid_request(
            "The request body is nested too deeply; no IoT input shape is that deep."
        ) from None
    if not isinstance(decoded, dict):
        raise invalid_request("The request body must be a JSON object.")
    return decoded


def _json_header(text: str, where: str) -> Any:
    """A header whose value is JSON, base64-encoded (botocore's ``jsonvalue`` trait)."""
    try:
        return json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid_request(f"'{where}' must be base64-encoded JSON.") from None


def _from_text(shape: Shape, text: str, where: str) -> Any:
    kind = shape.type_name
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise invalid_request(f"Value '{text}' at '{where}' must be 'true' or 'false'.")
        return lowered == "true"
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise invalid_request(f"Value '{text}' at '{where}' must be an integer.") from None
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            raise invalid_request(f"Value '{text}' at '{where}' must be a number.") from None
    if kind == "timestamp":
        return _parse_timestamp(text, where)
    return text


def _from_json(shape: Shape, value: Any, where: str) -> Any:
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        if not isinstance(value, dict):
            raise invalid_request(f"'{where}' must be a JSON object.")
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            wire_name = member.serialization.get("name", name)
            if value.get(wire_name) is not None:  # JSON null is an absent member
                result[name] = _from_json(member, value[wire_name], f"{where}.{name}")
        return result
    if kind == "list":
        if not isinstance(value, list):
            raise invalid_request(f"'{where}' must be a JSON array.")
        return [_from_json(shape.member, item, f"{where}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise invalid_request(f"'{where}' must be a JSON object.")
        return {str(k): _from_json(shape.value, v, f"{where}.{k}") for k, v in value.items()}
    if kind == "string":
        if not isinstance(value, str):
            raise invalid_request(f"'{where}' must be a string.")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise invalid_request(f"'{where}' must be a boolean.")
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid_request(f"'{where}' must be an integer.")
        return value
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid_request(f"'{where}' must be a number.")
        return float(value)
    if kind == "timestamp":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return dt.datetime.fromtimestamp(value, dt.timezone.utc)
        if isinstance(value, str):
            return _parse_timestamp(value, where)
        raise invalid_request(f"'{where}' must be a timestamp.")
    if kind == "blob":
        if not isinstance(value, str):
            raise invalid_request(f"'{where}' must be base64 text.")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise invalid_request(f"'{where}' is not valid base64.") from None
    return value


def _parse_timestamp(text: str, where: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(float(text), dt.timezone.utc)
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_request(f"Value '{text}' at '{where}' is not a timestamp.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _to_json(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return {
            member.serialization.get("name", name): _to_json(member, value[name])
            for name, member in shape.members.items()
            if value.get(name) is not None
        }
    if kind == "list":
        return [_to_json(shape.member, item) for item in value]
    if kind == "map":
        return {key: _to_json(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        if shape.serialization.get("timestampFormat") == "iso8601":
            return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
        timestamp = value.timestamp()
        return int(timestamp) if timestamp == math.floor(timestamp) else round(timestamp, 3)
    if kind == "blob":
        raw = value.encode() if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode()
    return value
