"""Whether moto's ``mock_aws()`` is active in this process: then calls to other AWS services
(S3, Lambda, ...) that AWS IoT itself would make can go to moto; otherwise they must never be
made, since they would leave the process. moto is never imported here."""

from __future__ import annotations

import sys


def moto_active() -> bool:
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))
