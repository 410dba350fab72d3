"""The controller: the mock itself (context manager, decorator) and its test-facing API."""

from __future__ import annotations

import functools
import inspect
import json
import os
import time
import unittest
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import responses
from cryptography import x509

from . import _botocore, _crypto, _responses
from ._auth import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, Authenticator, Identity
from ._clock import Clock
from ._crypto import CertificateAuthority, session_ca
from ._environment import environment
from ._faults import CONNECTION_ERROR, READ_TIMEOUT, FaultRule, Faults, RateLimit
from ._http import HttpRequest, HttpResponse
from ._model import iot_model
from ._operations import HANDLERS
from ._operations import certificates as certificate_ops
from ._operations import registration as registration_ops
from ._router import Call, RequestContext, Router
from ._settings import Settings, check_account_id
from ._state import CACertificate, Certificate, Policy, Store, Thing

if TYPE_CHECKING:
    from ._server import LoopbackServer

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
        self, settings: Settings | None = None, *, ca: CertificateAuthority | None = None
    ) -> None:
        self._settings = settings or Settings()
        self.sleep_on_retry = self._settings.sleep_on_retry
        self.strict_faults = self._settings.strict_faults
        self.verify_signatures = self._settings.verify_signatures
        self._ca = ca
        self._identity = Identity(self._settings.account_id, self._settings.region)
        self.clock = Clock()
        self._retry_delays: list[float] = []
        self._active = False
        self._server: LoopbackServer | None = None
        self.reset()

    # -- activation -------------------------------------------------------------------------

    def start(self) -> IotCerts:
        """Activate. Several mocks may be active at once: calls from a thread go to the latest
        mock that thread started, else to the latest started anywhere."""
        if self._active:
            raise RuntimeError("this mock_iot() is already active")
        self.reset()
        environment.push(self, self._environment())
        _botocore.push(self)
        self._active = True
        return self

    def stop(self) -> None:
        if not self._active:
            return
        self._active = False
        _botocore.pop(self)
        if self._server is not None:
            self._server.stop()
            self._server = None
        environment.pop(self)

    def __enter__(self) -> IotCerts:
        return self.start()

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        self.stop()
        if exc_type is None:
            self.verify_faults()

    def __call__(self, func: F) -> F:
        """Use as a decorator: each call of ``func`` runs with fresh, active state. On a
        ``unittest.TestCase`` class, every test runs with fresh state (started before
        ``setUp``, stopped after ``tearDown``); on another class, every ``test*`` method."""
        if isinstance(func, type):
            return self._decorate_class(func)  # type: ignore[return-value]
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

    def _decorate_class(self, cls: type) -> type:
        if issubclass(cls, unittest.TestCase):
            original_set_up = cls.setUp

            def set_up(test: unittest.TestCase) -> None:
                self.start()
                test.addCleanup(self.stop)
                original_set_up(test)

            cls.setUp = set_up  # type: ignore[method-assign,assignment]
            return cls
        for name, attribute in list(vars(cls).items()):
            if name.startswith("test") and callable(attribute):
                setattr(cls, name, self(attribute))
        return cls

    @property
    def active(self) -> bool:
        return self._active

    @property
    def settings(self) -> Settings:
        """The settings this mock was made with."""
        return self._settings

    def reset(self) -> None:
        """Forget all state, calls and faults (the CA and settings stay)."""
        self._store = Store()
        self._retry_delays.clear()
        self._faults = Faults(iot_model(), self.clock)
        if self._settings.aws_quotas:
            self._faults.apply_aws_quotas()
        self._router = Router(
            store=self._store,
            ca=self.ca,
            authenticator=Authenticator(
                self._identity, verify_signatures=lambda: self.verify_signatures
            ),
            handlers=HANDLERS,
            faults=self._faults,
        )

    # -- settings ---------------------------------------------------------------------------

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
    def ca_certificates(self) -> list[CACertificate]:
        """CA certificates registered with RegisterCACertificate (all accounts and regions)."""
        return self._store.collect(lambda state: state.ca_certificates.values())

    @property
    def things(self) -> list[Thing]:
        """Things (all accounts and regions), each with its ``principals``."""
        return self._store.collect(lambda state: state.things.values())

    @property
    def policies(self) -> list[Policy]:
        """Policies (all accounts and regions), each with its ``targets``."""
        return self._store.collect(lambda state: state.policies.values())

    @property
    def calls(self) -> list[Call]:
        """Every request answered, retries included, in order."""
        return self._router.calls

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of pytest-iotcerts bugs met while answering (the client got
        InternalFailureException); the fixture turns them into a warning."""
        return list(self._router.internal_errors)

    @property
    def retry_delays(self) -> list[float]:
        """The backoff botocore asked for between retries of IoT calls (slept only with
        ``sleep_on_retry``; otherwise the mock's ``clock`` moves on by it)."""
        return list(self._retry_delays)

    # -- accounts ---------------------------------------------------------------------------

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

    # -- seeding: state that exists before the code under test runs ------------------------

    def issue_certificate(
        self,
        *,
        csr: str | x509.CertificateSigningRequest | None = None,
        status: str = "ACTIVE",
        account_id: str | None = None,
        region: str | None = None,
    ) -> Certificate:
        """Issue a certificate as CreateKeysAndCertificate (no ``csr``) or
        CreateCertificateFromCsr would, without a call; CSR rules apply."""
        context = self._context(account_id, region)
        _check_status(status)
        if csr is None:
            certificate = certificate_ops.issue_from_keys(context, status)
        else:
            pem = csr if isinstance(csr, str) else _crypto.csr_pem(csr)
            certificate = certificate_ops.issue_from_csr(context, pem, status)
        self._store.add_certificate(certificate)
        return certificate

    def register_certificate(
        self,
        certificate: str | x509.Certificate,
        *,
        ca_certificate: str | x509.Certificate | None = None,
        without_ca: bool = False,
        status: str = "ACTIVE",
        account_id: str | None = None,
        region: str | None = None,
    ) -> Certificate:
        """Register a certificate made elsewhere, as RegisterCertificate (or ...WithoutCA)
        would, without a call; the same chain and key rules apply."""
        _check_status(status)
        return registration_ops.register(
            self._context(account_id, region),
            _as_pem(certificate),
            status=status,
            ca_certificate_pem=None if ca_certificate is None else _as_pem(ca_certificate),
            without_ca=without_ca,
        )

    def register_ca_certificate(
        self,
        ca_certificate: str | x509.Certificate,
        *,
        status: str = "ACTIVE",
        account_id: str | None = None,
        region: str | None = None,
    ) -> CACertificate:
        """Register a CA certificate (no verification certificate needed when seeding)."""
        if status not in ("ACTIVE", "INACTIVE"):
            raise ValueError(f"a CA certificate is ACTIVE or INACTIVE, not {status!r}")
        return registration_ops.add_ca_certificate(
            self._context(account_id, region),
            registration_ops.load_ca(_as_pem(ca_certificate)),
            status=status,
            auto_registration=False,
            certificate_mode="DEFAULT",
            registration_config=None,
        )

    def create_thing(
        self,
        name: str,
        *,
        attributes: dict[str, str] | None = None,
        principals: Iterable[str | Certificate] = (),
        account_id: str | None = None,
        region: str | None = None,
    ) -> Thing:
        """Create a thing and attach principals (certificates or their ARNs) to it."""
        params: dict[str, Any] = {"thingName": name}
        if attributes:
            params["attributePayload"] = {"attributes": dict(attributes)}
        self._seed("CreateThing", params, account_id, region)
        for principal in principals:
            self._seed(
                "AttachThingPrincipal",
                {"thingName": name, "principal": _principal(principal)},
                account_id,
                region,
            )
        return self._store.region(account_id or self.account_id, region or self.region).things[name]

    def create_policy(
        self,
        name: str,
        document: str | dict[str, Any] | None = None,
        *,
        targets: Iterable[str | Certificate] = (),
        account_id: str | None = None,
        region: str | None = None,
    ) -> Policy:
        """Create a policy (by default one allowing iot:Connect) and attach it to targets."""
        if document is None:
            document = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}],
            }
        text = document if isinstance(document, str) else json.dumps(document)
        self._seed("CreatePolicy", {"policyName": name, "policyDocument": text}, account_id, region)
        for target in targets:
            self._seed(
                "AttachPolicy",
                {"policyName": name, "target": _principal(target)},
                account_id,
                region,
            )
        return self._store.region(account_id or self.account_id, region or self.region).policies[
            name
        ]

    def _context(self, account_id: str | None, region: str | None) -> RequestContext:
        if account_id is not None:
            check_account_id(account_id)
        return RequestContext(
            account_id or self.account_id,
            region or self.region,
            "seed",
            self._store,
            self.ca,
        )

    def _seed(
        self, operation: str, params: dict[str, Any], account_id: str | None, region: str | None
    ) -> None:
        """Run a handler directly: the service's rules apply, but no call is recorded and no
        fault fires. A rule broken raises the ServiceError (its message says which)."""
        HANDLERS[operation](self._context(account_id, region), params)

    # -- assertions ---------------------------------------------------------------------------

    def assert_status(self, certificate_id: str, expected: str) -> None:
        """AssertionError naming the actual status (or the certificates there are)."""
        try:
            actual = self.get(certificate_id).status
        except KeyError as missing:
            raise AssertionError(
                f"expected certificate {certificate_id} to be {expected}, but {missing.args[0]}"
            ) from None
        if actual != expected:
            raise AssertionError(
                f"expected certificate {certificate_id} to be {expected}, but it is {actual}"
            )

    def assert_certificate_count(
        self,
        expected: int,
        *,
        status: str | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> None:
        """AssertionError listing the certificates there are when the count differs."""
        matching = [
            c
            for c in self.certificates
            if status in (None, c.status)
            and account_id in (None, c.account_id)
            and region in (None, c.region)
        ]
        if len(matching) != expected:
            raise AssertionError(
                f"expected {expected} certificate(s)"
                f"{_filters(status=status, account_id=account_id, region=region)}, found "
                f"{len(matching)}; the service holds {_describe(self.certificates)}"
            )

    def assert_attached(
        self, certificate_id: str, *, thing: str | None = None, policy: str | None = None
    ) -> None:
        """AssertionError showing what is attached instead."""
        certificate = self.get(certificate_id)
        missing = []
        if thing is not None and thing not in certificate.things:
            missing.append(f"thing {thing!r}")
        if policy is not None and policy not in certificate.policies:
            missing.append(f"policy {policy!r}")
        if missing:
            raise AssertionError(
                f"expected {' and '.join(missing)} attached to certificate {certificate_id}; "
                f"attached: things {sorted(certificate.things)}, "
                f"policies {sorted(certificate.policies)}"
            )

    def assert_called(
        self, operation: str, *, times: int | None = None, error_code: str | None = None
    ) -> list[Call]:
        """The matching calls; AssertionError listing the calls made when none (or not
        ``times``) match. ``error_code="ok"`` matches successful calls only."""
        matching = [
            call
            for call in self.calls
            if call.operation == operation
            and (
                error_code is None
                or call.error_code == error_code
                or (error_code == "ok" and call.error_code is None)
            )
        ]
        if (times is None and not matching) or (times is not None and len(matching) != times):
            made = ", ".join(f"{c.operation}->{c.error_code or c.status_code}" for c in self.calls)
            wanted = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"expected {operation}{_filters(error_code=error_code)} {wanted}, matched "
                f"{len(matching)}; calls made: {made or 'none'}"
            )
        return matching

    # -- faults -----------------------------------------------------------------------------

    def add_fault(
        self,
        error_code: str,
        *,
        operation: str | Iterable[str] | None = None,
        times: int | None = None,
        message: str | None = None,
        account_id: str | None = None,
        region: str | None = None,
        probability: float | None = None,
        seed: int | None = None,
        strict: bool = False,
    ) -> FaultRule:
        """Make matching calls fail with ``error_code``, a modeled IoT error (its HTTP status
        from the service model) or ``"ConnectionError"`` / ``"ReadTimeout"``.

        ``operation``: a name or names (None: every operation that can return the code);
        ``times``: how many calls fail (None: until removed); ``probability`` with ``seed``: a
        reproducible share of the matching calls fails; ``strict``: fail the test if a counted
        rule did not fire fully. Rules are tried in the order added; the first that matches wins.
        """
        return self._faults.add(
            error_code,
            operation=operation,
            times=times,
            message=message,
            account_id=account_id,
            region=region,
            probability=probability,
            seed=seed,
            strict=strict,
        )

    def throttle(self, operation: str | Iterable[str] | None = None, **options: Any) -> FaultRule:
        """``add_fault("ThrottlingException", ...)``: retried by botocore."""
        return self.add_fault("ThrottlingException", operation=operation, **options)

    def unauthorized(
        self, operation: str | Iterable[str] | None = None, **options: Any
    ) -> FaultRule:
        """``add_fault("UnauthorizedException", ...)``: HTTP 401, never retried."""
        return self.add_fault("UnauthorizedException", operation=operation, **options)

    def service_unavailable(
        self, operation: str | Iterable[str] | None = None, **options: Any
    ) -> FaultRule:
        """``add_fault("ServiceUnavailableException", ...)``: HTTP 503, retried."""
        return self.add_fault("ServiceUnavailableException", operation=operation, **options)

    def connection_error(
        self, operation: str | Iterable[str] | None = None, **options: Any
    ) -> FaultRule:
        """The connection fails: botocore raises EndpointConnectionError (and retries)."""
        return self.add_fault(CONNECTION_ERROR, operation=operation, **options)

    def read_timeout(
        self, operation: str | Iterable[str] | None = None, **options: Any
    ) -> FaultRule:
        """No answer in time: botocore raises ReadTimeoutError (and retries)."""
        return self.add_fault(READ_TIMEOUT, operation=operation, **options)

    def rate_limit(self, operation: str, tps: float, burst: float | None = None) -> RateLimit:
        """A token bucket per account and region: calls beyond ``tps`` (with ``burst``, default
        ``max(1, tps)``) get ThrottlingException."""
        return self._faults.rate_limit(operation, tps, burst)

    def apply_aws_quotas(self) -> dict[str, RateLimit]:
        """Rate-limit every operation with a published AWS IoT quota at that quota."""
        return self._faults.apply_aws_quotas()

    @property
    def faults(self) -> list[FaultRule]:
        return self._faults.rules

    @property
    def rate_limits(self) -> dict[str, RateLimit]:
        return self._faults.rate_limits

    def clear_faults(self) -> None:
        """Remove every fault rule and rate limit."""
        self._faults.clear()

    def verify_faults(self) -> None:
        """AssertionError if a strict rule with a ``times`` count did not fire fully."""
        unfired = self._faults.unfired(strict_only=not self.strict_faults)
        if unfired:
            lines = "\n".join(f"  {rule.describe()}" for rule in unfired)
            raise AssertionError(
                f"pytest-iotcerts: {len(unfired)} fault rule(s) did not fire as often as "
                f"expected (they never matched enough calls):\n{lines}"
            )

    # -- other doors: subprocesses, requests ---------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        """A loopback endpoint (``http://127.0.0.1:PORT``) serving this same state, for the aws
        CLI, the AWS SDK for JavaScript and other subprocesses. Started on first use."""
        if not self.active:
            raise RuntimeError("the emulator is not active; start it (or use the fixture) first")
        if self._server is None:
            from ._server import LoopbackServer  # the server library loads only when needed

            self._server = LoopbackServer(self.handle)
        return self._server.start()

    def subprocess_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a subprocess to talk to this emulator: ``base`` (default: the
        current environment, already holding fake credentials and the region) plus
        ``AWS_ENDPOINT_URL_IOT`` pointing at the loopback endpoint."""
        env = dict(os.environ if base is None else base)
        env.update({k: v for k, v in self._environment().items() if v is not None})
        for name in _UNSET_ENV:
            env.pop(name, None)
        env["AWS_ENDPOINT_URL_IOT"] = self.endpoint_url
        env.pop("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", None)
        return env

    def add_to_responses(self, rsps: responses.RequestsMock) -> None:
        """Answer requests-based IoT calls (``https://iot.{region}.amazonaws.com/...``) made
        while ``rsps`` is active."""
        _responses.register(rsps, self.handle)

    @contextmanager
    def mock_requests(self) -> Iterator[responses.RequestsMock]:
        """A ``responses`` mock that answers IoT calls made with ``requests`` and lets every
        other request through."""
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            rsps.add_passthru(_responses.not_iot_url())
            self.add_to_responses(rsps)
            yield rsps

    # -- the door interface -----------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one HTTP request for the IoT control plane (what every door calls)."""
        return self._router.handle(request)

    def retry_delay(self, seconds: float) -> None:
        """botocore backs off before retrying one of this mock's calls: record the delay, then
        sleep it (``sleep_on_retry``) or move the mock's clock on by it."""
        self._retry_delays.append(seconds)
        if self.sleep_on_retry:
            time.sleep(seconds)
        else:
            self.clock.advance(seconds)

    # -- environment ------------------------------------------------------------------------

    def _environment(self) -> dict[str, str | None]:
        values: dict[str, str | None] = {
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        values.update(dict.fromkeys(_UNSET_ENV))
        return values

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"<IotCerts {state} account={self.account_id} region={self.region}>"


def mock_iot(**settings: Any) -> IotCerts:
    """An emulated AWS IoT service for code outside pytest fixtures.

    Use it as a context manager (``with mock_iot() as iot: ...``) or a decorator (``@mock_iot()``).
    Keyword arguments are the settings (``account_id``, ``region``, ``sleep_on_retry``,
    ``strict_faults``, ``aws_quotas``, ``verify_signatures``); an unknown one is a ValueError.
    """
    return IotCerts(Settings().updated(**settings))


def _check_status(status: str) -> None:
    allowed = ("ACTIVE", "INACTIVE", "REVOKED", "PENDING_ACTIVATION")
    if status not in allowed:
        raise ValueError(f"status must be one of {', '.join(allowed)}, not {status!r}")


def _as_pem(value: str | x509.Certificate) -> str:
    return value if isinstance(value, str) else _crypto.to_pem(value)


def _principal(value: str | Certificate) -> str:
    return value.arn if isinstance(value, Certificate) else value


def _filters(**filters: str | None) -> str:
    chosen = [f"{name}={value}" for name, value in filters.items() if value is not None]
    return f" ({', '.join(chosen)})" if chosen else ""


def _describe(certificates: list[Certificate]) -> str:
    if not certificates:
        return "no certificates"
    return ", ".join(repr(c) for c in certificates)
