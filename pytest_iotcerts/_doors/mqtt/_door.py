"""AWS IoT's side of the MQTT endpoint: which connections are admitted, what a device may do (its
policies, when the mock enforces them), what the device provisioning API answers, and the
lifecycle events. The answers come from the service layer; the broker calls this from its
thread."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..._aws import mqtt_limits
from ..._aws.errors import ServiceError
from ..._core.events import Message
from ..._service import IotService
from ..._service.connections import ConnectionRefused
from ..._service.custom_auth import WebSocketUpgrade
from ..._service.messages import subscribe_only
from ..._x509.crypto import der_certificate_id
from ._provisioning_api import DropConnection, ProvisioningApi, Request
from ._records import Client, Records, Refusal


class DeviceDoor:
    """What ``_broker.IotBroker`` asks."""

    def __init__(
        self,
        service: Callable[[], IotService],
        api: ProvisioningApi,
        enforce_policies: Callable[[], bool],
    ) -> None:
        self._service = service
        self._api = api
        self._enforce_policies = enforce_policies
        self._sessions: dict[str, Client] = {}  # session identifier -> its client
        self._reasons: dict[str, str] = {}  # session identifier -> why AWS IoT closed it
        self.records = Records()

    def reset(self) -> None:
        """Forget every session and record (the mock was reset; connections are dropped)."""
        self._sessions.clear()
        self._reasons.clear()
        self.records.clear()

    # -- the connection ----------------------------------------------------------------------

    def admit(self, certificate_der: bytes | None) -> bool:
        """After the TLS handshake: the certificate's status, its CA's, JITR. A client without
        a certificate goes on to its CONNECT, where a custom authorizer decides."""
        if certificate_der is None:
            return True
        try:
            self._service().connections.admit(certificate_der)
        except ConnectionRefused as refusal:
            self.records.refused(Refusal(der_certificate_id(certificate_der), refusal.reason))
            return False
        except ServiceError as error:  # JITR met a rule (its CA deactivated meanwhile, say)
            self.records.refused(Refusal(der_certificate_id(certificate_der), error.message))
            return False
        return True

    def refused_before_connect(self, certificate_der: bytes | None, reason: str) -> None:
        """An admitted connection closed before its CONNECT was read (none came in time, or
        one of a protocol version not served)."""
        certificate_id = None if certificate_der is None else der_certificate_id(certificate_der)
        self.records.refused(Refusal(certificate_id, reason))

    def connect(
        self,
        client_id: str,
        certificate_der: bytes | None,
        username: str | None = None,
        password: bytes | None = None,
        protocol_version: int = 4,
        upgrade: WebSocketUpgrade | None = None,
    ) -> str | None:
        """The CONNECT (MQTT 3.1.1 is protocol version 4, MQTT 5 is 5): the new session's
        identifier, or None when iot:Connect is denied (or the client id is past AWS IoT's
        limit)."""
        too_long = mqtt_limits.client_id_refusal(client_id)
        if too_long is not None:
            certificate = None if certificate_der is None else der_certificate_id(certificate_der)
            self.records.refused(Refusal(certificate, too_long))
            return None
        if certificate_der is None:
            return self._connect_by_authorizer(
                client_id, username, password, protocol_version, upgrade
            )
        certificate_id = der_certificate_id(certificate_der)
        if not self._may(certificate_id, client_id, "iot:Connect", client_id):
            self.records.refused(
                Refusal(certificate_id, f"iot:Connect is not allowed for client id {client_id}.")
            )
            return None
        client = Client(
            client_id, certificate_id, uuid.uuid4().hex, protocol_version=protocol_version
        )
        self._sessions[client.session_identifier] = client
        self.records.connected(client)
        self._service().connections.connected(certificate_id, client_id, client.session_identifier)
        return client.session_identifier

    def _connect_by_authorizer(
        self,
        client_id: str,
        username: str | None,
        password: bytes | None,
        protocol_version: int,
        upgrade: WebSocketUpgrade | None,
    ) -> str | None:
        """No certificate: the custom authorizer its username names (or the default) decides,
        and the policies it answers govern the connection."""
        service = self._service()
        try:
            answer = service.custom_auth.for_mqtt(username, password, client_id, upgrade)
        except ServiceError as error:
            how = "No certificate" if upgrade is None else "No SigV4 signature on the WebSocket"
            self.records.refused(Refusal(None, f"{how}, and {error.message}"))
            return None
        policies = tuple(answer.policy_documents)
        if not answer.is_authenticated or not service.authorization.allows_by(
            list(policies), client_id, "iot:Connect", client_id
        ):
            reason = "authenticated" if not answer.is_authenticated else "allowed iot:Connect"
            self.records.refused(Refusal(None, f"The custom authorizer has not {reason}."))
            return None
        client = Client(
            client_id,
            None,
            uuid.uuid4().hex,
            principal_id=answer.principal_id,
            policies=policies,
            protocol_version=protocol_version,
        )
        self._sessions[client.session_identifier] = client
        self.records.connected(client)
        service.connections.connected(client.principal, client_id, client.session_identifier)
        return client.session_identifier

    def websocket_signature(self, path: str) -> str | None:
        """The access key of a WebSocket upgrade signed as AWS IoT's device gateway expects
        (SigV4 query parameters, service ``iotdevicegateway``); None when it is not signed (a
        custom authorizer then decides at the CONNECT)."""
        query = parse_qs(urlsplit(path).query)
        credential = (query.get("X-Amz-Credential") or [""])[0].split("/")
        signed = (
            (query.get("X-Amz-Algorithm") or [""])[0] == "AWS4-HMAC-SHA256"
            and len(credential) == 5
            and credential[3] == "iotdevicegateway"
            and bool(query.get("X-Amz-Signature"))
            and bool(query.get("X-Amz-Date"))
        )
        return credential[0] if signed else None

    def connect_signed(
        self, client_id: str, access_key_id: str, protocol_version: int = 4
    ) -> str | None:
        """A CONNECT over a signed WebSocket: an IAM principal (IAM policies are not
        emulated: it may do anything)."""
        client = Client(
            client_id,
            None,
            uuid.uuid4().hex,
            principal_id=access_key_id,
            signed=True,
            protocol_version=protocol_version,
        )
        self._sessions[client.session_identifier] = client
        self.records.connected(client)
        self._service().connections.connected(
            client.principal, client_id, client.session_identifier
        )
        return client.session_identifier

    def closing(self, session_identifier: str, reason: str) -> None:
        """AWS IoT closes the connection (the broker is told to next): gone from ``clients`` at
        once, with the reason its lifecycle event will give."""
        client = self._sessions.get(session_identifier)
        if client is not None:
            self._reasons[session_identifier] = reason
            self.records.disconnected(client.client_id, session_identifier)

    def disconnected(self, session_identifier: str, clean: bool) -> None:
        client = self._sessions.pop(session_identifier, None)
        if client is None:
            return
        reason = self._reasons.pop(session_identifier, None) or (
            "CLIENT_INITIATED_DISCONNECT" if clean else "CONNECTION_LOST"
        )
        self.records.disconnected(client.client_id, session_identifier)
        self._service().connections.disconnected(
            client.principal, client.client_id, session_identifier, reason
        )

    def subscribed(self, client_id: str, topic_filters: list[str]) -> None:
        client = self.records.client(client_id)
        if client is not None:
            self._service().connections.subscribed(
                client.principal, client_id, client.session_identifier, topic_filters
            )

    # -- what a device does ------------------------------------------------------------------

    def may(self, client_id: str, action: str, name: str) -> bool:
        """``iot:Publish``, ``iot:Subscribe`` or ``iot:Receive`` on a topic (filter)."""
        client = self.records.client(client_id)
        if client is None:
            return False
        if action == "iot:Subscribe" and mqtt_limits.topic_refusal(name) is not None:
            return False  # past AWS IoT's topic limits: refused in the SUBACK
        if client.signed:
            return True
        if client.policies is not None:  # a custom authorizer's policies always govern
            return self._service().authorization.allows_by(
                list(client.policies), client_id, action, name
            )
        return self._may(client.certificate_id or "", client_id, action, name)

    def _may(self, certificate_id: str, client_id: str, action: str, name: str) -> bool:
        if not self._enforce_policies():
            return True
        return self._service().authorization.allows(certificate_id, client_id, action, name)

    def past_limits(self, client_id: str, topic: str, payload: bytes) -> bool:
        """A PUBLISH past AWS IoT's limits (payload, topic length, slashes): recorded as a
        refusal; the broker disconnects the client (CLIENT_ERROR)."""
        reason = mqtt_limits.publish_refusal(topic, payload)
        if reason is None:
            return False
        client = self.records.client(client_id)
        self.records.refused(Refusal(client.certificate_id if client else None, reason))
        return True

    def published(
        self,
        client_id: str,
        topic: str,
        payload: bytes,
        qos: int,
        retain: bool,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        """A device's message, which the broker delivers: kept in the account's one record of
        messages (retained, and answered when it is a shadow request) and in the endpoint's,
        with its MQTT 5 properties named as Publish names them."""
        service = self._service()
        try:
            message = service.messages.publish(
                topic,
                payload,
                qos=qos,
                retain=retain,
                sender=client_id,
                via="mqtt",
                properties=properties,
                delivered=True,
            )
        except ServiceError:  # not a topic to publish on: the broker has refused it already
            return
        self.records.add_message(message)

    def subscribe_only(self, topic: str) -> bool:
        """A reserved topic AWS IoT publishes on, which devices may only subscribe to."""
        return subscribe_only(topic)

    def is_api(self, topic: str) -> bool:
        """Topics AWS IoT answers rather than delivers: the provisioning API, and basic ingest
        (``$aws/rules/...``, which rules take and no subscriber receives)."""
        return Request.parse(topic) is not None or topic.startswith("$aws/rules/")

    def reserved(
        self, client_id: str, topic: str, payload: bytes
    ) -> list[tuple[str, bytes]] | None:
        """The answers to a request to the device provisioning API (None: drop the connection)."""
        request = Request.parse(topic)
        client = self.records.client(client_id)
        if request is None or client is None:
            return []
        service = self._service()
        try:
            claim = service.certificates.describe(client.certificate_id or "")
            answer_topic, data = self._api.answer(request, payload, claim, client_id)
        except (DropConnection, ServiceError):  # a fault, or the certificate is gone
            return None
        self.records.add_message(
            Message(answer_topic, data, None, service.account_id, service.region)
        )
        return [(answer_topic, data)]
