"""Paging without looking at every item: ``Ordered`` and the lists built on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from hypothesis import given
from hypothesis import strategies as st

from pytest_iotcerts import IotCerts
from pytest_iotcerts._core.ordered import Ordered


def test_a_window_starts_at_a_sequence_in_either_direction() -> None:
    ordered: Ordered[str] = Ordered()
    for sequence in (1, 3, 5, 7):
        ordered.add(sequence, f"item{sequence}")
    assert ordered.window(None, 2) == ["item1", "item3"]
    assert ordered.window(4, 2) == ["item5", "item7"]
    assert ordered.window(None, 3, ascending=False) == ["item7", "item5", "item3"]
    assert ordered.window(4, 9, ascending=False) == ["item3", "item1"]
    assert ordered.window(9, 2) == []


@given(
    st.lists(
        st.tuples(st.sampled_from(["add", "discard"]), st.integers(0, 40)),
        max_size=120,
    ),
    st.integers(0, 41),
    st.integers(1, 8),
    st.booleans(),
)
def test_windows_match_sorting_after_any_adds_and_removals(
    steps: list[tuple[str, int]], start: int, count: int, ascending: bool
) -> None:
    ordered: Ordered[int] = Ordered()
    held: set[int] = set()
    for action, sequence in steps:
        if action == "add":
            ordered.add(sequence, sequence)
            held.add(sequence)
        else:
            ordered.discard(sequence)
            held.discard(sequence)
    if ascending:
        expected = sorted(s for s in held if s >= start)[:count]
    else:
        expected = sorted((s for s in held if s <= start), reverse=True)[:count]
    assert ordered.window(start, count, ascending=ascending) == expected
    assert len(ordered) == len(held)


def test_a_transferred_certificate_lists_in_issue_order(iot_certs: IotCerts) -> None:
    """The receiving account lists it where its creation date puts it, not at the end."""
    sender = boto3.client("iot", **iot_certs.credentials_for("111111111111"))
    receiver = boto3.client("iot", **iot_certs.credentials_for("222222222222"))
    moved = sender.create_keys_and_certificate(setAsActive=False)["certificateId"]
    after = receiver.create_keys_and_certificate()["certificateId"]
    sender.transfer_certificate(certificateId=moved, targetAwsAccount="222222222222")
    receiver.accept_certificate_transfer(certificateId=moved)
    newest_first = [c["certificateId"] for c in receiver.list_certificates()["certificates"]]
    assert newest_first == [after, moved]
    oldest_first = receiver.list_certificates(ascendingOrder=True, pageSize=1)
    assert oldest_first["certificates"][0]["certificateId"] == moved
    rest = receiver.list_certificates(
        ascendingOrder=True, pageSize=1, marker=oldest_first["nextMarker"]
    )
    assert [c["certificateId"] for c in rest["certificates"]] == [after]
    assert "nextMarker" not in rest


class _Named:
    def __init__(self, sequence: int) -> None:
        self.sequence = sequence


@given(
    st.lists(
        st.tuples(st.sampled_from(["set", "del", "pop", "clear"]), st.sampled_from("abcdef")),
        max_size=60,
    )
)
def test_a_registry_keeps_its_creation_order_as_names_come_and_go(
    steps: list[tuple[str, str]],
) -> None:
    from pytest_iotcerts._core.ordered import Registry

    registry: Registry[_Named] = Registry()
    for sequence, (action, name) in enumerate(steps):
        if action == "set":
            registry[name] = _Named(sequence)
        elif action == "del" and name in registry:
            del registry[name]
        elif action == "pop":
            registry.pop(name, None)
        elif action == "clear":
            registry.clear()
    expected = sorted(registry.values(), key=lambda item: item.sequence)
    assert registry.in_order.window(None, 100) == expected
    assert len(registry.in_order) == len(registry)


@given(
    st.lists(
        st.tuples(st.sampled_from(["set", "del", "pop", "clear"]), st.sampled_from("abcdefg")),
        max_size=40,
    )
)
def test_sorted_keeps_its_names_in_order_as_they_come_and_go(
    steps: list[tuple[str, str]],
) -> None:
    from pytest_iotcerts._core.ordered import Sorted

    held: Sorted[int] = Sorted()
    for value, (action, name) in enumerate(steps):
        if action == "set":
            held[name] = value
        elif action == "del" and name in held:
            del held[name]
        elif action == "pop":
            held.pop(name, None)
        elif action == "clear":
            held.clear()
    assert list(held.names()) == sorted(held)
    assert held.in_name_order()[1:3] == [held[name] for name in sorted(held)[1:3]]
    assert len(held.in_name_order()) == len(held)


def test_a_next_token_stays_valid_across_writes_for_things_and_groups(client: Any) -> None:
    for index in range(30):
        client.create_thing(thingName=f"thing-{index:02d}")
        client.create_thing_group(thingGroupName=f"group-{index:02d}")

    things = client.list_things(maxResults=10)
    groups = client.list_thing_groups(maxResults=10)
    client.delete_thing(thingName="thing-00")  # already listed
    client.delete_thing(thingName="thing-10")  # not yet listed: the next page skips it
    client.delete_thing_group(thingGroupName="group-00")
    client.create_thing(thingName="thing-late")

    later = client.list_things(maxResults=10, nextToken=things["nextToken"])
    later_groups = client.list_thing_groups(maxResults=10, nextToken=groups["nextToken"])
    assert [t["thingName"] for t in later["things"]] == [f"thing-{i}" for i in range(11, 21)]
    assert [g["groupName"] for g in later_groups["thingGroups"]] == [
        f"group-{i}" for i in range(10, 20)
    ]
    walked = client.get_paginator("list_things").paginate(PaginationConfig={"PageSize": 7})
    names = [t["thingName"] for page in walked for t in page["things"]]
    assert len(names) == 29 and names[-1] == "thing-late"


@dataclass
class _Item:
    sequence: int


@given(
    st.sets(st.integers(1, 400), max_size=300),
    st.integers(1, 7),
    st.one_of(st.none(), st.integers(0, 410)),
    st.integers(1, 90),
    st.booleans(),
)
def test_filtered_pages_as_filtering_every_item_would(
    sequences: set[int], modulus: int, start: int | None, count: int, ascending: bool
) -> None:
    from pytest_iotcerts._core.ordered import Filtered

    base = Ordered.of([_Item(s) for s in sequences], key=lambda item: item.sequence)
    wanted = [item for item in base.window(start, len(base), ascending=ascending)]
    expected = [item for item in wanted if item.sequence % modulus == 0][:count]

    filtered = Filtered(base, lambda item: item.sequence % modulus == 0)

    assert filtered.window(start, count, ascending=ascending) == expected
