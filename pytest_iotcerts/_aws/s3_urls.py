"""Presigned S3 URLs, as AWS IoT Jobs puts them in a job document for a device to download
from. Signed by botocore with stand-in credentials: the URL has AWS's form and parameters,
and nothing is sent anywhere to make it."""

from __future__ import annotations

import functools
from typing import Any

# Who signs: a stand-in for the session of the job's presignedUrlConfig role.
_ACCESS_KEY = "ASIAIOTJOBSPRESIGNER"
_SECRET_KEY = "iot-jobs-presigned-url-stand-in-secret-key"


@functools.lru_cache(maxsize=16)
def _s3(region: str) -> Any:
    import botocore.session
    from botocore.config import Config

    session = botocore.session.Session()
    session.set_credentials(_ACCESS_KEY, _SECRET_KEY, "stand-in-session-token")
    config = Config(signature_version="s3v4", s3={"addressing_style": "virtual"})
    return session.create_client("s3", region_name=region, config=config)


def presigned_get(region: str, location: dict[str, Any], expires_in: int) -> str:
    """A presigned GetObject URL of ``location`` (``bucket``, ``key``, ``version``)."""
    params = {"Bucket": location["bucket"], "Key": location["key"]}
    if location.get("version"):
        params["VersionId"] = location["version"]
    return str(
        _s3(region).generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
    )
