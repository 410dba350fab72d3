"""Injected faults: rules that make matching calls fail as AWS or the network would.

A rule matches calls by operation, account and region, fails a given number of them (or all, or a
random share with a seed), and answers with a modeled IoT error (serialized by the router, so
botocore parses and retries it as it would from AWS) or a transport failure. Rate limits are token
buckets per operation, account and region that answer ThrottlingException past their rate.

The lock is held only while matching and counting; the error is raised after it is released.
"""

from __future__ import annotations

import difflib
import random
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .._aws.clock import Clock
from .._aws.errors import ServiceError
from .._aws.public import public
from .auth import COMMON_ERRORS, common_error
from .http import TransportFault
from .model import IotModel

CONNECTION_ERROR = TransportFault.CONNECTION_ERROR
READ_TIMEOUT = TransportFault.READ_TIMEOUT
TRANSPORT_FAULTS = (CONNECTION_ERROR, READ_TIMEOUT)
# What any operation can meet, whatever its model says: the network, and authentication.
ANY_OPERATION = frozenset(TRANSPORT_FAULTS) | frozenset(COMMON_ERRORS)

# AWS IoT's published per-account, per-region rates (transactions per second) for the
# operations of this plugin (a 2020 copy of the limits table; CreateKeysAndCertificate unverified).
AWS_QUOTAS: dict[str, float] = {
    "CreateKeysAndCertificate": 10,
    "CreateCertificateFromCsr": 15,
    "RegisterCertificate": 10,
    "RegisterCertificateWithoutCA": 10,
    "UpdateCertificate": 10,
    "DescribeCertificate": 10,
    "ListCertificates": 10,
    "DeleteCertificate": 10,
    "TransferCertificate": 10,
    "AcceptCertificateTransfer": 10,
    "RejectCertificateTransfer": 10,
    "CancelCertificateTransfer": 10,
    "GetRegistrationCode": 10,
    "AttachThingPrincipal": 15,
    "DetachThingPrincipal": 15,
    "AttachPolicy": 15,
    "ListAttachedPolicies": 15,
    "ListPrincipalThings": 10,
}

_DEFAULT_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "UnauthorizedException": "You are not authorized to perform iot:{operation}.",
    "ServiceUnavailableException": "Service is currently unavailable. Please try again later.",
    "InternalFailureException": "An internal failure occurred. Please try again later.",
    "LimitExceededException": "A limit has been exceeded for iot:{operation}.",
    **{code: message for code, (_status, message) in COMMON_ERRORS.items()},
    CONNECTION_ERROR: "Could not connect to the endpoint (injected by pytest-iotcerts)",
    READ_TIMEOUT: "Read timeout on the endpoint (injected by pytest-iotcerts)",
}


@public
@dataclass(eq=False)
class FaultRule:
    """One injected fault. ``fired`` counts the calls it failed; ``remove()`` takes it away."""

    error_code: str
    operations: frozenset[str] | None
    times: int | None
    message: str | None
    account_id: str | None
    region: str | None
    probability: float | None
    seed: int | None
    strict: bool
    fired: int = 0
    _random: random.Random | None = field(default=None, repr=False)
    _owner: Faults | None = field(default=None, repr=False)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def remove(self) -> None:
        if self._owner is not None:
            self._owner.remove(self)

    def describe(self) -> str:
        parts = [self.error_code]
        parts.append(f"operation={sorted(self.operations)}" if self.operations else "any operation")
        if self.times is not None:
            parts.append(f"times={self.times}")
        if self.account_id:
            parts.append(f"account_id={self.account_id}")
        if self.region:
            parts.append(f"region={self.region}")
        if self.probability is not None:
            parts.append(f"probability={self.probability} seed={self.seed}")
        return f"fault({', '.join(parts)}; fired {self.fired})"

    def _matches(self, operation: str, account_id: str, region: str, can_return: bool) -> bool:
        if self.exhausted or not can_return:
            return False
        if self.operations is not None and operation not in self.operations:
            return False
        if self.account_id not in (None, account_id) or self.region not in (None, region):
            return False
        if self.probability is not None:
            assert self._random is not None
            return self._random.random() < self.probability
        return True

    def _exception(self, operation: str, account_id: str) -> Exception:
        template = self.message or _DEFAULT_MESSAGES.get(
            self.error_code, f"{self.error_code} injected by pytest-iotcerts for iot:{{operation}}"
        )
        message = template.replace("{operation}", operation).replace("{account}", account_id)
        if self.error_code in TRANSPORT_FAULTS:
            return TransportFault(self.error_code, message)
        if self.error_code in COMMON_ERRORS:
            return common_error(self.error_code, message)
        return ServiceError(self.error_code, message)


@public
class RateLimit:
    """A token bucket per account and region: ``tps`` tokens a second, ``burst`` at most."""

    def __init__(
        self, operation: str, tps: float, burst: float | None, clock: Callable[[], float]
    ) -> None:
        if tps <= 0:
            raise ValueError(f"tps must be positive, got {tps!r}")
        self.operation = operation
        self.tps = float(tps)
        self.burst = float(burst if burst is not None else max(1.0, tps))
        if self.burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        self.throttled = 0
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._owner: Faults | None = None

    def remove(self) -> None:
        if self._owner is not None:
            self._owner.remove_rate_limit(self)

    def _take(self, account_id: str, region: str) -> bool:
        now = self._clock()
        tokens, last = self._buckets.get((account_id, region), (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.tps)
        if tokens >= 1:
            self._buckets[(account_id, region)] = (tokens - 1, now)
            return True
        self._buckets[(account_id, region)] = (tokens, now)
        self.throttled += 1
        return False

    def __repr__(self) -> str:
        return (
            f"<RateLimit {self.operation} {self.tps:g}/s burst {self.burst:g}; "
            f"throttled {self.throttled}>"
        )


def _did_you_mean(name: str, known: set[str]) -> str:
    """`` (did you mean X?)`` for a near miss (``Throttling`` for ``ThrottlingException``)."""
    folded = {k.lower(): k for k in known}
    if name.lower() in folded:
        return f" (did you mean {folded[name.lower()]}?)"
    close = [k for k in sorted(known) if k.lower().startswith(name.lower())]
    close += [k for k in difflib.get_close_matches(name, known, n=3) if k not in close]
    return f" (did you mean {' or '.join(close[:3])}?)" if close and name else ""


_ACCOUNT_ID = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def _check_rule_arguments(
    times: object,
    message: object,
    account_id: object,
    region: object,
    probability: object,
    seed: object,
    strict: object,
) -> None:
    """Each argument of a fault rule of the type and range it takes (a ValueError naming it):
    a rule that could never fire, or would fail the call it matches, is refused when added."""
    if times is not None and (type(times) is not int or times < 1):
        raise ValueError(f"times must be a positive integer or None, got {times!r}")
    if message is not None and not isinstance(message, str):
        raise ValueError(f"message must be a string or None, got {message!r}")
    if account_id is not None and not (
        isinstance(account_id, str) and _ACCOUNT_ID.match(account_id)
    ):
        raise ValueError(f"account_id must be an AWS account id (12 digits), got {account_id!r}")
    if region is not None and not (isinstance(region, str) and _REGION.match(region)):
        raise ValueError(f"region must be an AWS region name such as us-east-1, got {region!r}")
    if probability is not None and not (
        type(probability) in (int, float) and 0 < probability <= 1  # type: ignore[operator]
    ):
        raise ValueError(f"probability must be a number in (0, 1], got {probability!r}")
    if seed is not None and type(seed) is not int:
        raise ValueError(f"seed must be an integer or None, got {seed!r}")
    if not isinstance(strict, bool):
        raise ValueError(f"strict must be true or false, got {strict!r}")


class Faults:
    """The fault rules and rate limits of one controller (the router's FaultSource)."""

    def __init__(
        self,
        model: IotModel,
        clock: Callable[[], float] | None = None,
        *,
        also: Sequence[IotModel] = (),
    ) -> None:
        """``model`` is the control plane's; ``also`` other services' (the jobs data plane)
        whose operations rules may name too."""
        self._models = (model, *also)
        self._clock = clock or Clock()
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._limits: dict[str, RateLimit] = {}
        self._errors_by_operation: dict[str, frozenset[str]] = {}
        for each in reversed(self._models):
            for name, codes in each.errors_by_operation.items():
                self._errors_by_operation[name] = (
                    self._errors_by_operation.get(name, frozenset()) | codes
                )

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    @property
    def rate_limits(self) -> dict[str, RateLimit]:
        with self._lock:
            return dict(self._limits)

    def add(
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
        if not isinstance(error_code, str):
            raise ValueError(f"error_code must be an error code's name, got {error_code!r}")
        operations = self._check_operations(operation)
        self._check_error_code(error_code, operations)
        _check_rule_arguments(times, message, account_id, region, probability, seed, strict)
        if probability is not None and seed is None:
            seed = random.SystemRandom().randrange(2**32)
        rule = FaultRule(
            error_code=error_code,
            operations=operations,
            times=times,
            message=message,
            account_id=account_id,
            region=region,
            probability=probability,
            seed=seed,
            strict=strict,
            _random=random.Random(seed) if probability is not None else None,
        )
        rule._owner = self
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def rate_limit(self, operation: str, tps: float, burst: float | None = None) -> RateLimit:
        if not isinstance(operation, str):
            raise TypeError(f"rate_limit takes one operation name, got {operation!r}")
        self._check_operations(operation)
        limit = RateLimit(operation, tps, burst, self._clock)
        limit._owner = self
        with self._lock:
            self._limits[operation] = limit
        return limit

    def remove_rate_limit(self, limit: RateLimit) -> None:
        with self._lock:
            if self._limits.get(limit.operation) is limit:
                del self._limits[limit.operation]

    def apply_aws_quotas(self) -> dict[str, RateLimit]:
        return {name: self.rate_limit(name, tps) for name, tps in AWS_QUOTAS.items()}

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._limits.clear()

    def unfired(self, *, strict_only: bool) -> list[FaultRule]:
        """Counted rules that have not failed all their calls yet."""
        with self._lock:
            return [
                rule
                for rule in self._rules
                if rule.times is not None
                and not rule.exhausted
                and (rule.strict or not strict_only)
            ]

    def check(self, operation: str, account_id: str, region: str) -> None:
        """The router's hook: raise the fault this call meets, if any."""
        can_return = self._errors_by_operation.get(operation, frozenset())
        failure: Exception | None = None
        with self._lock:
            for rule in self._rules:
                possible = rule.error_code in ANY_OPERATION or rule.error_code in can_return
                if rule._matches(operation, account_id, region, possible):
                    rule.fired += 1
                    failure = rule._exception(operation, account_id)
                    break
            else:
                limit = self._limits.get(operation)
                if limit is not None and not limit._take(account_id, region):
                    failure = ServiceError("ThrottlingException", "Rate exceeded")
        if failure is not None:
            raise failure

    # -- validation ------------------------------------------------------------------------

    def _check_operations(self, operation: str | Iterable[str] | None) -> frozenset[str] | None:
        if operation is None:
            return None
        try:
            names = [operation] if isinstance(operation, str) else list(operation)
        except TypeError:
            names = [operation]  # type: ignore[list-item]
        if isinstance(operation, (dict, bytes)) or not all(isinstance(n, str) for n in names):
            raise ValueError(
                f"operation must be an operation's name or a list of them, got {operation!r}"
            )
        if not names:
            raise ValueError("operation must name at least one IoT operation")
        known = set(self._errors_by_operation)
        for name in names:
            if name not in known:
                raise ValueError(f"{name!r} is not an IoT operation{_did_you_mean(name, known)}")
        return frozenset(names)

    def _check_error_code(self, error_code: str, operations: frozenset[str] | None) -> None:
        if error_code in ANY_OPERATION:
            return
        if operations is None:
            valid = {code for each in self._models for code in each.error_codes()}
            if error_code not in valid:
                raise ValueError(
                    f"{error_code!r} is not an error of the IoT service model"
                    f"{_did_you_mean(error_code, valid)}. Valid codes: "
                    f"{', '.join(sorted(valid) + sorted(ANY_OPERATION))}"
                )
            return
        for name in sorted(operations):
            valid = set(self._errors_by_operation[name])
            if error_code not in valid:
                raise ValueError(
                    f"{name} cannot return {error_code!r}"
                    f"{_did_you_mean(error_code, valid | set(ANY_OPERATION))}. Its valid codes "
                    f"are: {', '.join(sorted(valid) + sorted(ANY_OPERATION))}"
                )
