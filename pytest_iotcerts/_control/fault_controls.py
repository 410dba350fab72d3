"""Making calls fail: fault rules, their shortcuts (throttle, unauthorized, ...) and rate limits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._wire.faults import CONNECTION_ERROR, READ_TIMEOUT, FaultRule, Faults, RateLimit
from .._wire.router import Call
from .inspection import describe_calls


class FaultControls:
    """``add_fault``, ``throttle``, ``rate_limit``, ``verify_faults``; part of ``IotCerts``."""

    _faults: Faults
    strict_faults: bool

    if TYPE_CHECKING:  # from the other parts of IotCerts

        @property
        def calls(self) -> list[Call]: ...

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
        """AssertionError if a strict rule (every counted rule, with ``strict_faults``) did not
        fire as often as its ``times``; the message lists the rules and the calls made."""
        __tracebackhide__ = True
        problem = self.unfired_faults_message(strict=True)
        if problem is not None:
            raise AssertionError(problem)

    def unfired_faults_message(self, *, strict: bool) -> str | None:
        """What to say of the counted rules that did not fire fully: the strict ones (every
        counted rule, with ``strict_faults``), or the others."""
        strict_ones = self._faults.unfired(strict_only=not self.strict_faults)
        chosen = strict_ones
        if not strict:
            chosen = [r for r in self._faults.unfired(strict_only=False) if r not in strict_ones]
        if not chosen:
            return None
        lines = "\n".join(f"  {rule.describe()}" for rule in chosen)
        return (
            f"pytest-iotcerts: {len(chosen)} fault rule(s) did not fire as often as expected "
            f"(they never matched enough calls):\n{lines}\n"
            f"calls made: {describe_calls(self.calls)}"
        )
