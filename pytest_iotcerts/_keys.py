"""A background pool of RSA-2048 keys for CreateKeysAndCertificate.

Generating an RSA key takes tens of milliseconds, most of a CreateKeysAndCertificate call. A
thread keeps a few fresh keys ready (cryptography releases the GIL while generating, so it runs
beside the tests); a call takes one, or generates inline when the pool is empty. Every key is
handed out exactly once. The thread starts on first use, never at import, and is stopped and
joined at interpreter exit: a daemon thread killed inside the native key generation aborts the
whole process ("FATAL: exception not rethrown").
"""

from __future__ import annotations

import atexit
import queue
import threading

from cryptography.hazmat.primitives.asymmetric import rsa

POOL_SIZE = 8


def generate() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class KeyPool:
    def __init__(self, size: int = POOL_SIZE) -> None:
        self._keys: queue.Queue[rsa.RSAPrivateKey] = queue.Queue(maxsize=size)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def take(self) -> rsa.RSAPrivateKey:
        self._start()
        try:
            return self._keys.get_nowait()
        except queue.Empty:
            return generate()

    def stop(self) -> None:
        """Stop the filler and wait for the key it is generating (tens of milliseconds)."""
        self._stopping.set()
        thread = self._thread
        if thread is not None:
            thread.join()

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None and not self._stopping.is_set():
                thread = threading.Thread(
                    target=self._fill, name="pytest-iotcerts-keys", daemon=True
                )
                thread.start()
                self._thread = thread
                atexit.register(self.stop)

    def _fill(self) -> None:
        while not self._stopping.is_set():
            key = generate()
            while not self._stopping.is_set():
                try:
                    self._keys.put(key, timeout=0.1)
                    break
                except queue.Full:
                    continue


_pool = KeyPool()


def new_device_key() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 key, from the pool when one is ready."""
    return _pool.take()
