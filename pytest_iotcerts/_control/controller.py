"""The controller: the mock itself, assembled from its parts (the modules beside this one).

==================  ============================================================
part                what it does
==================  ============================================================
``activation``      start/stop, ``with``, ``@decorator``, the environment
``seeding``         state that exists before the code under test runs
``inspection``      what was issued and called, and assertions on it
``data_plane``      shadows, retained messages, every message published
``fault_controls``  fault rules and rate limits
``reporting``       warnings and failures when the mock stops
``doors``           the loopback endpoint and ``responses`` for other clients
``devices``         the MQTT endpoint devices connect to (``_doors.mqtt``)
==================  ============================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cryptography import x509

from .._aws.clock import Clock
from .._aws.public import public
from .._core.store import Store
from .._operations import SERVICE_HANDLERS
from .._service import IotService
from .._wire.auth import FAKE_SECRET_ACCESS_KEY, Authenticator, Identity
from .._wire.faults import Faults
from .._wire.model import iot_model
from .._wire.router import Router
from .._x509.crypto import CertificateAuthority, session_ca
from .._x509.keys import key_source
from .activation import Activation
from .data_plane import DataPlane
from .devices import Devices
from .doors import Doors
from .fault_controls import FaultControls
from .inspection import Inspection
from .reporting import Reporting
from .seeding import Seeding
from .settings import Settings, check_account_id

if TYPE_CHECKING:
    from .._doors.http_server import LoopbackServer


@public
class IotCerts(
    Activation, Seeding, Inspection, DataPlane, FaultControls, Reporting, Doors, Devices
):
    """An emulated AWS IoT service, active between ``start()`` and ``stop()``.

    Get one from the ``iot_certs`` fixture or from ``pytest_iotcerts.mock_iot()``.
    """

    def __init__(
        self, settings: Settings | None = None, *, ca: CertificateAuthority | None = None
    ) -> None:
        self.settings = settings or Settings()
        self.sleep_on_retry = self.settings.sleep_on_retry
        self.strict_faults = self.settings.strict_faults
        self.verify_signatures = self.settings.verify_signatures
        self.mqtt_policies = self.settings.mqtt_policies
        self._ca = ca
        self._keys = key_source(self.settings.key_bank)
        self._identity = Identity(self.settings.account_id, self.settings.region)
        self.clock = Clock()
        self._retry_delays: list[float] = []
        self._active = False
        self._server: LoopbackServer | None = None
        self.reset()

    def reset(self) -> None:
        """Forget all state, calls and faults (the CA and settings stay)."""
        self._store = Store()
        # every message recorded, whoever published it, runs the rules it reaches
        self._store.events.observe(
            lambda message: self._service_for(
                message.account_id, message.region
            ).rules_engine.route(message)
        )
        self._retry_delays.clear()
        self._faults = Faults(
            iot_model(), self.clock, also=(iot_model("iot-jobs-data"), iot_model("iot-data"))
        )
        if self.settings.aws_quotas:
            self._faults.apply_aws_quotas()
        self._router = Router(
            services=self._service_for,
            authenticator=Authenticator(
                self._identity, verify_signatures=lambda: self.verify_signatures
            ),
            handlers=SERVICE_HANDLERS,
            faults=self._faults,
        )
        self._devices_reset()

    def service(self, account_id: str | None = None, region: str | None = None) -> IotService:
        """The service layer as ``account_id`` (default: the mock's) sees it in ``region``
        (default: the mock's): what API calls reach, without a call being recorded."""
        if account_id is not None:
            check_account_id(account_id)
        return self._service_for(account_id or self.account_id, region or self.region)

    def _service_for(self, account_id: str, region: str) -> IotService:
        return IotService(self._store, self.ca, account_id, region, self.clock, self._keys)

    @property
    def account_id(self) -> str:
        """The account of requests whose access key maps to no other account."""
        return self._identity.default_account_id

    @account_id.setter
    def account_id(self, value: str) -> None:
        check_account_id(value)
        self._identity.default_account_id = value

    @property
    def region(self) -> str:
        """The default region set in the environment while active."""
        return self._identity.default_region

    @property
    def ca(self) -> CertificateAuthority:
        if self._ca is None:
            self._ca = session_ca()
        return self._ca

    @property
    def ca_certificate(self) -> x509.Certificate:
        """The CA that signs every certificate this mock issues."""
        return self.ca.certificate

    @property
    def ca_pem(self) -> str:
        return self.ca.pem

    def credentials_for(self, account_id: str) -> dict[str, str]:
        """Fake credentials whose calls act as ``account_id``:
        ``boto3.client("iot", **iot_certs.credentials_for("210987654321"))``."""
        check_account_id(account_id)
        access_key_id = f"AKIA{account_id}IOTC"
        self._identity.access_keys[access_key_id] = account_id
        return {
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": FAKE_SECRET_ACCESS_KEY,
        }

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"<IotCerts {state} account={self.account_id} region={self.region}>"


def mock_iot(**settings: Any) -> IotCerts:
    """An emulated AWS IoT service for code outside pytest fixtures.

    Use it as a context manager (``with mock_iot() as iot: ...``) or a decorator (``@mock_iot()``).
    Keyword arguments are the settings (``account_id``, ``region``, ``sleep_on_retry``,
    ``strict_faults``, ``aws_quotas``, ``verify_signatures``, ``mqtt_policies``, ``key_bank``,
    ``unemulated``); an unknown one is a ValueError.
    """
    return IotCerts(Settings().updated(**settings))
