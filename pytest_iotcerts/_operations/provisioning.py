"""Wire adapters for provisioning templates, RegisterThing and CreateProvisioningClaim."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.resources import ProvisioningTemplate
from .._service import IotService
from .._x509.crypto import public_key_pem, to_pem
from ._common import operation, page_by_position, page_by_token
from .tags import tag_on_create

TEMPLATE_SETTINGS = ("description", "enabled", "provisioningRoleArn", "preProvisioningHook", "type")


def _settings(params: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: params[name] for name in names if name in params}


@operation("CreateProvisioningTemplate")
def create_template(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    template = service.provisioning_templates.create(
        params["templateName"], params["templateBody"], _settings(params, TEMPLATE_SETTINGS)
    )
    tag_on_create(service, template.arn, params)
    return {
        "templateArn": template.arn,
        "templateName": template.name,
        "defaultVersionId": template.default_version_id,
    }


@operation("DescribeProvisioningTemplate")
def describe_template(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    template = service.provisioning_templates.get(params["templateName"])
    return {
        **template.settings,
        "templateArn": template.arn,
        "templateName": template.name,
        "creationDate": template.creation_date,
        "lastModifiedDate": template.last_modified_date,
        "defaultVersionId": template.default_version_id,
        "templateBody": template.body,
        "enabled": template.enabled,
        "type": template.type,
    }


def _summary(template: ProvisioningTemplate) -> dict[str, Any]:
    return {
        "templateArn": template.arn,
        "templateName": template.name,
        "description": template.settings.get("description"),
        "creationDate": template.creation_date,
        "lastModifiedDate": template.last_modified_date,
        "enabled": template.enabled,
        "type": template.type,
    }


@operation("ListProvisioningTemplates")
def list_templates(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    chosen, token = page_by_token(service.provisioning_templates.in_order(), params)
    return {"templates": [_summary(t) for t in chosen], "nextToken": token}


@operation("UpdateProvisioningTemplate")
def update_template(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    changes = {k: v for k, v in params.items() if k != "templateName"}
    service.provisioning_templates.update(params["templateName"], changes)
    return {}


@operation("DeleteProvisioningTemplate")
def delete_template(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.provisioning_templates.delete(params["templateName"])
    return {}


@operation("CreateProvisioningTemplateVersion")
def create_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    templates = service.provisioning_templates
    version = templates.create_version(
        params["templateName"],
        params["templateBody"],
        set_as_default=bool(params.get("setAsDefault")),
    )
    template = templates.get(params["templateName"])
    return {
        "templateArn": template.arn,
        "templateName": template.name,
        "versionId": version.version_id,
        "isDefaultVersion": version.version_id == template.default_version_id,
    }


@operation("DescribeProvisioningTemplateVersion")
def describe_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    templates = service.provisioning_templates
    version = templates.version(params["templateName"], params["versionId"])
    default = templates.get(params["templateName"]).default_version_id
    return {
        "versionId": version.version_id,
        "creationDate": version.created,
        "templateBody": version.body,
        "isDefaultVersion": version.version_id == default,
    }


@operation("ListProvisioningTemplateVersions")
def list_versions(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    template = service.provisioning_templates.get(params["templateName"])
    chosen, token = page_by_position(list(template.versions.values()), params)
    return {
        "versions": [
            {
                "versionId": v.version_id,
                "creationDate": v.created,
                "isDefaultVersion": v.version_id == template.default_version_id,
            }
            for v in chosen
        ],
        "nextToken": token,
    }


@operation("DeleteProvisioningTemplateVersion")
def delete_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.provisioning_templates.delete_version(params["templateName"], params["versionId"])
    return {}


@operation("RegisterThing")
def register_thing(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    provisioned = service.provisioning.register_thing(
        params["templateBody"], dict(params.get("parameters") or {})
    )
    certificate = provisioned.certificate
    return {
        "certificatePem": None if certificate is None else to_pem(certificate.certificate),
        "resourceArns": provisioned.resource_arns,
    }


@operation("CreateProvisioningClaim")
def create_provisioning_claim(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    claim = service.provisioning.create_claim(params["templateName"])
    return {
        "certificateId": claim.certificate_id,
        "certificatePem": to_pem(claim.certificate),
        "keyPair": {
            "PublicKey": public_key_pem(claim.certificate.public_key()),  # type: ignore[arg-type]
            "PrivateKey": claim.private_key_pem,
        },
        "expiration": claim.certificate.not_valid_after_utc,
    }


@operation("StartThingRegistrationTask")
def start_thing_registration_task(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    task = service.bulk_registration.start(
        params["templateBody"], params["inputFileBucket"], params["inputFileKey"], params["roleArn"]
    )
    return {"taskId": task.task_id}


@operation("DescribeThingRegistrationTask")
def describe_thing_registration_task(
    service: IotService, params: dict[str, Any]
) -> Mapping[str, Any]:
    task = service.bulk_registration.get(params["taskId"])
    return {
        "taskId": task.task_id,
        "creationDate": task.created,
        "lastModifiedDate": task.modified,
        "templateBody": task.template_body,
        "inputFileBucket": task.bucket,
        "inputFileKey": task.key,
        "roleArn": task.role_arn,
        "status": task.status,
        "message": task.message,
        "successCount": task.success_count,
        "failureCount": task.failure_count,
        "percentageProgress": task.percentage_progress,
    }


@operation("ListThingRegistrationTasks")
def list_thing_registration_tasks(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    tasks = service.bulk_registration.select(params.get("status"))
    chosen, token = page_by_position([task.task_id for task in tasks], params)
    return {"taskIds": chosen, "nextToken": token}


@operation("ListThingRegistrationTaskReports")
def list_thing_registration_task_reports(
    service: IotService, params: dict[str, Any]
) -> Mapping[str, Any]:
    task = service.bulk_registration.get(params["taskId"])
    report = params["reportType"]
    chosen, token = page_by_position(task.reports.get(report, []), params)
    return {"resourceLinks": chosen, "reportType": report, "nextToken": token}


@operation("StopThingRegistrationTask")
def stop_thing_registration_task(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.bulk_registration.stop(params["taskId"])
    return {}
