"""Wire adapters for tags, and the ``tags`` member of the create operations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._service import IotService
from ._common import operation, page_by_position


def _as_dict(tags: list[dict[str, str]] | Mapping[str, str] | None) -> dict[str, str]:
    """Tags as a list of Key/Value (most operations) or as a map (the package catalog's)."""
    if isinstance(tags, Mapping):
        return dict(tags)
    return {tag["Key"]: tag.get("Value", "") for tag in tags or []}


def tag_on_create(service: IotService, arn: str, params: Mapping[str, Any]) -> None:
    """Tags given to a create operation (``tags``: a list of Key/Value, or a map)."""
    if params.get("tags"):
        service.tags.tag(arn, _as_dict(params["tags"]))


@operation("TagResource")
def tag_resource(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.tags.tag(params["resourceArn"], _as_dict(params["tags"]))
    return {}


@operation("UntagResource")
def untag_resource(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    service.tags.untag(params["resourceArn"], list(params["tagKeys"]))
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(service: IotService, params: dict[str, Any]) -> Mapping[str, Any]:
    tags = sorted(service.tags.of(params["resourceArn"]).items())
    chosen, token = page_by_position(tags, {"nextToken": params.get("nextToken")})
    return {"tags": [{"Key": k, "Value": v} for k, v in chosen], "nextToken": token}
