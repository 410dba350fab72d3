"""Topic rule destinations: where HTTP actions may send. An HTTP destination starts
``IN_PROGRESS``; AWS IoT sends its confirmation URL a token (recorded here for the test:
``iot_certs.destination_confirmations()``), and ``ConfirmTopicRuleDestination`` with that token
enables it. A VPC destination is stored and enabled at once (there is no network to wire up)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from .._aws.clock import timestamp
from .._aws.errors import ServiceError, already_exists, invalid_request
from .._core.resources import TopicRuleDestination
from ._scope import Scope

STATUSES = ("ENABLED", "IN_PROGRESS", "DISABLED")


class RuleDestinations:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, configuration: dict[str, Any]) -> TopicRuleDestination:
        http = configuration.get("httpUrlConfiguration")
        vpc = configuration.get("vpcConfiguration")
        if bool(http) == bool(vpc):
            raise invalid_request(
                "A destination has one of httpUrlConfiguration and vpcConfiguration."
            )
        kind = "http" if http else "vpc"
        if http and not str(http.get("confirmationUrl", "")).startswith("https://"):
            raise invalid_request("The confirmationUrl must be an HTTPS URL.")
        now = timestamp()
        destination = TopicRuleDestination(
            arn=f"arn:aws:iot:{self._scope.region}:{self._scope.account_id}:ruledestination/"
            f"{kind}/{uuid.uuid4()}",
            configuration=dict(configuration),
            status="IN_PROGRESS" if http else "ENABLED",
            created_at=now,
            updated_at=now,
        )
        state = self._scope.state
        with self._scope.store.lock:
            url = destination.confirmation_url
            for held in state.rule_destinations.values():
                if url is not None and held.confirmation_url == url:
                    raise already_exists(f"A destination for {url} already exists.", url, held.arn)
            state.rule_destinations[destination.arn] = destination
            if http:
                self._send_confirmation(destination)
        return destination

    def _send_confirmation(self, destination: TopicRuleDestination) -> None:
        """What AWS IoT POSTs to the confirmation URL (lock held)."""
        token = secrets.token_hex(32)
        destination.confirmation_token = token
        self._scope.state.destination_confirmations.append(
            {
                "url": str(destination.confirmation_url),
                "arn": destination.arn,
                "confirmationToken": token,
                "enableUrl": f"https://iot.{self._scope.region}.amazonaws.com/"
                f"confirmdestination/{token}",
            }
        )

    def get(self, arn: str) -> TopicRuleDestination:
        with self._scope.store.lock:
            found = self._scope.state.rule_destinations.get(arn)
        if found is None:
            raise invalid_request(f"The destination {arn} does not exist.")
        return found

    def select(self) -> list[TopicRuleDestination]:
        with self._scope.store.lock:
            return sorted(self._scope.state.rule_destinations.values(), key=lambda d: d.created_at)

    def update(self, arn: str, status: str) -> None:
        if status not in STATUSES:
            raise invalid_request(f"status {status} is not one of {', '.join(STATUSES)}.")
        destination = self.get(arn)
        with self._scope.store.lock:
            if status == "IN_PROGRESS":  # AWS sends the confirmation again
                self._send_confirmation(destination)
            elif status == "ENABLED" and destination.confirmation_token is not None:
                raise ServiceError(
                    "ConflictingResourceUpdateException",
                    f"The destination {arn} is not confirmed yet: confirm it with the token "
                    "sent to its confirmation URL.",
                )
            destination.status, destination.updated_at = status, timestamp()

    def delete(self, arn: str) -> None:
        self.get(arn)
        with self._scope.store.lock:
            self._scope.state.rule_destinations.pop(arn, None)

    def confirm(self, token: str) -> None:
        with self._scope.store.lock:
            for destination in self._scope.state.rule_destinations.values():
                if token and destination.confirmation_token == token:
                    destination.confirmation_token = None
                    destination.status, destination.updated_at = "ENABLED", timestamp()
                    return
        raise invalid_request("The confirmation token is not valid.")

    def enabled_for(self, url: str) -> TopicRuleDestination | None:
        """The enabled HTTP destination whose confirmation URL covers ``url``, as AWS matches
        an HTTP action's endpoint."""
        with self._scope.store.lock:
            for destination in self._scope.state.rule_destinations.values():
                prefix = destination.confirmation_url
                if prefix and url.startswith(prefix) and destination.status == "ENABLED":
                    return destination
        return None
