"""What tests look at: the certificates and other resources held, the calls answered, and
assertions whose failure message shows what there is instead."""

from __future__ import annotations

from .._core.events import Message, matches
from .._core.resources import (
    Authorizer,
    BillingGroup,
    CACertificate,
    Certificate,
    DomainConfiguration,
    Job,
    Policy,
    RoleAlias,
    Thing,
    ThingGroup,
    ThingType,
)
from .._core.store import Store
from .._wire.router import Call, Router


class Inspection:
    """``certificates``, ``get``, ``calls``, ``assert_*``; part of ``IotCerts``."""

    _store: Store
    _router: Router
    _retry_delays: list[float]

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
            f"no certificate {certificate_id!r}; the service holds {_describe(self.certificates)}"
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
    def thing_types(self) -> list[ThingType]:
        return self._store.collect(lambda state: state.thing_types.values())

    @property
    def thing_groups(self) -> list[ThingGroup]:
        """Static thing groups, each with its ``parent_name`` and ``things``."""
        return self._store.collect(lambda state: state.thing_groups.values())

    @property
    def billing_groups(self) -> list[BillingGroup]:
        return self._store.collect(lambda state: state.billing_groups.values())

    @property
    def role_aliases(self) -> list[RoleAlias]:
        return self._store.collect(lambda state: state.role_aliases.values())

    @property
    def authorizers(self) -> list[Authorizer]:
        return self._store.collect(lambda state: state.authorizers.values())

    @property
    def domain_configurations(self) -> list[DomainConfiguration]:
        return self._store.collect(lambda state: state.domain_configurations.values())

    @property
    def jobs(self) -> list[Job]:
        """Jobs, each with its ``executions`` by thing name."""
        return self._store.collect(lambda state: state.jobs.values())

    @property
    def events(self) -> list[Message]:
        """The messages AWS IoT published, oldest first, with or without the MQTT endpoint:
        registry and jobs events while enabled, JITR's ``certificates/registered``, and the
        answers and notifications of its MQTT APIs (shadows, jobs)."""
        return self._store.events.published

    def events_on(self, topic_filter: str) -> list[Message]:
        """The events whose topic matches ``topic_filter`` (``+`` and ``#`` allowed), each
        decoded with ``.json()``."""
        return [event for event in self.events if matches(event.topic, topic_filter)]

    @property
    def calls(self) -> list[Call]:
        """Every request answered, retries included, in order."""
        return self._router.calls

    @property
    def unemulated_calls(self) -> list[Call]:
        """Calls of operations not emulated yet (answered NotImplementedException)."""
        return [c for c in self.calls if c.error_code == "NotImplementedException"]

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

    def assert_status(self, certificate_id: str, expected: str) -> None:
        """AssertionError naming the actual status (or the certificates there are)."""
        __tracebackhide__ = True
        certificate = self._certificate_or_fail(certificate_id, f"to be {expected}")
        if certificate.status != expected:
            raise AssertionError(
                f"expected certificate {certificate_id} to be {expected}, but it is "
                f"{certificate.status}"
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
        __tracebackhide__ = True
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
        __tracebackhide__ = True
        wanted = {"thing": thing, "policy": policy}
        expectation = "to have " + " and ".join(_named(wanted))
        certificate = self._certificate_or_fail(certificate_id, expectation)
        attached = {"thing": certificate.things, "policy": certificate.policies}
        missing = _named(
            {kind: name for kind, name in wanted.items() if name not in attached[kind]}
        )
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
        __tracebackhide__ = True
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
            wanted = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"expected {operation}{_filters(error_code=error_code)} {wanted}, matched "
                f"{len(matching)}; calls made: {describe_calls(self.calls)}"
            )
        return matching

    def _certificate_or_fail(self, certificate_id: str, expectation: str) -> Certificate:
        __tracebackhide__ = True
        try:
            return self.get(certificate_id)
        except KeyError as missing:
            raise AssertionError(
                f"expected certificate {certificate_id} {expectation}, but {missing.args[0]}"
            ) from None


def _named(resources: dict[str, str | None]) -> list[str]:
    return [f"{kind} {name!r}" for kind, name in resources.items() if name is not None]


def describe_calls(calls: list[Call]) -> str:
    made = ", ".join(f"{c.operation}->{c.error_code or c.status_code}" for c in calls)
    return made or "none"


def _filters(**filters: str | None) -> str:
    chosen = [f"{name}={value}" for name, value in filters.items() if value is not None]
    return f" ({', '.join(chosen)})" if chosen else ""


def _describe(certificates: list[Certificate]) -> str:
    if not certificates:
        return "no certificates"
    return ", ".join(repr(c) for c in certificates)
