"""Errors the emulated service answers with (the router serializes them as AWS does), and the
warning pytest-iotcerts gives tests."""

from __future__ import annotations

from typing import Any

from .public import public


@public
class ServiceError(Exception):
    """A modeled IoT error: ``code`` is the error shape's name, ``fields`` its extra members.

    ``status_code`` is only given for codes outside the service model (the HTTP status of a
    modeled error always comes from the model).
    """

    def __init__(
        self, code: str, message: str, *, status_code: int | None = None, **fields: Any
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status_code = status_code
        self.fields = fields


def invalid_request(message: str) -> ServiceError:
    return ServiceError("InvalidRequestException", message)


def not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message)


@public
class IotCertsWarning(UserWarning):
    """Something a test should know about its IoT calls that did not fail it: an operation not
    emulated yet, a counted fault rule that never fired, an internal error of pytest-iotcerts.
    Make them errors with ``-W error::pytest_iotcerts.IotCertsWarning``."""


def already_exists(message: str, resource_id: str, arn: str) -> ServiceError:
    """ResourceAlreadyExistsException, naming the resource that is in the way."""
    return ServiceError(
        "ResourceAlreadyExistsException", message, resourceId=resource_id, resourceArn=arn
    )
