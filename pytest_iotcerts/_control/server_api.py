"""The control API of the standalone server: drive the emulator from any language over HTTP.

Requests under ``/_iotcerts/`` are answered here (unsigned, plain JSON); every other request goes
to the emulator's router, exactly as from the mock's own loopback endpoint.

=======================  ======================================================================
``POST /_iotcerts/reset``        forget all state, calls and faults
``GET /_iotcerts/certificates``  ``{"certificates": [...]}`` (``things``, ``policies`` likewise)
``POST /_iotcerts/faults``       a JSON object of ``add_fault``'s arguments; ``DELETE`` clears all
``GET /_iotcerts/calls``         the call log
``GET /_iotcerts/ca``            the CA certificate's PEM
``GET /_iotcerts/events``        the messages AWS IoT published (registry, jobs, lifecycle events)
``GET /_iotcerts/mqtt``          the MQTT endpoint (``serve --mqtt``): where, its CA file, the
                                 clients connected, the messages published, the refusals
=======================  ======================================================================
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._core.events import Message
from .._wire.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .controller import IotCerts

PREFIX = "/_iotcerts/"
FAULT_ARGUMENTS = ("operation", "times", "message", "account_id", "region", "probability", "seed")


def _json(status: int, body: Any) -> HttpResponse:
    payload = json.dumps(body, default=str).encode()
    return HttpResponse(status, {"Content-Type": "application/json"}, payload)


def _message(message: Message) -> dict[str, Any]:
    """A message as JSON: its payload as text (UTF-8), or base64 when it is not text."""
    shown: dict[str, Any] = {"topic": message.topic, "sender": message.sender}
    try:
        shown["payload"] = message.payload.decode()
    except UnicodeDecodeError:
        shown["payloadBase64"] = base64.b64encode(message.payload).decode()
    return shown


class ControlApi:
    """The server's request handler: the control API, then the emulator."""

    def __init__(self, controller: IotCerts) -> None:
        self._controller = controller
        self._routes: dict[tuple[str, str], Callable[[HttpRequest], HttpResponse]] = {
            ("POST", "reset"): self._reset,
            ("GET", "certificates"): self._certificates,
            ("GET", "things"): self._things,
            ("GET", "policies"): self._policies,
            ("POST", "faults"): self._add_fault,
            ("DELETE", "faults"): self._clear_faults,
            ("GET", "calls"): self._calls,
            ("GET", "ca"): self._ca,
            ("GET", "events"): self._events,
            ("GET", "mqtt"): self._mqtt,
        }

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = urlsplit(request.url).path
        if not path.startswith(PREFIX):
            return self._controller.handle(request)
        route = self._routes.get((request.method, path[len(PREFIX) :].strip("/")))
        if route is None:
            known = ", ".join(f"{m} {PREFIX}{p}" for m, p in self._routes)
            return _json(404, {"message": f"No control route {request.method} {path}; {known}."})
        return route(request)

    def _reset(self, request: HttpRequest) -> HttpResponse:
        self._controller.reset()
        return _json(200, {})

    def _certificates(self, request: HttpRequest) -> HttpResponse:
        certificates = [
            {
                "certificateId": c.certificate_id,
                "certificateArn": c.arn,
                "status": c.status,
                "certificatePem": c.pem,
                "accountId": c.account_id,
                "region": c.region,
                "operation": c.operation,
                "caCertificateId": c.ca_certificate_id,
                "things": sorted(c.things),
                "policies": sorted(c.policies),
                "creationDate": c.creation_date.isoformat(),
            }
            for c in self._controller.certificates
        ]
        return _json(200, {"certificates": certificates})

    def _things(self, request: HttpRequest) -> HttpResponse:
        things = [
            {
                "thingName": t.name,
                "thingArn": t.arn,
                "accountId": t.account_id,
                "region": t.region,
                "thingTypeName": t.thing_type_name,
                "attributes": t.attributes,
                "principals": t.principals,
                "thingGroups": t.thing_groups,
            }
            for t in self._controller.things
        ]
        return _json(200, {"things": things})

    def _policies(self, request: HttpRequest) -> HttpResponse:
        policies = [
            {
                "policyName": p.name,
                "policyArn": p.arn,
                "accountId": p.account_id,
                "region": p.region,
                "policyDocument": p.document,
                "defaultVersionId": p.default_version_id,
                "targets": p.targets,
            }
            for p in self._controller.policies
        ]
        return _json(200, {"policies": policies})

    def _add_fault(self, request: HttpRequest) -> HttpResponse:
        try:
            arguments = json.loads(request.body or b"{}")
            if not isinstance(arguments, dict) or "error_code" not in arguments:
                raise ValueError("the body must be a JSON object with an error_code")
            unknown = sorted(set(arguments) - {"error_code", "strict", *FAULT_ARGUMENTS})
            if unknown:
                raise ValueError(f"unknown fault argument(s): {', '.join(unknown)}")
            rule = self._controller.add_fault(**arguments)
        except (ValueError, TypeError) as error:
            return _json(400, {"message": str(error)})
        return _json(200, {"fault": rule.describe()})

    def _clear_faults(self, request: HttpRequest) -> HttpResponse:
        self._controller.clear_faults()
        return _json(200, {})

    def _calls(self, request: HttpRequest) -> HttpResponse:
        calls = [
            {
                "operation": c.operation,
                "service": c.service,
                "statusCode": c.status_code,
                "errorCode": c.error_code,
                "errorMessage": c.error_message,
                "accountId": c.account_id,
                "region": c.region,
                "requestId": c.request_id,
                "certificateId": c.certificate_id,
            }
            for c in self._controller.calls
        ]
        return _json(200, {"calls": calls})

    def _events(self, request: HttpRequest) -> HttpResponse:
        return _json(200, {"events": [_message(m) for m in self._controller.events]})

    def _mqtt(self, request: HttpRequest) -> HttpResponse:
        endpoint = self._controller._mqtt
        if endpoint is None:
            return _json(404, {"message": "The MQTT endpoint is off; serve with --mqtt."})
        return _json(
            200,
            {
                "host": endpoint.host,
                "port": endpoint.port,
                "caFile": str(endpoint.ca_file),
                "clients": [
                    {"clientId": c.client_id, "certificateId": c.certificate_id}
                    for c in endpoint.clients
                ],
                "messages": [_message(m) for m in endpoint.messages],
                "refusals": [
                    {"certificateId": r.certificate_id, "reason": r.reason}
                    for r in endpoint.refusals
                ],
            },
        )

    def _ca(self, request: HttpRequest) -> HttpResponse:
        pem = self._controller.ca_pem.encode()
        return HttpResponse(200, {"Content-Type": "application/x-pem-file"}, pem)
