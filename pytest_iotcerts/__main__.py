"""``python -m pytest_iotcerts serve``: the emulator as a standalone server, for suites in other
languages and for docker-compose. It prints its URL on the first line, answers AWS IoT (and the
jobs data plane) there with the control API under ``/_iotcerts/``, and stops cleanly on SIGTERM or
Ctrl-C (exit 0)."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from collections.abc import Sequence

from ._control.devices import MQTT_EXTRA, mqtt_installed
from ._control.settings import DEFAULT_ACCOUNT_ID, DEFAULT_REGION

DESCRIPTION = """\
The AWS IoT emulator of pytest-iotcerts as a standalone server, for test suites in other languages
and for docker-compose. It prints its URL on its first line, answers AWS IoT (and the jobs data
plane) there, with a control API under /_iotcerts/, and stops cleanly on SIGTERM or Ctrl-C."""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0 to 65535; 0: a free one)")
    return port


def _host(text: str) -> str:
    if text != "localhost":
        try:
            ipaddress.ip_address(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not an address to listen on: give an IP address (127.0.0.1, "
                "0.0.0.0, ::1) or localhost"
            ) from None
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_iotcerts", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve the emulator over HTTP", description=DESCRIPTION
    )
    serve.add_argument(
        "--host", type=_host, default="127.0.0.1", help="address to listen on (127.0.0.1)"
    )
    serve.add_argument("--port", type=_port, default=4566, help="port (4566; 0 picks a free one)")
    serve.add_argument("--account-id", default=DEFAULT_ACCOUNT_ID, help="the default account")
    serve.add_argument("--region", default=DEFAULT_REGION, help="the default region")
    serve.add_argument(
        "--mqtt",
        action="store_true",
        help="also start the MQTT endpoint for devices (127.0.0.1; needs the mqtt extra)",
    )
    arguments = parser.parse_args(argv)
    try:
        return _serve(arguments)
    except (OSError, ValueError, RuntimeError) as error:
        print(f"pytest-iotcerts: cannot serve: {error}", file=sys.stderr)
        return 2


def _serve(arguments: argparse.Namespace) -> int:
    from ._control.controller import IotCerts
    from ._control.server_api import ControlApi
    from ._control.settings import Settings
    from ._doors.http_server import LoopbackServer

    if arguments.mqtt and not mqtt_installed():
        raise RuntimeError(MQTT_EXTRA)  # before the URL: a script waiting for it must not wait
    controller = IotCerts(Settings(account_id=arguments.account_id, region=arguments.region))
    server = LoopbackServer(ControlApi(controller).handle, host=arguments.host, port=arguments.port)
    stopping = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):  # before the URL: a client may stop
        signal.signal(signal_number, lambda *_: stopping.set())  # us as soon as it reads it
    url = server.start()
    print(f"pytest-iotcerts serving AWS IoT at {url} (control API: {url}/_iotcerts/)", flush=True)
    if arguments.mqtt:
        controller.start()
        endpoint = controller.mqtt
        print(
            f"pytest-iotcerts MQTT over TLS at {endpoint.endpoint} (CA file: {endpoint.ca_file})",
            flush=True,
        )
    while not stopping.wait(0.5):
        pass
    server.stop()
    controller.stop()
    print("pytest-iotcerts stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
