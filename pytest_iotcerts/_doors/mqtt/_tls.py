"""The endpoint's TLS, as AWS IoT's: TLS 1.2 or later, a server certificate for ``localhost`` and
``127.0.0.1`` from the mock's CA (the file devices trust), and a client certificate required.

OpenSSL must be able to verify a device's certificate for the handshake to finish, so the context
trusts the mock's CA, every registered CA certificate, and registered certificates no registered CA
signed (as trust anchors of their own: ``VERIFY_X509_PARTIAL_CHAIN``). What is trusted grows as
certificates are registered: before each handshake (the SNI callback) the anchors are brought up to
date when the store changed. Status (ACTIVE, revoked, an INACTIVE CA) is checked after the
handshake, by the service layer.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..._x509.crypto import (
    CertificateAuthority,
    certificate_id,
    to_pem,
    write_private,
)


class DeviceTls:
    def __init__(
        self,
        ca: CertificateAuthority,
        directory: Path,
        *,
        version: Callable[[], object],
        anchors: Callable[[], list[x509.Certificate]],
    ) -> None:
        self.ca_file = directory / "AmazonRootCA1.pem"
        self.ca_file.write_text(ca.pem)
        self._version = version
        self._anchors = anchors
        self._synced: object = None
        self._trusted: set[str] = {certificate_id(ca.certificate)}
        self.context = self._context(ca, directory)

    def _context(self, ca: CertificateAuthority, directory: Path) -> ssl.SSLContext:
        certificate, key = ca.issue_server_certificate()
        chain, key_file = directory / "server.pem", directory / "server.key"
        chain.write_text(to_pem(certificate) + ca.pem)
        pkcs8 = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        write_private(key_file, pkcs8)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:  # OpenSSL reads them once: the key is on disk for this moment only
            context.load_cert_chain(chain, key_file)
        finally:
            key_file.unlink()
            chain.unlink()
        # A client certificate is asked for, not required: a device without one may connect
        # through a custom authorizer (decided at its CONNECT). ALPN as AWS IoT offers it.
        context.verify_mode = ssl.CERT_OPTIONAL
        context.set_alpn_protocols(["mqtt", "x-amzn-mqtt-ca"])
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        context.load_verify_locations(cadata=ca.pem)
        context.sni_callback = self._before_handshake
        return context

    def _before_handshake(self, _ssl: object, _server_name: str | None, _ctx: object) -> None:
        self.sync()

    def sync(self) -> None:
        """Trust what was registered since the last handshake."""
        version = self._version()
        if version == self._synced:
            return
        for anchor in self._anchors():
            anchor_id = certificate_id(anchor)
            if anchor_id not in self._trusted:
                self.context.load_verify_locations(cadata=to_pem(anchor))
                self._trusted.add(anchor_id)
        self._synced = version
