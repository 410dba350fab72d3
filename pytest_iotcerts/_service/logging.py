"""Logging settings: the v1 options (Set/GetLoggingOptions), the v2 options and the v2 log levels
by target (SetV2LoggingLevel, ListV2LoggingLevels, DeleteV2LoggingLevel).

v2 logging is "not configured" (NotConfiguredException, as the model lists for GetV2LoggingOptions,
SetV2LoggingLevel and ListV2LoggingLevels) until SetV2LoggingOptions is called. The DEFAULT target's
level is the options' ``defaultLogLevel``. A THING_GROUP target must name an existing thing group.
At most 1,000 targets have a level of their own (AWS's quota).
"""

from __future__ import annotations

from typing import Any

from .._aws.errors import ServiceError, invalid_request
from ._scope import Scope
from .security import check_role_arn

MAX_LOG_TARGETS = 1000
DEFAULT = "DEFAULT"


def _not_configured() -> ServiceError:
    return ServiceError(
        "NotConfiguredException", "V2 logging is not configured; call SetV2LoggingOptions first."
    )


class Logging:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def options(self) -> dict[str, str]:
        """GetLoggingOptions: what was set, or nothing."""
        with self._scope.store.lock:
            return dict(self._scope.state.logging.v1 or {})

    def set_options(self, role_arn: str, log_level: str | None) -> None:
        check_role_arn(role_arn)
        options = {"roleArn": role_arn}
        if log_level is not None:
            options["logLevel"] = log_level
        with self._scope.store.lock:
            self._scope.state.logging.v1 = options

    def v2_options(self) -> dict[str, Any]:
        with self._scope.store.lock:
            options = self._scope.state.logging.v2
            if options is None:
                raise _not_configured()
            return dict(options)

    def set_v2_options(
        self, role_arn: str | None, default_level: str | None, disable_all: bool
    ) -> None:
        if role_arn is not None:
            check_role_arn(role_arn)
        options: dict[str, Any] = {"disableAllLogs": disable_all}
        if role_arn is not None:
            options["roleArn"] = role_arn
        if default_level is not None:
            options["defaultLogLevel"] = default_level
        with self._scope.store.lock:
            self._scope.state.logging.v2 = options

    def set_level(self, target_type: str, target_name: str | None, level: str) -> None:
        with self._scope.store.lock:
            logging = self._scope.state.logging
            if logging.v2 is None:
                raise _not_configured()
            if target_type == DEFAULT:
                logging.v2["defaultLogLevel"] = level
                return
            key = (target_type, self._checked_name(target_type, target_name))
            if key not in logging.levels and len(logging.levels) >= MAX_LOG_TARGETS:
                raise ServiceError(
                    "LimitExceededException",
                    f"At most {MAX_LOG_TARGETS} log targets can have a level of their own.",
                )
            logging.levels[key] = level

    def levels(self, target_type: str | None = None) -> list[tuple[str, str | None, str]]:
        """(target type, target name, level), the DEFAULT target first."""
        with self._scope.store.lock:
            logging = self._scope.state.logging
            if logging.v2 is None:
                raise _not_configured()
            found: list[tuple[str, str | None, str]] = []
            default = logging.v2.get("defaultLogLevel")
            if default is not None:
                found.append((DEFAULT, None, default))
            found += [(kind, name, level) for (kind, name), level in logging.levels.items()]
        return [entry for entry in found if target_type in (None, entry[0])]

    def delete_level(self, target_type: str, target_name: str) -> None:
        if target_type == DEFAULT:
            raise invalid_request(
                "The DEFAULT target's level is the default log level; set it with "
                "SetV2LoggingOptions."
            )
        with self._scope.store.lock:
            self._scope.state.logging.levels.pop((target_type, target_name), None)

    def _checked_name(self, target_type: str, target_name: str | None) -> str:
        if not target_name:
            raise invalid_request(f"A {target_type} log target needs a targetName.")
        if target_type == "THING_GROUP" and target_name not in self._scope.state.thing_groups:
            raise invalid_request(f"The thing group {target_name} does not exist.")
        return target_name
