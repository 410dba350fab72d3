"""What the installed botocore's IoT models hold (a helper, not tests): tests of operations or
members newer than the oldest supported botocore skip on older ones."""

from __future__ import annotations

import botocore.session
import pytest

_SESSION = botocore.session.get_session()


def model_has(operation: str, member: str | None = None, service: str = "iot") -> bool:
    model = _SESSION.get_service_model(service)
    if operation not in model.operation_names:
        return False
    shape = model.operation_model(operation).input_shape
    return member is None or (shape is not None and member in shape.members)


def needs(operation: str, member: str | None = None) -> pytest.MarkDecorator:
    """Skip unless botocore's model has ``operation`` (and its input ``member``)."""
    what = operation if member is None else f"{operation}.{member}"
    return pytest.mark.skipif(
        not model_has(operation, member), reason=f"this botocore's IoT model has no {what}"
    )
