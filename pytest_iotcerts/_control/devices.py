"""The MQTT door for devices, started on first use; part of ``IotCerts``."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from .._wire.faults import Faults

if TYPE_CHECKING:
    from .._core.store import Store
    from .._doors.mqtt import MqttEndpoint
    from .._service import IotService
    from .._x509.crypto import CertificateAuthority

# pytest-iotcerts is not on PyPI: the extra installs from a checkout, or its two packages directly.
MQTT_EXTRA = (
    "the MQTT endpoint needs the mqtt extra: pip install -e '.[mqtt]' in your checkout of "
    "pytest-iotcerts, or its packages: pip install 'amqtt>=0.12.1,<0.13' cbor2"
)


def mqtt_installed() -> bool:
    """Whether the mqtt extra's broker can be imported (without importing it)."""
    try:
        return importlib.util.find_spec("amqtt") is not None
    except (ImportError, ValueError):
        return False


class Devices:
    """``mqtt``: an MQTT endpoint over mutual TLS serving this mock's account and region."""

    _mqtt: MqttEndpoint | None = None
    _store: Store
    _faults: Faults
    mqtt_policies: bool

    if TYPE_CHECKING:  # from the other parts of IotCerts

        @property
        def ca(self) -> CertificateAuthority: ...

        @property
        def active(self) -> bool: ...

        def service(
            self, account_id: str | None = None, region: str | None = None
        ) -> IotService: ...

    @property
    def mqtt(self) -> MqttEndpoint:
        """The MQTT endpoint (``host``, ``port``, ``ca_file``; ``clients``, ``messages``,
        ``refusals``), started on first use and stopped with the mock."""
        if not self.active:
            raise RuntimeError("the emulator is not active; start it (or use the fixture) first")
        if self._mqtt is None:
            if not mqtt_installed():
                raise RuntimeError(MQTT_EXTRA)
            from .._doors.mqtt import MqttEndpoint  # amqtt loads only when a test uses MQTT

            self._mqtt = MqttEndpoint(
                ca=self.ca,
                service=self.service,
                store=lambda: self._store,
                faults=lambda *call: self._faults.check(*call),
                enforce_policies=lambda: self.mqtt_policies,
            ).start()
        return self._mqtt

    def _stop_devices(self) -> None:
        if self._mqtt is not None:
            self._mqtt.stop()
            self._mqtt = None

    def _devices_reset(self) -> None:
        if self._mqtt is not None:
            self._mqtt.store_replaced()
