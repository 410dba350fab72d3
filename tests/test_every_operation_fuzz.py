"""Every emulated operation, fed arbitrary JSON for its members: a modeled answer, never a 500."""

from __future__ import annotations

import contextvars
import json
import re
from typing import Any

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sigv4 import signed

from pytest_iotcerts import IotCerts
from pytest_iotcerts._operations import SERVICE_HANDLERS

ENDPOINT = "https://iot.us-east-1.amazonaws.com"
SESSION = botocore.session.get_session()
# Every emulated operation the installed botocore's models know (older ones lack the newest).
OPERATIONS = [
    (service, name)
    for service, handlers in SERVICE_HANDLERS.items()
    for name in sorted(handlers)
    if name in SESSION.get_service_model(service).operation_names
]
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _request(service: str, name: str, members: dict[str, Any]) -> Any:
    operation = SESSION.get_service_model(service).operation_model(name)
    path = re.sub(r"\{[^}]+\}", "x1", operation.http["requestUri"].split("?")[0])
    body = json.dumps(members).encode()
    return signed(operation.http["method"], ENDPOINT + path, body, service=service)


@pytest.mark.filterwarnings("ignore::pytest_iotcerts.IotCertsWarning")
@pytest.mark.parametrize(("service", "name"), OPERATIONS)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_arbitrary_members_get_a_modeled_answer(
    iot_certs: IotCerts, service: str, name: str, data: st.DataObject
) -> None:
    shape = SESSION.get_service_model(service).operation_model(name).input_shape
    members = (
        {}
        if shape is None
        else {
            member: data.draw(VALUES, label=member)
            for member in shape.members
            if data.draw(st.booleans(), label=f"send {member}")
        }
    )

    response = iot_certs.handle(_request(service, name, members))

    assert response.status_code < 500, response.body


# Text that other parsers read inside string members: JSON documents, templates, SQL, queries.
DEEP_STRINGS = {
    "deep JSON arrays": "[" * 1500 + "]" * 1500,
    "deep JSON objects": '{"a":' * 1500 + "1" + "}" * 1500,
    "deep template": '{"Resources": {"t": {"Type": "AWS::IoT::Thing", "Properties": '
    + '{"ThingName": {"Fn::Join": ["", [' * 400
    + '"x"'
    + "]]}" * 400
    + "}}}}",
    "deep SQL": "SELECT " + "(" * 1500 + "1" + ")" * 1500 + " FROM 'a/b'",
    "deep query": "(" * 1500 + "thingName:a" + ")" * 1500,
}


def _filled(shape: Any, text: str, path: str = "") -> Any:
    """A value of ``shape``: ``text`` at the string member ``path`` names, "a1" at the others."""
    kind = shape.type_name
    if kind == "structure":
        if path.count("/") > 3:
            return {}
        return {
            name: _filled(member, text, f"{path}/{name}") for name, member in shape.members.items()
        }
    if kind == "list":
        return [_filled(shape.member, text, path)]
    if kind == "map":
        return {"k": _filled(shape.value, text, path)}
    if kind == "string":
        return text if path == TARGET.get() else "a1"
    return {"integer": 1, "long": 1, "boolean": True, "timestamp": 0, "double": 1.0}.get(kind, "")


def _string_paths(shape: Any, path: str = "") -> list[str]:
    if shape.type_name == "structure" and path.count("/") <= 3:
        return [p for n, m in shape.members.items() for p in _string_paths(m, f"{path}/{n}")]
    if shape.type_name == "list":
        return _string_paths(shape.member, path)
    if shape.type_name == "map":
        return _string_paths(shape.value, path)
    return [path] if shape.type_name == "string" else []


TARGET: contextvars.ContextVar[str] = contextvars.ContextVar("target", default="")


@pytest.mark.filterwarnings("ignore::pytest_iotcerts.IotCertsWarning")
@pytest.mark.parametrize("text", DEEP_STRINGS.values(), ids=DEEP_STRINGS.keys())
def test_text_nested_deep_inside_string_members_gets_a_modeled_answer(
    iot_certs: IotCerts, text: str
) -> None:
    """Each string member of each operation in turn holds the deep text."""
    failures = []
    for service, name in OPERATIONS:
        shape = SESSION.get_service_model(service).operation_model(name).input_shape
        for path in [] if shape is None else _string_paths(shape):
            TARGET.set(path)
            response = iot_certs.handle(_request(service, name, _filled(shape, text)))
            if response.status_code >= 500:
                failures.append(f"{name} {path}: {response.body[:200]!r}")
    assert failures == []
