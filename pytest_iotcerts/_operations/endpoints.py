"""Wire adapter for DescribeEndpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._service import IotService
from ._common import operation


@operation("DescribeEndpoint")
def describe_endpoint(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    return {"endpointAddress": service.endpoints.address(params.get("endpointType", "iot:Data"))}
