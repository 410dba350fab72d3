"""Who is calling: SigV4 as the service reads it, and the errors every AWS service answers.

Every door's requests come through here before routing. An unsigned request is refused as AWS
refuses it (403 ``MissingAuthenticationTokenException``). The access key in the signature's
credential scope picks the account, the scope's region the region. With ``verify_signatures``
the signature itself is recomputed with botocore's own SigV4 signer from the secret this mock
handed out, and a wrong secret, an unknown key or a clock skew of more than five minutes gets the
403 AWS gives.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .._aws.errors import ServiceError
from .http import HttpRequest

FAKE_ACCESS_KEY_ID = "AKIAIOTCERTSTESTING0"
FAKE_SECRET_ACCESS_KEY = "pytest-iotcerts-fake-secret-access-key00"
ACCOUNT_ID_LENGTH = 12
MAX_SKEW = dt.timedelta(minutes=5)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_CREDENTIAL = re.compile(r"^([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request$")

# Errors every AWS service can return, outside any service model: (HTTP status, message).
COMMON_ERRORS: dict[str, tuple[int, str]] = {
    "MissingAuthenticationTokenException": (403, "Missing Authentication Token"),
    "IncompleteSignatureException": (
        403,
        "The request signature does not conform to AWS standards.",
    ),
    "UnrecognizedClientException": (403, "The security token included in the request is invalid."),
    "InvalidSignatureException": (
        403,
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.",
    ),
    "ExpiredTokenException": (403, "The security token included in the request is expired"),
    "AccessDeniedException": (
        403,
        "User: arn:aws:iam::{account}:user/pytest-iotcerts is not authorized to perform: "
        "iot:{operation}",
    ),
}


def common_error(code: str, message: str | None = None) -> ServiceError:
    status, default = COMMON_ERRORS[code]
    return ServiceError(code, message or default, status_code=status)


@dataclass(frozen=True)
class Signature:
    """What a SigV4 ``Authorization`` header (or a presigned URL's query) says."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    presigned: bool = False


def read_signature(request: HttpRequest) -> Signature | None:
    """The request's SigV4 signature; None when unsigned; IncompleteSignatureException when
    an ``Authorization`` header is there but is not a complete SigV4 one."""
    authorization = request.header("Authorization")
    if authorization is not None:
        return _from_header(authorization, request)
    query = request.query
    if "X-Amz-Signature" in query:
        return _from_parts(
            {
                "Credential": query.get("X-Amz-Credential", [""])[0],
                "SignedHeaders": query.get("X-Amz-SignedHeaders", [""])[0],
                "Signature": query["X-Amz-Signature"][0],
            },
            query.get("X-Amz-Date", [""])[0],
            presigned=True,
        )
    return None


def _from_header(authorization: str, request: HttpRequest) -> Signature:
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        raise common_error(
            "IncompleteSignatureException",
            f"Unsupported authorization type '{algorithm}'; AWS IoT expects AWS4-HMAC-SHA256.",
        )
    parts = {}
    for item in rest.split(","):
        name, _, value = item.strip().partition("=")
        parts[name] = value
    amz_date = request.header("X-Amz-Date") or ""
    return _from_parts(parts, amz_date, presigned=False)


def _from_parts(parts: dict[str, str], amz_date: str, *, presigned: bool) -> Signature:
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not parts.get(name)
    ]
    if not amz_date:
        missing.append("Authorization header requires existence of a 'X-Amz-Date' header.")
    scope = _CREDENTIAL.match(parts.get("Credential", ""))
    if parts.get("Credential") and scope is None:
        missing.append(
            "Credential should be ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request, got "
            f"'{parts['Credential']}'."
        )
    if missing or scope is None:
        raise common_error("IncompleteSignatureException", " ".join(missing))
    access_key_id, date, region, service = scope.groups()
    return Signature(
        access_key_id=access_key_id,
        date=date,
        region=region,
        service=service,
        signed_headers=tuple(parts["SignedHeaders"].lower().split(";")),
        signature=parts["Signature"],
        amz_date=amz_date,
        presigned=presigned,
    )


@dataclass
class Identity:
    """How access keys map to accounts, and which secrets this mock handed out."""

    default_account_id: str
    default_region: str
    access_keys: dict[str, str] = field(default_factory=dict)

    def account_for(self, access_key_id: str) -> str:
        if access_key_id in self.access_keys:
            return self.access_keys[access_key_id]
        # As in moto: an access key id that is itself an account id acts as that account.
        if len(access_key_id) == ACCOUNT_ID_LENGTH and access_key_id.isdigit():
            return access_key_id
        return self.default_account_id

    def secret_for(self, access_key_id: str) -> str | None:
        """The secret of a key this mock handed out; None for any other key."""
        if access_key_id == FAKE_ACCESS_KEY_ID or access_key_id in self.access_keys:
            return FAKE_SECRET_ACCESS_KEY
        return None


# The services answered: SigV4 signing name -> the name of its botocore model.
SERVICES = {"iot": "iot", "iot-jobs-data": "iot-jobs-data", "iotdata": "iot-data"}
# An unsigned request's service, by its host: the jobs data plane's and the data plane's.
HOSTS = (
    ("data.jobs.iot.", "iot-jobs-data"),
    ("data-ats.iot.", "iot-data"),
    ("data.iot.", "iot-data"),
)


@dataclass(frozen=True)
class Caller:
    account_id: str
    region: str
    service: str = "iot"
    # the request's signature as read once (or why it could not be read), for authenticate()
    signature: Signature | None = None
    unreadable: ServiceError | None = None


class Authenticator:
    """The router's first step: the caller of a request, or the 403 AWS would answer."""

    def __init__(
        self,
        identity: Identity,
        *,
        verify_signatures: Callable[[], bool],
        wall_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    ) -> None:
        self.identity = identity
        self._verify = verify_signatures
        # Signatures carry real time, so skew is measured on the real clock, not the mock's.
        self._wall_clock = wall_clock

    def caller_of(self, request: HttpRequest) -> Caller:
        """Who is asking, as far as can be told even from a request that will be refused."""
        unreadable = None
        try:
            signature = read_signature(request)
        except ServiceError as error:
            signature, unreadable = None, error
        if signature is None or signature.service not in SERVICES:
            service = next((name for host, name in HOSTS if host in request.url), "iot")
        else:
            service = SERVICES[signature.service]
        if signature is None:
            return Caller(
                self.identity.default_account_id,
                self.identity.default_region,
                service,
                unreadable=unreadable,
            )
        account_id = self.identity.account_for(signature.access_key_id)
        return Caller(account_id, signature.region, service, signature)

    def authenticate(self, request: HttpRequest, caller: Caller | None = None) -> None:
        """The 403 AWS would answer, if any (``caller``: the signature as ``caller_of`` read it,
        so it is parsed once a request)."""
        if caller is None:
            caller = self.caller_of(request)
        if caller.unreadable is not None:
            raise caller.unreadable
        signature = caller.signature
        if signature is None:
            raise common_error("MissingAuthenticationTokenException")
        if self._verify():
            self._verify_signature(request, signature)

    def _verify_signature(self, request: HttpRequest, signature: Signature) -> None:
        secret = self.identity.secret_for(signature.access_key_id)
        if secret is None:
            raise common_error("UnrecognizedClientException")
        self._check_skew(signature.amz_date)
        if signature.service not in SERVICES:
            raise common_error(
                "InvalidSignatureException",
                "Credential should be scoped to correct service: 'iot'.",
            )
        if signature.presigned:
            return  # a presigned URL's key and time are checked; its signature is not
        expected = expected_signature(request, signature, secret)
        if not hmac.compare_digest(expected, signature.signature):
            raise common_error("InvalidSignatureException")

    def _check_skew(self, amz_date: str) -> None:
        try:
            signed_at = dt.datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=dt.timezone.utc)
        except ValueError:
            raise common_error(
                "IncompleteSignatureException",
                f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'.",
            ) from None
        now = self._wall_clock().replace(microsecond=0)
        if signed_at < now - MAX_SKEW:
            raise common_error(
                "InvalidSignatureException",
                f"Signature expired: {amz_date} is now earlier than "
                f"{(now - MAX_SKEW):{_AMZ_DATE}} ({now:{_AMZ_DATE}} - 5 min.)",
            )
        if signed_at > now + MAX_SKEW:
            raise common_error(
                "InvalidSignatureException",
                f"Signature not yet current: {amz_date} is still later than "
                f"{(now + MAX_SKEW):{_AMZ_DATE}} ({now:{_AMZ_DATE}} + 5 min.)",
            )


def expected_signature(request: HttpRequest, signature: Signature, secret: str) -> str:
    """The signature botocore's own SigV4 signer computes for this request and secret."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signer = SigV4Auth(
        Credentials(signature.access_key_id, secret), signature.service, signature.region
    )
    headers = {
        name: value
        for name in signature.signed_headers
        if (value := request.header(name)) is not None
    }
    signed = AWSRequest(method=request.method, url=request.url, headers=headers, data=request.body)
    signed.context["timestamp"] = signature.amz_date
    canonical = signer.canonical_request(signed)
    return str(signer.signature(signer.string_to_sign(signed, canonical), signed))
