"""The controller: the mock itself (context manager, decorator) and its test-facing API."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from typing import Any, TypeVar

from cryptography import x509

from . import _botocore
from ._crypto import CertificateAuthority, session_ca
from ._http import HttpRequest, HttpResponse
from ._operations import HANDLERS
from ._router import Call, Identity, Router
from ._state import Certificate, Store

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

F = TypeVar("F", bound=Callable[..., Any])

# Credentials and config that could point botocore at a real account are hidden while active.
_UNSET_ENV = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
)


class IotCerts:
    """An emulated AWS IoT certificate service, active between ``start()`` and ``stop()``.

    Get one from the ``iot_certs`` fixture or from ``pytest_iotcerts.mock_iot()``.
    """

    def __init__(
        self,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        sleep_on_retry: bool = False,
        ca: CertificateAuthority | None = None,
    ) -> None:
        _check_account_id(account_id)
        self.sleep_on_retry = sleep_on_retry
        self._ca = ca
        self._identity = Identity(account_id, region)
        self._store = Store()
        self._router: Router | None = None
        self._retry_delays: list[float] = []
        self._saved_env: dict[str, str | None] | None = None

    # -- activation -------------------------------------------------------------------------

    def start(self) -> IotCerts:
        if self._saved_env is not None:
            raise RuntimeError("this mock_iot() is already active")
        self.reset()
        self._patch_environment()
        _botocore.push(self)
        return self

    def stop(self) -> None:
        if self._saved_env is None:
            return
        _botocore.pop(self)
        self._restore_environment()

    def __enter__(self) -> IotCerts:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        """Use as a decorator: each call of ``func`` runs with fresh, active state."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    @property
    def active(self) -> bool:
        return self._saved_env is not None

    def reset(self) -> None:
        """Forget all state, calls and faults (the CA and settings stay)."""
        self._store = Store()
        self._retry_delays.clear()
        self._router = Router(
            store=self._store, ca=self.ca, identity=self._identity, handlers=HANDLERS
        )

    # -- settings ---------------------------------------------------------------------------

    @property
    def account_id(self) -> str:
        """The account of requests whose access key maps to no other account."""
        return self._identity.default_account_id

    @account_id.setter
    def account_id(self, value: str) -> None:
        _check_account_id(value)
        self._identity.default_account_id = value

    @property
    def region(self) -> str:
        """The default region set in the environment while active."""
        return self._identity.default_region

    # -- what was issued --------------------------------------------------------------------

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

    @property
    def certificates(self) -> list[Certificate]:
        """The certificates the service holds now, in issue order (all accounts and regions)."""
        return self._store.all_certificates()

    def get(
        self, certificate_id: str, *, account_id: str | None = None, region: str | None = None
    ) -> Certificate:
        """The certificate with that id (narrowed by account and region); KeyError if none."""
        found = self._store.find(certificate_id.lower(), account_id=account_id, region=region)
        if found is not None:
            return found
        raise KeyError(
            f"no certificate {certificate_id!r}; the service holds "
            f"{_describe(self._store.all_certificates())}"
        )

    @property
    def calls(self) -> list[Call]:
        """Every request answered, retries included, in order."""
        return self._live_router().calls

    @property
    def retry_delays(self) -> list[float]:
        """The backoff botocore asked for between retries of IoT calls (skipped unless
        ``sleep_on_retry``)."""
        return list(self._retry_delays)

    # -- the door interface -----------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one HTTP request for the IoT control plane (what every door calls)."""
        return self._live_router().handle(request)

    def record_retry_delay(self, seconds: float) -> None:
        self._retry_delays.append(seconds)

    def _live_router(self) -> Router:
        if self._router is None:
            self.reset()
        assert self._router is not None
        return self._router

    # -- environment ------------------------------------------------------------------------

    def _patch_environment(self) -> None:
        wanted: dict[str, str | None] = {
            "AWS_ACCESS_KEY_ID": _botocore.FAKE_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": _botocore.FAKE_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        wanted.update(dict.fromkeys(_UNSET_ENV))
        self._saved_env = {name: os.environ.get(name) for name in wanted}
        _apply_environment(wanted)

    def _restore_environment(self) -> None:
        saved, self._saved_env = self._saved_env, None
        if saved is not None:
            _apply_environment(saved)

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"<IotCerts {state} account={self.account_id} region={self.region}>"


def mock_iot(
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    sleep_on_retry: bool = False,
) -> IotCerts:
    """An emulated AWS IoT certificate service for code outside pytest fixtures.

    Use it as a context manager (``with mock_iot() as iot: ...``) or a decorator (``@mock_iot()``).
    """
    return IotCerts(account_id=account_id, region=region, sleep_on_retry=sleep_on_retry)


def _apply_environment(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _check_account_id(account_id: str) -> None:
    if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
        raise ValueError(f"an AWS account id is 12 digits, got {account_id!r}")


def _describe(certificates: list[Certificate]) -> str:
    if not certificates:
        return "no certificates"
    return ", ".join(repr(c) for c in certificates)
