"""Software Package Catalog: packages, their versions, and each version's lifecycle."""

from __future__ import annotations

from typing import Any

from ..._aws.clock import timestamp
from ..._aws.partitions import iot_arn
from ..._aws.public import public
from ..links import next_sequence
from ..ordered import Registry
from ._named import NamedResource

VERSION_STATUSES = ("DRAFT", "PUBLISHED", "DEPRECATED")


@public
class SoftwarePackage(NamedResource):
    """A software package: its description, the version named its default (if any), and its
    versions by name."""

    _arn_kind = "package"

    def __init__(self, name: str, description: str | None = None, **details: Any) -> None:
        super().__init__(name, **details)
        self.description = description
        self.default_version: str | None = None
        self.versions: Registry[PackageVersion] = Registry()
        self.client_token: str | None = None  # of the request that made it (idempotency)
        self.creation_date = self.last_modified_date = timestamp()

    def touch(self) -> None:
        self.last_modified_date = timestamp()

    def __repr__(self) -> str:
        return f"<SoftwarePackage {self.name} ({len(self.versions)} versions)>"


@public
class PackageVersion:
    """A version of a package: DRAFT when made, then PUBLISHED and DEPRECATED (and back), with
    its attributes, artifact and recipe (``settings``, editable while DRAFT)."""

    def __init__(self, package: SoftwarePackage, name: str, settings: dict[str, Any]) -> None:
        self.package_name = package.name
        self.name = name
        self.arn = iot_arn(
            package.region, package.account_id, f"package/{package.name}/version/{name}"
        )
        self.settings = dict(settings)
        self.status = "DRAFT"
        self.client_token: str | None = None  # of the request that made it (idempotency)
        # its software bill of materials: where it is in S3, how its validation went, and the
        # result for each file of its archive
        self.sbom: dict[str, Any] | None = None
        self.sbom_status: str | None = None
        self.sbom_results: list[dict[str, str]] = []
        self.sequence = next_sequence()
        self.creation_date = self.last_modified_date = timestamp()

    def touch(self) -> None:
        self.last_modified_date = timestamp()

    def __repr__(self) -> str:
        return f"<PackageVersion {self.package_name}@{self.name} {self.status}>"
