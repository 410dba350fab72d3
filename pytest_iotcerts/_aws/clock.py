"""The mock's clock: real monotonic time plus every retry delay the mock spared botocore.

Rate limits and quotas run on it. When botocore's backoff is skipped (the default), the clock
moves on by the delay botocore asked for, so a token bucket refills exactly as it would have
during a real sleep: the test sees the throttling real AWS with real backoff would give, in
milliseconds.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

TICKS_PER_SECOND = 2**20  # about a microsecond, and a power of two: sums of ticks are exact


def _in_ticks(seconds: float) -> float:
    """``seconds`` to a whole number of ticks. A tick is a power of two, so adding and
    subtracting such times is exact in floating point: ``clock() - began`` after
    ``advance(60)`` is 60.0, never 59.99999999999997 (which ``// 60`` would call minute 0)."""
    return round(seconds * TICKS_PER_SECOND) / TICKS_PER_SECOND


class Clock:
    def __init__(self, source: Callable[[], float] = time.monotonic) -> None:
        self._source = source
        self._offset = 0.0  # in ticks
        self._skipped = 0.0  # as asked for
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return _in_ticks(self._source()) + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock on, as if ``seconds`` had passed."""
        if seconds < 0:
            raise ValueError(f"a clock only moves forward, not by {seconds!r} s")
        with self._lock:
            self._offset += _in_ticks(seconds)
            self._skipped += seconds

    def freeze(self) -> None:
        """Stop real time for this clock: from now on only ``advance`` moves it, so a test of
        rate limits gets the same answers on a loaded machine as on an idle one."""
        with self._lock:
            frozen_at = self._source()
            self._source = lambda: frozen_at

    @property
    def skipped(self) -> float:
        """Seconds the clock was moved on by, beyond real time."""
        return self._skipped


def timestamp() -> dt.datetime:
    """Now, to the millisecond: how the service keeps and returns its timestamps."""
    moment = dt.datetime.now(dt.timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def epoch_millis() -> int:
    """Now, in milliseconds since the epoch: the timestamps of AWS IoT's MQTT messages."""
    return int(time.time() * 1000)


def x509_time() -> dt.datetime:
    """Now, to the second: what an X.509 validity date can hold."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
