"""Fleet indexing's four aggregation queries (GetStatistics, GetCardinality, GetPercentiles,
GetBucketsAggregation) over the documents a query matches, each on a field the index knows the
type of: a managed field of its data sources, or one of the configuration's ``customFields``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._aws import index_fields
from .._aws.errors import ServiceError
from .._engines import aggregations
from .._engines.fleet_query import compile_query
from .indexing import GROUPS_INDEX, THINGS_INDEX, Indexing

# The field an aggregation reads when it names none, per index.
_DEFAULT_FIELD = {THINGS_INDEX: "registry.version", GROUPS_INDEX: "version"}
_DEFAULT_NAME = {THINGS_INDEX: "thingName", GROUPS_INDEX: "thingGroupName"}


class Aggregations:
    def __init__(self, indexing: Indexing) -> None:
        self._indexing = indexing

    def statistics(self, query: str, field: str | None, index: str) -> dict[str, float | int]:
        """GetStatistics: what the field's type allows (``registry.version`` by default)."""
        field = field or _DEFAULT_FIELD.get(index, "registry.version")
        kind = self.type_of(field, index)
        _matched, values = self._values(query, field, index, kind)
        return aggregations.statistics(values, kind)

    def cardinality(self, query: str, field: str | None, index: str) -> int:
        """GetCardinality: how many distinct values (of the thing or group name by default)."""
        field = field or _DEFAULT_NAME.get(index, "thingName")
        kind = self.type_of(field, index)
        _matched, values = self._values(query, field, index, kind)
        return len(set(values))

    def percentiles(
        self, query: str, field: str | None, index: str, percents: Sequence[float] | None
    ) -> list[dict[str, float]]:
        """GetPercentiles of a Number field (``registry.version`` by default)."""
        field = field or _DEFAULT_FIELD.get(index, "registry.version")
        kind = self.type_of(field, index)
        if kind != "Number":
            raise ServiceError(
                "InvalidAggregationException",
                f"GetPercentiles aggregates a Number field; {field} is a {kind} field.",
            )
        _matched, values = self._values(query, field, index, kind)
        return aggregations.percentiles(values, percents or aggregations.DEFAULT_PERCENTS)

    def buckets(
        self, query: str, field: str, index: str, max_buckets: int | None
    ) -> tuple[int, list[dict[str, Any]]]:
        """GetBucketsAggregation: how many documents matched, and the field's most frequent
        values with their counts."""
        kind = self.type_of(field, index)
        matched, values = self._values(query, field, index, kind)
        limit = max_buckets or aggregations.DEFAULT_MAX_BUCKETS
        return matched, aggregations.buckets(values, limit)

    def check_query(self, query: str, index: str) -> None:
        """InvalidQueryException for a query that does not parse."""
        compile_query(query, _DEFAULT_NAME.get(index, "thingName"))

    def type_of(self, field: str, index: str) -> str:
        """The field's type in the index; InvalidAggregationException for a field it does not
        type (neither managed nor declared in ``customFields``)."""
        self._indexing.check_index(index)  # ResourceNotFoundException first, as for a search
        config = self._indexing.configuration()
        if index == GROUPS_INDEX:
            section = config["thingGroupIndexingConfiguration"]
            managed = index_fields.managed_groups(section)
        else:
            section = config["thingIndexingConfiguration"]
            managed = index_fields.managed_things(section)
        kind = index_fields.type_of(field, managed, section.get("customFields"))
        if kind is None:
            raise ServiceError(
                "InvalidAggregationException",
                f"{field} is neither a managed field of {index} nor one of its custom fields: "
                "declare it in customFields (UpdateIndexingConfiguration) to aggregate on it.",
            )
        return kind

    def _values(self, query: str, field: str, index: str, kind: str) -> tuple[int, list[Any]]:
        """How many documents the query matches, and their values of the field as its type
        (a list field gives each of its values; values of another type are left out)."""
        documents = self._indexing.documents(query, index)
        key = index_fields.document_key(field)
        found = [document.get(key) for document in documents]
        flat = [v for value in found for v in (value if isinstance(value, list) else [value])]
        return len(documents), aggregations.typed((v for v in flat if v is not None), kind)
