"""Which IoT operations pytest-iotcerts answers, side by side with the installed moto.

The operations are botocore's IoT service model; ours are the registered handlers; moto's are
the methods of its IoT responses class (``moto.iot.responses.IoTResponse``), named as botocore
names operations in Python. Run: ``python benchmarks/coverage.py [--all]``.
"""

from __future__ import annotations

import argparse
import importlib.metadata

import botocore.session
from botocore import xform_name

from pytest_iotcerts._operations import HANDLERS


def moto_operations(names: list[str]) -> set[str]:
    try:
        from moto.iot.responses import IoTResponse
    except ImportError:
        return set()
    return {name for name in names if callable(getattr(IoTResponse, xform_name(name), None))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="list operations neither answers too")
    arguments = parser.parse_args()

    names = sorted(botocore.session.get_session().get_service_model("iot").operation_names)
    ours, moto = set(HANDLERS) & set(names), moto_operations(names)
    try:
        moto_version = importlib.metadata.version("moto")
    except importlib.metadata.PackageNotFoundError:
        moto_version = "not installed"

    print(f"{'operation':45} {'pytest-iotcerts':>16} {'moto ' + moto_version:>16}")
    for name in names:
        if arguments.all or name in ours | moto:
            marks = ["yes" if name in answered else "-" for answered in (ours, moto)]
            print(f"{name:45} {marks[0]:>16} {marks[1]:>16}")
    print()
    print(f"IoT operations in botocore's model: {len(names)}")
    print(f"answered by pytest-iotcerts: {len(ours)}; by moto: {len(moto)}")
    print(
        f"by both: {len(ours & moto)}; only by pytest-iotcerts: {len(ours - moto)}; "
        f"only by moto: {len(moto - ours)}"
    )
    print(f"only by moto: {', '.join(sorted(moto - ours)) or 'none'}")


if __name__ == "__main__":
    main()
