"""The registry's thing indexes (ListThings' filters, fleet indexing's candidates) always agree
with looking at every thing, whatever was created, changed and deleted before."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_iotcerts import IotCerts
from pytest_iotcerts._core.thing_index import ThingRegistry

NAMES = ["a1", "a2", "ab", "b1", "b2", "c"]
TYPES = [None, "meter", "valve"]
VALUES = ["1", "10", "2", "x"]
_sequence = itertools.count(1)


@dataclass
class FakeThing:
    name: str
    thing_type_name: str | None
    attributes: dict[str, str]
    sequence: int = field(default_factory=lambda: next(_sequence))


operations = st.lists(
    st.tuples(
        st.sampled_from(["put", "change", "delete"]),
        st.sampled_from(NAMES),
        st.sampled_from(TYPES),
        st.dictionaries(st.sampled_from(["k", "j"]), st.sampled_from(VALUES), max_size=2),
    ),
    max_size=30,
)


def brute_force(
    things: dict[str, FakeThing], name: Any, value: Any, prefix: bool, kind: Any
) -> list[str]:
    def wanted(thing: FakeThing) -> bool:
        if kind is not None and thing.thing_type_name != kind:
            return False
        if name is None:
            return True
        held = thing.attributes.get(name)
        if held is None or value is None:
            return held is not None
        return held.startswith(value) if prefix else held == value

    chosen = sorted((t for t in things.values() if wanted(t)), key=lambda t: t.sequence)
    return [thing.name for thing in chosen]


@settings(max_examples=200, deadline=None)
@given(operations)
def test_listthings_filters_agree_with_looking_at_every_thing(ops: list[Any]) -> None:
    registry: ThingRegistry[Any] = ThingRegistry()
    for action, name, kind, attributes in ops:
        held = registry.get(name)
        if action == "put":
            registry[name] = FakeThing(name, kind, dict(attributes))
        elif action == "change" and held is not None:
            held.thing_type_name, held.attributes = kind, dict(attributes)
            registry.reindex(held)
        elif action == "delete" and held is not None:
            del registry[name]

    for name, value, prefix, kind in itertools.product(
        [None, "k", "j"], [None, "1", "x"], [False, True], TYPES
    ):
        if value is not None and name is None:
            continue
        selected = registry.selected(name, value, prefix, kind)
        found = [t.name for t in selected.window(None, len(selected) + 1)]
        assert found == brute_force(dict(registry), name, value, prefix, kind)
    for start in ["", "a", "a1", "b", "z"]:
        named = sorted(n for n in registry if n.startswith(start))
        assert [t.name for t in registry.named(start, True)] == named
        assert registry.count("thingName", start, True) == len(named)
        for value in ["1", "x", ""]:
            with_prefix = brute_force(dict(registry), "k", value, True, None)
            assert registry.count("attributes.k", value, True) == len(with_prefix)
    for kind in TYPES[1:]:
        assert registry.count("thingTypeName", kind, False) == len(
            brute_force(dict(registry), None, None, False, kind)
        )


QUERIES = [
    "attributes.floor:3",
    "attributes.floor:3 AND thingTypeName:meter",
    "attributes.floor:3 OR attributes.floor:4",
    "attributes.floor:3 AND NOT thingTypeName:meter",
    "thingName:meter-1*",
    "thingName:meter-1* AND attributes.floor:[2 TO 3]",
    "thingTypeName:meter",
    "attributes.floor:1?",
    "NOT attributes.floor:3",
    "meter-12",
    'attributes.color:"dark-red"',
    "attributes.floor>2",
]


@pytest.mark.parametrize("query", QUERIES)
def test_search_index_finds_what_looking_at_every_thing_finds(
    iot_certs: IotCerts, query: str
) -> None:
    client = boto3.client("iot", region_name="us-east-1")
    client.create_thing_type(thingTypeName="meter")
    for n in range(30):
        typed = {"thingTypeName": "meter"} if n % 3 == 0 else {}
        attributes = {"floor": str(n % 5), "color": "dark-red" if n % 7 else "blue"}
        client.create_thing(
            thingName=f"meter-{n}", attributePayload={"attributes": attributes}, **typed
        )
    client.update_thing(thingName="meter-3", attributePayload={"attributes": {"floor": "4"}})
    client.delete_thing(thingName="meter-12")
    client.update_indexing_configuration(
        thingIndexingConfiguration={"thingIndexingMode": "REGISTRY"}
    )
    service = iot_certs.service()
    from pytest_iotcerts._engines.fleet_query import compile_query

    matcher = compile_query(query)
    every = service.things.select()
    expected = [
        thing.name
        for thing in every.window(None, len(every))  # type: ignore[union-attr]
        if matcher(service.indexing.thing_document(thing))
    ]

    found, token = [], None
    while True:  # SearchIndex has no botocore paginator: walk its nextToken
        more = {"nextToken": token} if token else {}
        page = client.search_index(queryString=query, maxResults=7, **more)
        found += [thing["thingName"] for thing in page["things"]]
        token = page.get("nextToken")
        if not token:
            break

    assert found == expected
