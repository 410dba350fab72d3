"""What the registry's resources share: a name unique in the account and region, an ARN
made of it, the account's links; and, for most, their configuration as the caller gave it."""

from __future__ import annotations

from typing import Any

from ..._aws.partitions import iot_arn
from ..links import Links, next_sequence


class NamedResource:
    """What the registry's named resources share: a name unique in the account and region, an
    ARN made of it, and the account's links."""

    _arn_kind = ""

    def __init__(self, name: str, *, account_id: str, region: str, links: Links) -> None:
        self.name = name
        self.account_id = account_id
        self.region = region
        self.sequence = next_sequence()
        self._links = links

    @property
    def arn(self) -> str:
        return iot_arn(self.region, self.account_id, f"{self._arn_kind}/{self.name}")


class ConfiguredResource(NamedResource):
    """A named resource whose configuration is kept as the caller gave it (the members of its
    create and update requests), so it is returned as given."""

    def __init__(
        self, name: str, *, account_id: str, region: str, links: Links, settings: dict[str, Any]
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.settings = dict(settings)
