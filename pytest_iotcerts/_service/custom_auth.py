"""Custom authentication: a device that does not present an X.509 certificate names a custom
authorizer (``x-amz-customauthorizer-name`` in its MQTT username, or the account's default one),
and the authorizer's Lambda decides. In the mock the Lambda is a Python callable the test
registers (``iot_certs.set_authorizer_function``); it gets AWS's documented event and answers as
a Lambda would. TestInvokeAuthorizer calls the same callable, so the control plane and the
endpoint can never disagree.

The rules are AWS's (Developer Guide, "Custom authentication and authorization"): an authorizer
that signs tokens needs the token (in the query parameter its ``tokenKeyName`` names) and its
signature (``x-amz-customauthorizer-signature``: base64 RSA SHA-256 over the token) verified by
one of its ``tokenSigningPublicKeys`` before the Lambda is called; the answer must hold a boolean
``isAuthenticated``, a ``principalId`` of 1 to 128 letters and digits, ``policyDocuments`` (JSON
policies, at most 10), and ``disconnectAfterInSeconds`` and ``refreshAfterInSeconds`` from 300
to 86,400.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .._aws.errors import ServiceError, invalid_request, not_found
from .._core.resources import Authorizer
from ._scope import Scope

AuthorizerFunction = Callable[[dict[str, Any]], Mapping[str, Any]]
NAME_PARAMETER = "x-amz-customauthorizer-name"
SIGNATURE_PARAMETER = "x-amz-customauthorizer-signature"
MAX_POLICIES = 10
_PRINCIPAL = re.compile(r"^[a-zA-Z0-9]{1,128}$")


@dataclass(frozen=True)
class Answer:
    """What the authorizer decided."""

    is_authenticated: bool
    principal_id: str = ""
    policy_documents: list[str] = field(default_factory=list)
    disconnect_after: int = 86400
    refresh_after: int = 86400


@dataclass(frozen=True)
class Presented:
    """What a client presented to be authenticated (from MQTT, or TestInvokeAuthorizer)."""

    token: str | None = None
    token_signature: str | None = None
    username: str | None = None
    password: bytes | None = None
    client_id: str | None = None
    server_name: str | None = None
    headers: Mapping[str, str] | None = None
    query_string: str | None = None


def _invalid_answer(message: str) -> ServiceError:
    return ServiceError("InvalidResponseException", message)


class CustomAuthentication:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def register(self, authorizer_name: str, function: AuthorizerFunction) -> None:
        """The test's stand-in for the authorizer's Lambda."""
        with self._scope.store.lock:
            self._scope.state.authorizer_functions[authorizer_name] = function

    def invoke(self, authorizer_name: str | None, presented: Presented) -> Answer:
        """Run the authorizer as AWS IoT would; a token whose signature does not verify never
        reaches the function (``isAuthenticated`` false)."""
        authorizer = self._authorizer(authorizer_name)
        verified = self._signature_verified(authorizer, presented)
        if verified is False:
            return Answer(False)
        function = self._scope.state.authorizer_functions.get(authorizer.name)
        if function is None:
            raise _invalid_answer(
                f"No function answers for the authorizer {authorizer.name} (its Lambda "
                f"{authorizer.settings.get('authorizerFunctionArn')}): register one with "
                "iot_certs.set_authorizer_function."
            )
        try:
            answered = function(_event(presented, bool(verified)))
        except Exception as error:  # a Lambda that fails: the connection is refused
            raise _invalid_answer(f"The authorizer's function failed: {error!r}") from None
        return _checked(answered)

    def for_mqtt(
        self,
        username: str | None,
        password: bytes | None,
        client_id: str,
        upgrade: WebSocketUpgrade | None = None,
    ) -> Answer:
        """A CONNECT without a certificate: the authorizer its username names (or, over
        WebSockets, the upgrade request's query string or headers; or the default), with the
        token and its signature from the same places."""
        found = _parameters(username, upgrade)
        authorizer = self._authorizer(found.get(NAME_PARAMETER))
        key = authorizer.settings.get("tokenKeyName")
        presented = Presented(
            token=found.get(key) if key else None,
            token_signature=found.get(SIGNATURE_PARAMETER),
            username=username,
            password=password,
            client_id=client_id,
            headers=None if upgrade is None else upgrade.headers,
            query_string=None if upgrade is None else upgrade.query_string,
        )
        return self.invoke(authorizer.name, presented)

    def _authorizer(self, name: str | None) -> Authorizer:
        state = self._scope.state
        with self._scope.store.lock:
            chosen = name or state.default_authorizer
            authorizer = state.authorizers.get(chosen or "")
        if authorizer is None:
            if chosen is None:
                raise invalid_request("No authorizer is named, and the account has no default.")
            raise not_found(f"The authorizer {chosen} does not exist.")
        if authorizer.status != "ACTIVE":
            raise invalid_request(f"The authorizer {authorizer.name} is not ACTIVE.")
        return authorizer

    def _signature_verified(self, authorizer: Authorizer, presented: Presented) -> bool | None:
        """None when the authorizer does not sign tokens; else whether the signature verifies."""
        if authorizer.settings.get("signingDisabled"):
            return None
        if not presented.token or not presented.token_signature:
            return False
        try:
            signature = base64.b64decode(presented.token_signature, validate=True)
        except (binascii.Error, ValueError):
            return False
        for pem in (authorizer.settings.get("tokenSigningPublicKeys") or {}).values():
            key = load_pem_public_key(str(pem).encode())
            if not isinstance(key, rsa.RSAPublicKey):
                continue
            try:
                key.verify(signature, presented.token.encode(), padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                continue
            return True
        return False


@dataclass(frozen=True)
class WebSocketUpgrade:
    """The HTTP request that opened an MQTT-over-WebSockets connection without a signature."""

    headers: Mapping[str, str]
    query_string: str


def _parameters(username: str | None, upgrade: WebSocketUpgrade | None) -> dict[str, str]:
    """Custom authentication's parameters, first found first: the MQTT username's query string,
    then the WebSocket upgrade's query string, then its headers (names in any case)."""
    found: dict[str, str] = {}
    sources = [parse_qs((username or "").partition("?")[2])]
    if upgrade is not None:
        sources.append(parse_qs(upgrade.query_string))
        sources.append({name.lower(): [value] for name, value in upgrade.headers.items()})
    for source in sources:
        for name, values in source.items():
            found.setdefault(name, values[0])
    return found


def _event(presented: Presented, verified: bool) -> dict[str, Any]:
    """The Lambda's event, as AWS IoT's documentation shows it."""
    event: dict[str, Any] = {
        "token": presented.token,
        "signatureVerified": verified,
        "protocols": [],
        "protocolData": {},
        "connectionMetadata": {"id": str(uuid.uuid4())},
    }
    if presented.server_name is not None or presented.username is not None:
        event["protocols"].append("tls")
        event["protocolData"]["tls"] = {"serverName": presented.server_name or ""}
    if presented.username is not None or presented.client_id is not None:
        event["protocols"].append("mqtt")
        password = presented.password
        event["protocolData"]["mqtt"] = {
            "username": presented.username,
            "password": None if password is None else base64.b64encode(password).decode(),
            "clientId": presented.client_id,
        }
    if presented.headers is not None or presented.query_string is not None:
        event["protocols"].append("http")
        event["protocolData"]["http"] = {
            "headers": dict(presented.headers or {}),
            "queryString": presented.query_string or "",
        }
    return event


def _checked(answered: Any) -> Answer:
    if not isinstance(answered, Mapping) or not isinstance(answered.get("isAuthenticated"), bool):
        raise _invalid_answer("The authorizer's answer needs a boolean isAuthenticated.")
    principal = answered.get("principalId")
    if not isinstance(principal, str) or not _PRINCIPAL.match(principal):
        raise _invalid_answer("principalId must be 1 to 128 letters and digits.")
    documents = answered.get("policyDocuments")
    if not isinstance(documents, list) or len(documents) > MAX_POLICIES:
        raise _invalid_answer(f"policyDocuments must be a list of at most {MAX_POLICIES}.")
    for document in documents:
        if not isinstance(document, str) or not _is_policy(document):
            raise _invalid_answer("Each of policyDocuments must be a JSON policy, as a string.")
    seconds = {}
    for name in ("disconnectAfterInSeconds", "refreshAfterInSeconds"):
        value = answered.get(name, 86400)
        if type(value) is not int or not 300 <= value <= 86400:
            raise _invalid_answer(f"{name} must be an integer from 300 to 86400.")
        seconds[name] = value
    return Answer(
        answered["isAuthenticated"],
        principal,
        list(documents),
        seconds["disconnectAfterInSeconds"],
        seconds["refreshAfterInSeconds"],
    )


def _is_policy(document: str) -> bool:
    try:
        parsed = json.loads(document)
    except ValueError:
        return False
    return isinstance(parsed, dict) and "Statement" in parsed
