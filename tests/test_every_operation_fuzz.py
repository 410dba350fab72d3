"""Every emulated operation, fed arbitrary JSON for its members: a modeled answer, never a 500."""

from __future__ import annotations

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
