"""A background pool of RSA-2048 keys for CreateKeysAndCertificate.

Generating an RSA key takes tens of milliseconds, most of a CreateKeysAndCertificate call. A daemon
thread keeps a few fresh keys ready (cryptography releases the GIL while generating, so it runs
beside the tests); a call takes one, or generates inline when the pool is empty. Every key is
handed out exactly once. The thread starts on first use, never at import.
"""

from __future__ import annotations

import queue
import threading

from cryptography.hazmat.primitives.asymmetric import rsa

POOL_SIZE = 8


def generate() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class KeyPool:
    def __init__(self, size: int = POOL_SIZE) -> None:
        self._keys: queue.Queue[rsa.RSAPrivateKey] = queue.Queue(maxsize=size)
        self._started = False
        self._lock = threading.Lock()

    def take(self) -> rsa.RSAPrivateKey:
        self._start()
        try:
            return self._keys.get_nowait()
        except queue.Empty:
            return generate()

    def _start(self) -> None:
        if self._started:
            return
        with self._lock:
            if not self._started:
                threading.Thread(
                    target=self._fill, name="pytest-iotcerts-keys", daemon=True
                ).start()
                self._started = True

    def _fill(self) -> None:
        while True:
            self._keys.put(generate())  # blocks while the pool is full


_pool = KeyPool()


def new_device_key() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 key, from the pool when one is ready."""
    return _pool.take()
