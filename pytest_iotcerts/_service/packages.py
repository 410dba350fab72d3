"""AWS IoT Device Management's Software Package Catalog, as the developer guide's "Preparing to
use Software Package Catalog" describes it: packages and their versions, each version DRAFT
when made (its description, attributes, artifact and recipe editable), then PUBLISHED (only its
description editable; it may be named the package's default) and DEPRECATED (still
deployable, may stay the default), and back to PUBLISHED. A default version is not deleted, nor
a package that still has versions. With ``versionUpdateByJobsConfig`` enabled, a job execution
that succeeds records the job's ``destinationPackageVersions`` in the thing's reserved named
shadow ``$package``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._aws.errors import ServiceError, invalid_request, not_found
from .._aws.s3_urls import presigned_get
from .._core.ordered import Filtered, Ordered
from .._core.resources import Job, PackageVersion, SoftwarePackage
from .._engines.package_placeholders import Placeholder, placeholders
from .._engines.sbom import validate_archive
from ._scope import Scope
from .s3_objects import S3Objects
from .shadows import PACKAGE_SHADOW, Named, Shadows

DRAFT_ONLY = ("attributes", "artifact", "recipe")
# "The combined size of all the attributes on a package version is limited to 3KB."
MAX_ATTRIBUTES_BYTES = 3 * 1024
# action -> (the statuses it moves a version from, the status it moves it to)
ACTIONS = {
    "PUBLISH": (("DRAFT", "DEPRECATED"), "PUBLISHED"),
    "DEPRECATE": (("PUBLISHED",), "DEPRECATED"),
}


def _validation(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


def _conflict(message: str) -> ServiceError:
    return ServiceError("ConflictException", message)


class Packages:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    # -- packages -------------------------------------------------------------------------------

    def create(
        self, name: str, description: str | None, client_token: str | None = None
    ) -> SoftwarePackage:
        """A new package; the same request again (its ``clientToken``) is the same package."""
        state = self._scope.state
        with self._scope.store.lock:
            existing = state.packages.get(name)
            if existing is not None and _repeated(existing.client_token, client_token):
                return existing
            if existing is not None:
                raise _conflict(f"The package {name} already exists.")
            package = SoftwarePackage(name, description, **self._scope.placement)
            package.client_token = client_token
            state.packages[name] = package
            return package

    def get(self, name: str) -> SoftwarePackage:
        with self._scope.store.lock:
            package = self._scope.state.packages.get(name)
            if package is None:
                raise not_found(f"The package {name} does not exist.")
            return package

    def in_order(self) -> Ordered[SoftwarePackage]:
        return self._scope.state.packages.in_order

    def update(
        self, name: str, description: str | None, default: str | None, unset_default: bool
    ) -> None:
        """A new description, or default version: a PUBLISHED or DEPRECATED one of its own."""
        with self._scope.store.lock:
            package = self.get(name)
            if default is not None and unset_default:
                raise _validation("Name a defaultVersionName or unsetDefaultVersion, not both.")
            if default is not None:
                version = package.versions.get(default)
                if version is None or version.status == "DRAFT":
                    found = "does not exist" if version is None else "is a DRAFT"
                    raise _validation(
                        f"The version {default} of {name} {found}: only a PUBLISHED or "
                        "DEPRECATED version is named the default."
                    )
                package.default_version = default
            if unset_default:
                package.default_version = None
            if description is not None:
                package.description = description
            package.touch()

    def delete(self, name: str) -> None:
        """Deleting a package that does not exist is no error; one with versions is refused."""
        state = self._scope.state
        with self._scope.store.lock:
            package = state.packages.get(name)
            if package is None:
                return
            if package.versions:
                raise _validation(
                    f"The package {name} has versions ({', '.join(package.versions)}): "
                    "delete them first (DeletePackageVersion)."
                )
            state.tags.pop(package.arn, None)
            del state.packages[name]

    # -- versions -------------------------------------------------------------------------------

    def create_version(
        self,
        package_name: str,
        name: str,
        settings: Mapping[str, Any],
        client_token: str | None = None,
    ) -> PackageVersion:
        """A new DRAFT version; the same request again (its ``clientToken``) is the same one."""
        with self._scope.store.lock:
            package = self._scope.state.packages.get(package_name)
            if package is None:  # CreatePackageVersion models no ResourceNotFoundException
                raise _validation(f"The package {package_name} does not exist.")
            _check_attributes(settings.get("attributes"))
            existing = package.versions.get(name)
            if existing is not None and _repeated(existing.client_token, client_token):
                return existing
            if existing is not None:
                raise _conflict(f"The version {name} of {package_name} already exists.")
            version = package.versions[name] = PackageVersion(package, name, dict(settings))
            version.client_token = client_token
            package.touch()
            return version

    def get_version(self, package_name: str, name: str) -> PackageVersion:
        with self._scope.store.lock:
            version = self.get(package_name).versions.get(name)
            if version is None:
                raise not_found(f"The version {name} of the package {package_name} does not exist.")
            return version

    def versions(self, package_name: str, status: str | None) -> Ordered[PackageVersion]:
        """A package's versions by creation (of one status, if given); none for a package that
        does not exist (ListPackageVersions models no ResourceNotFoundException)."""
        package = self._scope.state.packages.get(package_name)
        held = package.versions.in_order if package is not None else Ordered[PackageVersion]()
        return held if status is None else Filtered(held, lambda v: v.status == status)

    def update_version(
        self, package_name: str, name: str, changes: Mapping[str, Any], action: str | None
    ) -> None:
        """Edits a version's status allows, then the ``action`` (PUBLISH or DEPRECATE)."""
        with self._scope.store.lock:
            version = self.get_version(package_name, name)
            locked = [key for key in DRAFT_ONLY if key in changes and version.status != "DRAFT"]
            if locked:
                raise _conflict(
                    f"The version {name} of {package_name} is {version.status}: only its "
                    f"description is edited now, not its {', '.join(locked)}."
                )
            target = self._moved(version, action)
            _check_attributes(changes.get("attributes"))
            version.settings.update(changes)
            version.status = target
            version.touch()

    @staticmethod
    def _moved(version: PackageVersion, action: str | None) -> str:
        if action is None:
            return version.status
        sources, target = ACTIONS[action]
        if version.status not in (*sources, target):
            raise _conflict(
                f"The version {version.name} of {version.package_name} is {version.status}; "
                f"{action} moves a {' or '.join(sources)} version."
            )
        return target

    def delete_version(self, package_name: str, name: str) -> None:
        """Deleting a version that does not exist is no error; the default one is refused."""
        state = self._scope.state
        with self._scope.store.lock:
            package = state.packages.get(package_name)
            version = package.versions.get(name) if package is not None else None
            if package is None or version is None:
                return
            if package.default_version == name:
                raise _validation(
                    f"The version {name} is the default version of {package_name}: name "
                    "another default, or unset it (UpdatePackage), first."
                )
            state.tags.pop(version.arn, None)
            del package.versions[name]
            package.touch()

    # -- software bills of materials ------------------------------------------------------------

    def associate_sbom(self, package_name: str, name: str, sbom: Mapping[str, Any]) -> None:
        """Read the SBOM's zip archive from S3 (moto's, or what the test handed the mock) and
        validate each of its files; the version keeps the location and the results."""
        version = self.get_version(package_name, name)
        location = sbom["s3Location"]
        bucket, key = location.get("bucket"), location.get("key")
        if not bucket or not key:
            raise _validation("An SBOM's s3Location names its bucket and key.")
        try:
            data = S3Objects(self._scope).read(bucket, key)
        except ServiceError as error:
            raise _validation(error.message) from None
        results = validate_archive(data, key)
        passed = all(result["validationResult"] == "SUCCEEDED" for result in results)
        with self._scope.store.lock:
            version.sbom = {"s3Location": dict(location)}
            version.sbom_status = "SUCCEEDED" if passed else "FAILED"
            version.sbom_results = results
            version.touch()

    def disassociate_sbom(self, package_name: str, name: str) -> None:
        with self._scope.store.lock:
            version = self.get_version(package_name, name)
            version.sbom, version.sbom_status, version.sbom_results = None, None, []
            version.touch()

    def sbom_results(
        self, package_name: str, name: str, result: str | None
    ) -> list[dict[str, str]]:
        version = self.get_version(package_name, name)
        return [r for r in version.sbom_results if result in (None, r["validationResult"])]

    # -- configuration and jobs -----------------------------------------------------------------

    def configuration(self) -> dict[str, Any]:
        with self._scope.store.lock:
            return dict(self._scope.state.package_configuration)

    def configure(self, config: Mapping[str, Any]) -> None:
        with self._scope.store.lock:
            self._scope.state.package_configuration.update(config)

    def for_job(self, settings: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
        """A new job's destination package versions (``$default`` resolved; each PUBLISHED or
        DEPRECATED) and the value of each package placeholder of its document."""
        given = list(settings.get("destinationPackageVersions") or [])
        versions = [self._deployable(arn) for arn in given]
        values = {}
        for placeholder in placeholders(settings.get("document") or ""):
            version = self._named_in_document(placeholder, versions)
            values[placeholder.text] = self._value(placeholder, version, settings)
        return [version.arn for version in versions], values

    def _deployable(self, arn: str) -> PackageVersion:
        package_name, _, name = _package_and_version(arn)
        package = self._scope.state.packages.get(package_name)
        if package is not None and name == "$default":
            name = package.default_version or ""
        version = package.versions.get(name) if package is not None else None
        if version is None or version.status == "DRAFT":
            found = "does not exist" if version is None else "is a DRAFT"
            raise invalid_request(
                f"The package version {arn} {found}: a job deploys PUBLISHED or DEPRECATED "
                "package versions."
            )
        return version

    @staticmethod
    def _named_in_document(
        placeholder: Placeholder, versions: list[PackageVersion]
    ) -> PackageVersion:
        """The destination version a placeholder names (empty names: the only one)."""
        if not placeholder.package and len(versions) != 1:
            raise invalid_request(
                f"{placeholder.text} names no package, so the job deploys exactly one package "
                f"version (destinationPackageVersions has {len(versions)})."
            )
        for version in versions:
            package = placeholder.package or version.package_name
            wanted = placeholder.version or version.name
            if version.package_name == package and wanted in (version.name, "$default"):
                return version
        raise invalid_request(
            f"{placeholder.text} names a package version that is not among the job's "
            "destinationPackageVersions; name the same versions in both."
        )

    def _value(
        self, placeholder: Placeholder, version: PackageVersion, settings: Mapping[str, Any]
    ) -> Any:
        attributes = version.settings.get("attributes") or {}
        if placeholder.artifact:
            artifact = version.settings.get("artifact")
            if not artifact:
                raise invalid_request(
                    f"Package {version.package_name} version {version.name} does not have an "
                    "associated artifact to generate an S3 presigned url."
                )
            expires = (settings.get("presignedUrlConfig") or {}).get("expiresInSec", 3600)
            return presigned_get(self._scope.region, artifact["s3Location"], int(expires))
        if placeholder.key is None:
            return dict(attributes)
        if placeholder.key not in attributes:
            raise invalid_request(
                f"Package {version.package_name} version {version.name} has no attribute "
                f"{placeholder.key} for {placeholder.text}."
            )
        return attributes[placeholder.key]

    def job_succeeded(self, job: Job, thing_name: str) -> None:
        """With ``versionUpdateByJobsConfig`` enabled, the job's package versions go into the
        thing's ``$package`` shadow (reported), as AWS IoT records them."""
        arns = job.settings.get("destinationPackageVersions") or []
        if not arns or not self.configuration().get("enabled"):
            return
        reported = {}
        for arn in arns:
            package_name, _, version = _package_and_version(arn)
            reported[package_name] = {"version": version}
        payload = json.dumps({"state": {"reported": reported}}).encode()
        Shadows(self._scope).update(Named(thing_name, PACKAGE_SHADOW), payload)


def _check_attributes(attributes: Mapping[str, str] | None) -> None:
    size = sum(len(k.encode()) + len(str(v).encode()) for k, v in (attributes or {}).items())
    if size > MAX_ATTRIBUTES_BYTES:
        raise _validation(
            f"A package version's attributes come to {size} bytes; at most "
            f"{MAX_ATTRIBUTES_BYTES} (3 KB) are allowed."
        )


def _repeated(kept: str | None, given: str | None) -> bool:
    return kept is not None and kept == given


def _package_and_version(arn: str) -> tuple[str, str, str]:
    """``(package, "/version/", version)`` of a package version's ARN."""
    resource = arn.split(":", 5)[-1]
    _, _, rest = resource.partition("package/")
    return rest.partition("/version/")
