"""Validating a software bill of materials as the Software Package Catalog does (the developer
guide's "Software Bill of Materials"): one zip archive in S3 holding SPDX or CycloneDX JSON
documents, each validated against its format. Pure: bytes in, one result per file out."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

# A file larger than this, unpacked, is not read (an archive that unpacks to gigabytes).
MAX_FILE_BYTES = 100 * 1024 * 1024


def validate_archive(data: bytes, name: str) -> list[dict[str, str]]:
    """A result for each file of the archive: SUCCEEDED for an SPDX or CycloneDX JSON document,
    else FAILED with AWS's error code (INCOMPATIBLE_FORMAT, FILE_SIZE_LIMIT_EXCEEDED)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return [_failed(name, "The SBOM is not a zip archive of SPDX or CycloneDX JSON files.")]
    files = [info for info in archive.infolist() if not info.is_dir()]
    if not files:
        return [_failed(name, "The zip archive holds no SBOM file.")]
    return [_validated(archive, info) for info in files]


def _validated(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[str, str]:
    if info.file_size > MAX_FILE_BYTES:
        return _failed(info.filename, "The file is too large.", "FILE_SIZE_LIMIT_EXCEEDED")
    try:
        document = json.loads(archive.read(info))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile):
        return _failed(info.filename, "The file is not JSON (SPDX or CycloneDX JSON is).")
    if _is_sbom(document):
        return {"fileName": info.filename, "validationResult": "SUCCEEDED"}
    return _failed(
        info.filename,
        "The file is neither an SPDX document (spdxVersion SPDX-...) nor a CycloneDX BOM "
        "(bomFormat CycloneDX).",
    )


def _is_sbom(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    spdx = str(document.get("spdxVersion", "")).startswith("SPDX-")
    return spdx or document.get("bomFormat") == "CycloneDX"


def _failed(name: str, message: str, code: str = "INCOMPATIBLE_FORMAT") -> dict[str, str]:
    return {
        "fileName": name,
        "validationResult": "FAILED",
        "errorCode": code,
        "errorMessage": message,
    }
