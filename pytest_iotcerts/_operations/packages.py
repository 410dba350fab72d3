"""Wire adapters for the Software Package Catalog."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.resources import PackageVersion, SoftwarePackage
from .._service import IotService
from ._common import chosen, operation, page_by_position, page_by_token
from .tags import tag_on_create

VERSION_SETTINGS = ("description", "attributes", "artifact", "recipe")


def _package(package: SoftwarePackage) -> dict[str, Any]:
    return {
        "packageName": package.name,
        "defaultVersionName": package.default_version,
        "creationDate": package.creation_date,
        "lastModifiedDate": package.last_modified_date,
    }


def _version(version: PackageVersion) -> dict[str, Any]:
    return {
        "packageName": version.package_name,
        "versionName": version.name,
        "status": version.status,
        "creationDate": version.creation_date,
        "lastModifiedDate": version.last_modified_date,
    }


@operation("CreatePackage")
def create_package(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    package = service.packages.create(
        params["packageName"], params.get("description"), params.get("clientToken")
    )
    tag_on_create(service, package.arn, params)
    return {
        "packageName": package.name,
        "packageArn": package.arn,
        "description": package.description,
    }


@operation("GetPackage")
def get_package(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    package = service.packages.get(params["packageName"])
    return {**_package(package), "packageArn": package.arn, "description": package.description}


@operation("UpdatePackage")
def update_package(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.packages.update(
        params["packageName"],
        params.get("description"),
        params.get("defaultVersionName"),
        bool(params.get("unsetDefaultVersion")),
    )
    return {}


@operation("DeletePackage")
def delete_package(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.packages.delete(params["packageName"])
    return {}


@operation("ListPackages")
def list_packages(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    picked, token = page_by_token(service.packages.in_order(), params)
    return {"packageSummaries": [_package(p) for p in picked], "nextToken": token}


@operation("CreatePackageVersion")
def create_package_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    settings = chosen(params, VERSION_SETTINGS)
    version = service.packages.create_version(
        params["packageName"], params["versionName"], settings, params.get("clientToken")
    )
    tag_on_create(service, version.arn, params)
    return {
        "packageVersionArn": version.arn,
        "packageName": version.package_name,
        "versionName": version.name,
        "description": version.settings.get("description"),
        "attributes": version.settings.get("attributes"),
        "status": version.status,
    }


@operation("GetPackageVersion")
def get_package_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    version = service.packages.get_version(params["packageName"], params["versionName"])
    return {
        **version.settings,
        **_version(version),
        "packageVersionArn": version.arn,
        "sbom": version.sbom,
        "sbomValidationStatus": version.sbom_status,
    }


@operation("UpdatePackageVersion")
def update_package_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    changes = chosen(params, VERSION_SETTINGS)
    service.packages.update_version(
        params["packageName"], params["versionName"], changes, params.get("action")
    )
    return {}


@operation("DeletePackageVersion")
def delete_package_version(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.packages.delete_version(params["packageName"], params["versionName"])
    return {}


@operation("ListPackageVersions")
def list_package_versions(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    found = service.packages.versions(params["packageName"], params.get("status"))
    picked, token = page_by_token(found, params)
    return {"packageVersionSummaries": [_version(v) for v in picked], "nextToken": token}


@operation("GetPackageConfiguration")
def get_package_configuration(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return {"versionUpdateByJobsConfig": service.packages.configuration()}


@operation("UpdatePackageConfiguration")
def update_package_configuration(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.packages.configure(params.get("versionUpdateByJobsConfig") or {})
    return {}


@operation("AssociateSbomWithPackageVersion")
def associate_sbom(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.packages.associate_sbom(params["packageName"], params["versionName"], params["sbom"])
    return {  # validation is under way when AWS answers; GetPackageVersion tells its outcome
        "packageName": params["packageName"],
        "versionName": params["versionName"],
        "sbom": params["sbom"],
        "sbomValidationStatus": "IN_PROGRESS",
    }


@operation("DisassociateSbomFromPackageVersion")
def disassociate_sbom(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.packages.disassociate_sbom(params["packageName"], params["versionName"])
    return {}


@operation("ListSbomValidationResults")
def list_sbom_validation_results(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    results = service.packages.sbom_results(
        params["packageName"], params["versionName"], params.get("validationResult")
    )
    picked, token = page_by_position(results, params)
    return {"validationResultSummaries": picked, "nextToken": token}
