"""Whether moto's ``mock_aws()`` is active in this process: then calls to other AWS services
(S3, Lambda, ...) that AWS IoT itself would make can go to moto; otherwise they must never be
made, since they would leave the process. moto is never imported here."""

from __future__ import annotations

import functools
import json
import sys
from typing import Any


def moto_active() -> bool:
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))


@functools.lru_cache(maxsize=64)
def moto_client(service: str, region: str) -> Any:
    """A client for moto's service, made once: making one costs more than the call. Only used
    while moto is active, so it never reaches the network."""
    import boto3

    return boto3.session.Session().client(service, region_name=region)


def invoke_lambda(region: str, function_arn: str, payload: bytes, *, wait: bool) -> Any:
    """Invoke a function in moto's Lambda as AWS IoT does: ``RequestResponse`` (``wait``: its
    answer, as JSON) or ``Event`` (None). A function error raises RuntimeError. moto runs the
    function's code in Docker, or with ``mock_aws(config={"lambda": {"use_docker": False}})``
    answers what the test queued for it."""
    response = moto_client("lambda", region).invoke(
        FunctionName=function_arn,
        InvocationType="RequestResponse" if wait else "Event",
        Payload=payload,
    )
    answer = response["Payload"].read() if "Payload" in response else b""
    if response.get("FunctionError"):
        raise RuntimeError(f"the function failed: {answer.decode(errors='replace')}")
    return json.loads(answer or b"null") if wait else None
