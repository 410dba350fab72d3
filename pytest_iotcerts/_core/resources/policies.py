"""IoT policies and their versions."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from ..._aws.clock import timestamp
from ..._aws.public import public
from ..links import Links
from ._named import NamedResource


@public
@dataclass
class PolicyVersion:
    """One version of a policy's document."""

    version_id: str
    document: str
    created: dt.datetime = field(default_factory=timestamp)


@public
class Policy(NamedResource):
    """An IoT policy; ``targets`` are what it is attached to (certificate ARNs, ...), and
    ``versions`` its documents by version id (``document`` is the default version's)."""

    _arn_kind = "policy"

    def __init__(
        self, name: str, document: str, *, account_id: str, region: str, links: Links
    ) -> None:
        super().__init__(name, account_id=account_id, region=region, links=links)
        self.creation_date = self.last_modified_date = timestamp()
        self.generation_id = str(uuid.uuid4())
        self.versions: dict[str, PolicyVersion] = {"1": PolicyVersion("1", document)}
        self.default_version_id = "1"
        self.last_version_number = 1

    @property
    def document(self) -> str:
        return self.versions[self.default_version_id].document

    @property
    def targets(self) -> list[str]:
        """What the policy is attached to, in attachment order."""
        return self._links.policy_targets.rights(self.name)

    def __repr__(self) -> str:
        return f"<Policy {self.name} v{self.default_version_id} targets={self.targets}>"
