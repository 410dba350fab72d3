"""Fleet metrics: aggregation queries over a fleet index, emitted to CloudWatch every period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..._aws.clock import timestamp
from ..._aws.public import public
from ._named import ConfiguredResource


@public
class FleetMetric(ConfiguredResource):
    """A fleet metric: its query, index, aggregation and period (``settings``, as given), and a
    version that each update moves on."""

    _arn_kind = "fleetmetric"

    def __init__(self, name: str, **details: Any) -> None:
        super().__init__(name, **details)
        self.version = 1
        self.creation_date = self.last_modified_date = timestamp()

    def __repr__(self) -> str:
        return f"<FleetMetric {self.name} v{self.version}>"


@public
@dataclass(frozen=True)
class FleetMetricDatum:
    """One data point a fleet metric emitted: CloudWatch's namespace ``IoTFleetMetrics``, the
    metric's name, its ``AggregationType`` dimension (``count``, ``p50``, ...), value and unit."""

    metric_name: str
    aggregation_type: str
    value: float
    unit: str
    timestamp: dt.datetime
