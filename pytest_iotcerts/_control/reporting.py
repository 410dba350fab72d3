"""What a mock says when it stops: warnings for what a test should know, and one AssertionError
for what fails it (so pytest reports each failure once)."""

from __future__ import annotations

import warnings
from collections import Counter
from typing import TYPE_CHECKING

from .._aws.errors import IotCertsWarning
from .._wire.router import Call
from .settings import Settings


class Reporting:
    """``report()``; part of ``IotCerts``."""

    settings: Settings

    if TYPE_CHECKING:  # from the other parts of IotCerts

        @property
        def unemulated_calls(self) -> list[Call]: ...

        @property
        def internal_errors(self) -> list[str]: ...

        def unfired_faults_message(self, *, strict: bool) -> str | None: ...

    def report(self) -> None:
        """Warn about what the code under test may have swallowed (internal errors, unemulated
        operations, counted fault rules that never fired), and raise one AssertionError for
        strict fault rules that did not fire and, with ``unemulated="fail"``, unemulated calls.
        The fixture and ``with mock_iot()`` call it when they stop."""
        __tracebackhide__ = True
        failures = [self.unfired_faults_message(strict=True), self._unemulated_failure()]
        for message in (self._internal_error_warning(), self._unemulated_warning()):
            if message is not None:
                warnings.warn(IotCertsWarning(message), stacklevel=3)
        unfired = self.unfired_faults_message(strict=False)
        if unfired is not None:
            warnings.warn(IotCertsWarning(unfired), stacklevel=3)
        problems = [failure for failure in failures if failure is not None]
        if problems:
            raise AssertionError("\n\n".join(problems))

    def _unemulated(self) -> str | None:
        counts = Counter(call.operation or "?" for call in self.unemulated_calls)
        if not counts:
            return None
        return ", ".join(name + f" ({n} calls)" * (n > 1) for name, n in sorted(counts.items()))

    def _unemulated_warning(self) -> str | None:
        called = self._unemulated()
        if called is None or self.settings.unemulated == "fail":
            return None
        return (
            f"pytest-iotcerts does not emulate {called} yet; those calls were answered with "
            "NotImplementedException (never sent to AWS). Seed the state the code needs instead, "
            "or set unemulated='fail' to make such calls fail the test."
        )

    def _unemulated_failure(self) -> str | None:
        called = self._unemulated()
        if called is None or self.settings.unemulated != "fail":
            return None
        return (
            f"pytest-iotcerts: the code under test called IoT operations not emulated yet: "
            f"{called}. They were answered with NotImplementedException (never sent to AWS), "
            "even if the code swallowed the error. Seed the state the code needs through the "
            "controller instead."
        )

    def _internal_error_warning(self) -> str | None:
        if not self.internal_errors:
            return None
        return (
            "pytest-iotcerts hit an internal error while answering (the client got "
            "InternalFailureException); this is a bug of pytest-iotcerts, please report it:\n"
            + self.internal_errors[0]
        )
