"""Which AWS IoT operations pytest-iotcerts answers, side by side with the installed moto: the
control plane (``iot``), the data plane (``iot-data``: shadows, Publish, retained messages) and
the jobs data plane (``iot-jobs-data``).

The operations are botocore's service models; ours are the registered handlers; moto's are the
methods of each service's responses class, named as botocore names operations in Python.
Run: ``python benchmarks/coverage.py [--all]``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata

import botocore.session
from botocore import xform_name

from pytest_iotcerts._operations import SERVICE_HANDLERS

# botocore's model name -> moto's responses class for it (moto has none for the jobs data plane)
MOTO_RESPONSES = {
    "iot": ("moto.iot.responses", "IoTResponse"),
    "iot-data": ("moto.iotdata.responses", "IoTDataPlaneResponse"),
    "iot-jobs-data": None,
}


def moto_operations(service: str, names: list[str]) -> set[str]:
    if MOTO_RESPONSES[service] is None:
        return set()
    module_name, class_name = MOTO_RESPONSES[service]
    try:
        responses = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        return set()
    return {name for name in names if callable(getattr(responses, xform_name(name), None))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="list operations neither answers too")
    arguments = parser.parse_args()
    try:
        moto_version = importlib.metadata.version("moto")
    except importlib.metadata.PackageNotFoundError:
        moto_version = "not installed"

    session = botocore.session.get_session()
    totals = []
    for service in MOTO_RESPONSES:
        names = sorted(session.get_service_model(service).operation_names)
        ours = set(SERVICE_HANDLERS[service]) & set(names)
        moto = moto_operations(service, names)
        print(f"{service:45} {'pytest-iotcerts':>16} {'moto ' + moto_version:>16}")
        for name in names:
            if arguments.all or name in ours | moto:
                marks = ["yes" if name in answered else "-" for answered in (ours, moto)]
                print(f"  {name:43} {marks[0]:>16} {marks[1]:>16}")
        print(
            f"  {service}: {len(names)} operations in botocore's model; pytest-iotcerts answers "
            f"{len(ours)}, moto {len(moto)}; only moto: {', '.join(sorted(moto - ours)) or 'none'}"
        )
        print()
        totals.append((service, len(names), len(ours), len(moto)))
    for service, in_model, answered, by_moto in totals:
        print(f"{service:14} model {in_model:4}   pytest-iotcerts {answered:4}   moto {by_moto:4}")


if __name__ == "__main__":
    main()
