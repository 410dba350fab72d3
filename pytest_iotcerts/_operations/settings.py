"""Wire adapters for the account settings deployment code sets: event configurations and
logging (v1 and v2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._service import IotService
from ._common import operation, page_by_position


@operation("DescribeEventConfigurations")
def describe_event_configurations(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    enabled, created, modified = service.event_configurations.describe()
    return {
        "eventConfigurations": {kind: {"Enabled": on} for kind, on in enabled.items()},
        "creationDate": created,
        "lastModifiedDate": modified,
    }


@operation("UpdateEventConfigurations")
def update_event_configurations(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.event_configurations.update(params.get("eventConfigurations") or {})
    return {}


@operation("GetLoggingOptions")
def get_logging_options(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return service.logging.options()


@operation("SetLoggingOptions")
def set_logging_options(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    payload = params["loggingOptionsPayload"]
    service.logging.set_options(payload["roleArn"], payload.get("logLevel"))
    return {}


@operation("GetV2LoggingOptions")
def get_v2_logging_options(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return service.logging.v2_options()


@operation("SetV2LoggingOptions")
def set_v2_logging_options(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.logging.set_v2_options(
        params.get("roleArn"), params.get("defaultLogLevel"), bool(params.get("disableAllLogs"))
    )
    return {}


@operation("SetV2LoggingLevel")
def set_v2_logging_level(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    target = params["logTarget"]
    service.logging.set_level(target["targetType"], target.get("targetName"), params["logLevel"])
    return {}


@operation("ListV2LoggingLevels")
def list_v2_logging_levels(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    levels, token = page_by_position(service.logging.levels(params.get("targetType")), params)
    configurations = [
        {
            "logTarget": {"targetType": kind, **({"targetName": name} if name else {})},
            "logLevel": level,
        }
        for kind, name, level in levels
    ]
    return {"logTargetConfigurations": configurations, "nextToken": token}


@operation("DeleteV2LoggingLevel")
def delete_v2_logging_level(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.logging.delete_level(params["targetType"], params["targetName"])
    return {}


@operation("DescribeEncryptionConfiguration")
def describe_encryption_configuration(
    service: IotService, params: dict[str, Any]
) -> Mapping[str, Any]:
    return service.encryption.describe()


@operation("UpdateEncryptionConfiguration")
def update_encryption_configuration(
    service: IotService, params: dict[str, Any]
) -> Mapping[str, Any]:
    service.encryption.update(
        params["encryptionType"], params.get("kmsKeyArn"), params.get("kmsAccessRoleArn")
    )
    return {}
