"""The Software Package Catalog through boto3, as the developer guide's "Preparing to use
Software Package Catalog" describes it: a package's versions move DRAFT -> PUBLISHED <->
DEPRECATED, what each state lets you edit, the default version, deletion, and jobs that record
the versions they install in the thing's reserved named shadow ``$package``."""

from __future__ import annotations

import io
import json
import urllib.parse
import zipfile
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pytest_iotcerts import IotCerts

ROLE = "arn:aws:iam::123456789012:role/packages"


@pytest.fixture
def firmware(client: Any) -> Any:
    """A package with one DRAFT version, 1.0.0."""
    client.create_package(packageName="firmware", description="the lamp's firmware")
    client.create_package_version(
        packageName="firmware", versionName="1.0.0", attributes={"os": "rtos"}
    )
    return client


def status(client: Any, version: str = "1.0.0") -> str:
    found = client.get_package_version(packageName="firmware", versionName=version)
    return str(found["status"])


def publish(client: Any, version: str = "1.0.0", action: str = "PUBLISH") -> None:
    client.update_package_version(packageName="firmware", versionName=version, action=action)


# -- packages and versions ----------------------------------------------------------------------


def test_a_package_and_its_version_are_made_and_described(client: Any) -> None:
    made = client.create_package(packageName="firmware", description="lamp", tags={"team": "a"})
    version = client.create_package_version(
        packageName="firmware",
        versionName="1.0.0",
        attributes={"os": "rtos"},
        artifact={"s3Location": {"bucket": "builds", "key": "fw.bin", "version": "1"}},
        tags={"stage": "beta"},
    )

    package = client.get_package(packageName="firmware")
    described = client.get_package_version(packageName="firmware", versionName="1.0.0")
    arn = "arn:aws:iot:us-east-1:123456789012:package/firmware"
    assert (made["packageArn"], package["packageArn"], package["description"]) == (
        arn,
        arn,
        "lamp",
    )
    assert "defaultVersionName" not in package  # none until one is named
    assert version["packageVersionArn"] == f"{arn}/version/1.0.0"
    assert (version["status"], described["status"]) == ("DRAFT", "DRAFT")
    assert described["attributes"] == {"os": "rtos"}
    assert described["artifact"]["s3Location"]["key"] == "fw.bin"
    assert client.list_tags_for_resource(resourceArn=version["packageVersionArn"])["tags"] == [
        {"Key": "stage", "Value": "beta"}
    ]


def test_names_are_taken_once(firmware: Any) -> None:
    with pytest.raises(firmware.exceptions.ConflictException):
        firmware.create_package(packageName="firmware")
    with pytest.raises(firmware.exceptions.ConflictException):
        firmware.create_package_version(packageName="firmware", versionName="1.0.0")


def test_a_version_of_a_package_that_does_not_exist_is_refused(client: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException, match="does not exist"):
        client.create_package_version(packageName="nothing", versionName="1.0.0")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_package(packageName="nothing")


def test_a_name_the_model_refuses_is_a_validation_error(client: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException, match="packageName"):
        client.create_package(packageName="my firmware")

    assert client.list_packages()["packageSummaries"] == []


def test_packages_and_versions_list_page_by_page(firmware: Any) -> None:
    for n in range(1, 4):
        firmware.create_package(packageName=f"app-{n}")
        firmware.create_package_version(packageName="firmware", versionName=f"1.0.{n}")
    publish(firmware, "1.0.2")

    packages = firmware.get_paginator("list_packages").paginate(PaginationConfig={"PageSize": 2})
    names = [p["packageName"] for page in packages for p in page["packageSummaries"]]
    published = firmware.list_package_versions(packageName="firmware", status="PUBLISHED")
    every = firmware.list_package_versions(packageName="firmware")["packageVersionSummaries"]

    assert names == ["firmware", "app-1", "app-2", "app-3"]
    assert [v["versionName"] for v in published["packageVersionSummaries"]] == ["1.0.2"]
    assert [v["versionName"] for v in every] == ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]


# -- the version lifecycle ----------------------------------------------------------------------


def test_a_version_is_published_deprecated_and_published_again(firmware: Any) -> None:
    seen = [status(firmware)]
    for action in ("PUBLISH", "DEPRECATE", "PUBLISH"):
        publish(firmware, action=action)
        seen.append(status(firmware))

    assert seen == ["DRAFT", "PUBLISHED", "DEPRECATED", "PUBLISHED"]


def test_a_draft_is_not_deprecated(firmware: Any) -> None:
    with pytest.raises(firmware.exceptions.ConflictException, match="DRAFT"):
        publish(firmware, action="DEPRECATE")

    assert status(firmware) == "DRAFT"


def test_a_draft_is_edited_a_published_version_only_in_its_description(firmware: Any) -> None:
    firmware.update_package_version(
        packageName="firmware", versionName="1.0.0", attributes={"os": "linux"}, recipe="{}"
    )
    publish(firmware)

    with pytest.raises(firmware.exceptions.ConflictException, match="attributes"):
        firmware.update_package_version(
            packageName="firmware", versionName="1.0.0", attributes={"os": "bsd"}
        )
    firmware.update_package_version(
        packageName="firmware", versionName="1.0.0", description="stable"
    )

    described = firmware.get_package_version(packageName="firmware", versionName="1.0.0")
    assert (described["attributes"], described["description"]) == ({"os": "linux"}, "stable")


# -- the default version and deletion -----------------------------------------------------------


def test_only_a_published_or_deprecated_version_is_the_default(firmware: Any) -> None:
    with pytest.raises(firmware.exceptions.ValidationException, match="DRAFT"):
        firmware.update_package(packageName="firmware", defaultVersionName="1.0.0")
    publish(firmware)
    firmware.update_package(packageName="firmware", defaultVersionName="1.0.0")
    publish(firmware, action="DEPRECATE")  # a deprecated version may stay the default

    assert firmware.get_package(packageName="firmware")["defaultVersionName"] == "1.0.0"
    firmware.update_package(packageName="firmware", unsetDefaultVersion=True)
    assert "defaultVersionName" not in firmware.get_package(packageName="firmware")


def test_the_default_version_and_a_package_with_versions_are_not_deleted(firmware: Any) -> None:
    publish(firmware)
    firmware.update_package(packageName="firmware", defaultVersionName="1.0.0")

    with pytest.raises(firmware.exceptions.ValidationException, match="default"):
        firmware.delete_package_version(packageName="firmware", versionName="1.0.0")
    with pytest.raises(firmware.exceptions.ValidationException, match="versions"):
        firmware.delete_package(packageName="firmware")

    firmware.update_package(packageName="firmware", unsetDefaultVersion=True)
    firmware.delete_package_version(packageName="firmware", versionName="1.0.0")
    firmware.delete_package(packageName="firmware")
    assert firmware.list_packages()["packageSummaries"] == []


def test_deleting_what_does_not_exist_is_no_error(client: Any) -> None:
    client.delete_package(packageName="nothing")
    client.delete_package_version(packageName="nothing", versionName="1.0.0")


# -- jobs and the $package shadow ---------------------------------------------------------------


def package_shadow(thing: str) -> dict[str, Any]:
    answer = boto3.client("iot-data").get_thing_shadow(thingName=thing, shadowName="$package")
    return json.loads(answer["payload"].read())  # type: ignore[no-any-return]


def upgrade(client: Any, thing: str, *versions: str) -> None:
    client.create_job(
        jobId="upgrade",
        targets=[client.describe_thing(thingName=thing)["thingArn"]],
        document=json.dumps({"operation": "install"}),
        destinationPackageVersions=list(versions),
    )


def test_a_job_that_succeeds_records_its_versions_in_the_package_shadow(
    iot_certs: IotCerts, firmware: Any
) -> None:
    publish(firmware)
    firmware.update_package_configuration(
        versionUpdateByJobsConfig={"enabled": True, "roleArn": ROLE}
    )
    firmware.create_thing(thingName="lamp")
    version = firmware.get_package_version(packageName="firmware", versionName="1.0.0")
    upgrade(firmware, "lamp", version["packageVersionArn"])

    iot_certs.report_job_execution("upgrade", "lamp", "SUCCEEDED")

    assert package_shadow("lamp")["state"]["reported"] == {"firmware": {"version": "1.0.0"}}
    assert firmware.get_package_configuration()["versionUpdateByJobsConfig"] == {
        "enabled": True,
        "roleArn": ROLE,
    }


def test_without_the_configuration_the_package_shadow_is_left_alone(
    iot_certs: IotCerts, firmware: Any
) -> None:
    publish(firmware)
    firmware.create_thing(thingName="lamp")
    arn = firmware.get_package_version(packageName="firmware", versionName="1.0.0")
    upgrade(firmware, "lamp", arn["packageVersionArn"])

    iot_certs.report_job_execution("upgrade", "lamp", "SUCCEEDED")

    assert firmware.get_package_configuration()["versionUpdateByJobsConfig"]["enabled"] is False
    with pytest.raises(boto3.client("iot-data").exceptions.ResourceNotFoundException):
        package_shadow("lamp")


def test_a_job_does_not_deploy_a_draft(firmware: Any) -> None:
    firmware.create_thing(thingName="lamp")
    arn = firmware.get_package_version(packageName="firmware", versionName="1.0.0")

    with pytest.raises(firmware.exceptions.InvalidRequestException, match="DRAFT"):
        upgrade(firmware, "lamp", arn["packageVersionArn"])


def test_the_package_shadow_holds_only_versions_and_attributes(client: Any) -> None:
    data = boto3.client("iot-data")
    client.create_thing(thingName="lamp")
    good = {"firmware": {"version": "1.0.0", "attributes": {"installed": "today"}}}

    data.update_thing_shadow(
        thingName="lamp",
        shadowName="$package",
        payload=json.dumps({"state": {"reported": good}}),
    )
    with pytest.raises(data.exceptions.InvalidRequestException, match="version and attributes"):
        data.update_thing_shadow(
            thingName="lamp",
            shadowName="$package",
            payload=json.dumps({"state": {"reported": {"firmware": {"description": "x"}}}}),
        )

    shadow = package_shadow("lamp")
    assert shadow["state"]["reported"] == good
    assert "metadata" not in shadow  # the reserved shadow keeps none


# -- software bills of materials ----------------------------------------------------------------

SPDX = {"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "firmware"}
CYCLONEDX = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}


def archive(**files: Any) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, content in files.items():
            zipped.writestr(name, content if isinstance(content, str) else json.dumps(content))
    return buffer.getvalue()


def associate(client: Any, key: str) -> dict[str, Any]:
    return client.associate_sbom_with_package_version(  # type: ignore[no-any-return]
        packageName="firmware",
        versionName="1.0.0",
        sbom={"s3Location": {"bucket": "sboms", "key": key, "version": "1"}},
    )


def test_an_sbom_of_spdx_and_cyclonedx_documents_is_validated(
    iot_certs: IotCerts, firmware: Any
) -> None:
    iot_certs.put_s3_object(
        "sboms", "fw.zip", archive(**{"a.spdx.json": SPDX, "b.cdx.json": CYCLONEDX})
    )

    answer = associate(firmware, "fw.zip")

    described = firmware.get_package_version(packageName="firmware", versionName="1.0.0")
    results = firmware.list_sbom_validation_results(packageName="firmware", versionName="1.0.0")
    assert answer["sbomValidationStatus"] == "IN_PROGRESS"  # as AWS answers, before validating
    assert described["sbomValidationStatus"] == "SUCCEEDED"
    assert described["sbom"]["s3Location"] == {"bucket": "sboms", "key": "fw.zip", "version": "1"}
    assert [
        (r["fileName"], r["validationResult"]) for r in results["validationResultSummaries"]
    ] == [
        ("a.spdx.json", "SUCCEEDED"),
        ("b.cdx.json", "SUCCEEDED"),
    ]


def test_a_file_in_neither_format_fails_validation(iot_certs: IotCerts, firmware: Any) -> None:
    iot_certs.put_s3_object("sboms", "fw.zip", archive(**{"ok.json": SPDX, "notes.txt": "hello"}))

    associate(firmware, "fw.zip")

    described = firmware.get_package_version(packageName="firmware", versionName="1.0.0")
    [failed] = firmware.list_sbom_validation_results(
        packageName="firmware", versionName="1.0.0", validationResult="FAILED"
    )["validationResultSummaries"]
    assert described["sbomValidationStatus"] == "FAILED"
    assert (failed["fileName"], failed["errorCode"]) == ("notes.txt", "INCOMPATIBLE_FORMAT")


def test_an_sbom_is_read_from_motos_s3_and_can_be_removed(firmware: Any) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="sboms")
        s3.put_object(Bucket="sboms", Key="fw.zip", Body=archive(**{"bom.json": CYCLONEDX}))

        associate(firmware, "fw.zip")
        with pytest.raises(firmware.exceptions.ValidationException, match=r"missing\.zip"):
            associate(firmware, "missing.zip")

    assert status_of_sbom(firmware) == "SUCCEEDED"
    firmware.disassociate_sbom_from_package_version(packageName="firmware", versionName="1.0.0")
    assert status_of_sbom(firmware) is None


def status_of_sbom(client: Any) -> str | None:
    found = client.get_package_version(packageName="firmware", versionName="1.0.0")
    return found.get("sbomValidationStatus")  # type: ignore[no-any-return]


# -- substitution parameters in job documents ---------------------------------------------------


@pytest.fixture
def released(firmware: Any) -> str:
    """firmware 1.0.0 with attributes and an artifact, published and the default: its ARN."""
    firmware.update_package_version(
        packageName="firmware",
        versionName="1.0.0",
        attributes={"s3URL": "https://example-bucket.s3.amazonaws.com/fw.bin", "sig": "abc"},
        artifact={"s3Location": {"bucket": "builds", "key": "fw.bin", "version": "v7"}},
    )
    publish(firmware)
    firmware.update_package(packageName="firmware", defaultVersionName="1.0.0")
    firmware.create_thing(thingName="lamp")
    found = firmware.get_package_version(packageName="firmware", versionName="1.0.0")
    return str(found["packageVersionArn"])


def job_with(client: Any, document: dict[str, Any], *versions: str, **extra: Any) -> None:
    client.create_job(
        jobId="upgrade",
        targets=[client.describe_thing(thingName="lamp")["thingArn"]],
        document=json.dumps(document),
        destinationPackageVersions=list(versions),
        **extra,
    )


def deployed(client: Any) -> dict[str, Any]:
    return json.loads(client.get_job_document(jobId="upgrade")["document"])  # type: ignore[no-any-return]


def test_attributes_are_substituted_into_the_job_document(firmware: Any, released: str) -> None:
    document = {
        "download": "${aws:iot:package:firmware:version:1.0.0:attributes:s3URL}",
        "attributes": "${aws:iot:package::version::attributes}",
        "note": "signed ${aws:iot:package:firmware:version:$default:attributes:sig} today",
    }
    job_with(firmware, document, released)

    before = firmware.get_job_document(jobId="upgrade", beforeSubstitution=True)["document"]
    assert deployed(firmware) == {
        "download": "https://example-bucket.s3.amazonaws.com/fw.bin",
        "attributes": {"s3URL": "https://example-bucket.s3.amazonaws.com/fw.bin", "sig": "abc"},
        "note": "signed abc today",
    }
    assert json.loads(before) == document


def test_default_names_the_packages_default_version(firmware: Any, released: str) -> None:
    default = released.replace("/version/1.0.0", "/version/$default")
    job_with(
        firmware, {"sig": "${aws:iot:package:firmware:version:$default:attributes:sig}"}, default
    )

    job = firmware.describe_job(jobId="upgrade")["job"]
    given = firmware.describe_job(jobId="upgrade", beforeSubstitution=True)["job"]
    assert job["destinationPackageVersions"] == [released]
    assert given["destinationPackageVersions"] == [default]
    assert deployed(firmware) == {"sig": "abc"}


def test_the_artifact_placeholder_becomes_a_presigned_s3_url(firmware: Any, released: str) -> None:
    placeholder = "${aws:iot:package:firmware:version:1.0.0:artifact-location:s3-presigned-url}"
    job_with(
        firmware,
        {"url": placeholder},
        released,
        presignedUrlConfig={"roleArn": ROLE, "expiresInSec": 600},
    )

    url = urllib.parse.urlsplit(deployed(firmware)["url"])
    query = urllib.parse.parse_qs(url.query)
    assert (url.hostname, url.path) == ("builds.s3.amazonaws.com", "/fw.bin")
    assert query["versionId"] == ["v7"]
    assert query["X-Amz-Expires"] == ["600"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]


@pytest.mark.parametrize(
    ("document", "match"),
    [
        ({"x": "${aws:iot:package:firmware:version:2.0.0:attributes}"}, "not among"),
        ({"x": "${aws:iot:package:firmware:version:1.0.0:attributes:missing}"}, "no attribute"),
    ],
)
def test_a_placeholder_that_does_not_resolve_refuses_the_job(
    firmware: Any, released: str, document: dict[str, Any], match: str
) -> None:
    with pytest.raises(firmware.exceptions.InvalidRequestException, match=match):
        job_with(firmware, document, released)

    assert firmware.list_jobs()["jobs"] == []


def test_the_same_request_again_is_the_same_package(client: Any) -> None:
    """A client token makes CreatePackage and CreatePackageVersion idempotent: a retry of the
    same request (botocore sends one token per call, and keeps it across its retries)."""
    token = "3f1c2b9e-0d4e-4b8e-9f6a-1c2d3e4f5a6b"
    first = client.create_package(packageName="firmware", clientToken=token)
    again = client.create_package(packageName="firmware", clientToken=token)
    version = client.create_package_version(
        packageName="firmware", versionName="1.0.0", clientToken=token
    )
    version_again = client.create_package_version(
        packageName="firmware", versionName="1.0.0", clientToken=token
    )

    assert first["packageArn"] == again["packageArn"]
    assert version["packageVersionArn"] == version_again["packageVersionArn"]
    with pytest.raises(client.exceptions.ConflictException):
        client.create_package(packageName="firmware")  # a new token: a new request


def test_a_versions_attributes_come_to_at_most_3_kb(firmware: Any) -> None:
    """The guide: "The combined size of all the attributes on a package version is limited to
    3KB"."""
    big = {f"key{n}": "x" * 100 for n in range(30)}  # 30 * (4-5 + 100) bytes, over 3,072

    with pytest.raises(firmware.exceptions.ValidationException, match="3 KB"):
        firmware.create_package_version(packageName="firmware", versionName="2.0.0", attributes=big)
    with pytest.raises(firmware.exceptions.ValidationException, match="3 KB"):
        firmware.update_package_version(packageName="firmware", versionName="1.0.0", attributes=big)

    assert status(firmware) == "DRAFT"
    assert firmware.get_package_version(packageName="firmware", versionName="1.0.0")[
        "attributes"
    ] == {"os": "rtos"}
