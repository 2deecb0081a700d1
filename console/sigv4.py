"""Verification of AWS Signature Version 4 on incoming requests, so that the REST API can require the console's
own access key and secret off loopback while boto3 and the AWS CLI keep working unchanged.

The server rebuilds the canonical request from what arrived (the raw path as sent, the query, the signed headers,
the SHA-256 of the body), derives the signing key from the configured secret and the request's credential scope,
and compares signatures in constant time. The request's time must be within 15 minutes of the server's.
The errors carry AWS's own codes and messages (403), for botocore to show as it would show AWS's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=15)
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*$"
)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


class SignatureError(Exception):
    """A request the API refuses: `code` is AWS's error code, the message AWS's own words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str


@dataclass(frozen=True)
class Verified:
    """A request whose signature checked out, with what its credential scope says."""

    access_key_id: str
    region: str
    service: str


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 dot-segment removal, with empty segments dropped, as botocore normalizes before signing."""
    output: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if output:
                output.pop()
        elif part and part != ".":
            output.append(part)
    normalized = "/" + "/".join(output)
    return normalized + "/" if path.endswith("/") and output else normalized


def canonical_uri(raw_path: str) -> str:
    """The path as it was sent (still percent-encoded), normalized, then encoded once more, as SigV4 wants."""
    return quote(_remove_dot_segments(raw_path or "/"), safe="/~")


def canonical_query(raw_query: str) -> str:
    pairs = [(quote(key, safe="-_.~"), quote(value, safe="-_.~"))
             for key, value in parse_qsl(raw_query, keep_blank_values=True)]
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _sign(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    return _sign(_sign(_sign(_sign(f"AWS4{secret}".encode(), date), region), service), "aws4_request")


PRESIGNED_LIFETIME = timedelta(minutes=15)


def presign(credentials: Credentials, path: str, expires: int) -> str:
    """The signature of one download URL until `expires` (epoch seconds), as AWS presigns its S3 locations."""
    message = f"{path}\n{expires}".encode()
    return hmac.new(credentials.secret_access_key.encode(), message, hashlib.sha256).hexdigest()


def presigned_query(credentials: Credentials, path: str, now: datetime | None = None) -> str:
    """`?expires=...&signature=...` for a download URL that works for PRESIGNED_LIFETIME."""
    expires = int(((now or datetime.now(timezone.utc)) + PRESIGNED_LIFETIME).timestamp())
    return f"?expires={expires}&signature={presign(credentials, path, expires)}"


def check_presigned(credentials: Credentials, path: str, expires: str | None, signature: str,
                    now: datetime | None = None) -> bool:
    """True when the signature is this console's for `path` and `expires`, and that moment has not passed."""
    if not expires or not expires.isdigit():
        return False
    expected = presign(credentials, path, int(expires))
    current = (now or datetime.now(timezone.utc)).timestamp()
    return hmac.compare_digest(signature.encode(), expected.encode()) and current <= int(expires)


def verify(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: Credentials,
    *,
    service: str = "lambda",
    now: datetime | None = None,
) -> Verified:
    """Check a request's SigV4 signature against `credentials`; raise SignatureError as AWS would refuse it."""
    authorization = _header(headers, "authorization")
    if not authorization:
        raise SignatureError("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _AUTHORIZATION.match(authorization.strip())
    if not match:
        raise SignatureError(
            "IncompleteSignatureException",
            f"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' with {ALGORITHM}.",
        )
    parts = match.group("credential").split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SignatureError("IncompleteSignatureException",
                             "Credential should be scoped to a valid region, a service and aws4_request.")
    key_id, date, region, scope_service, _ = parts
    if not hmac.compare_digest(key_id.encode(), credentials.access_key_id.encode()):
        raise SignatureError("UnrecognizedClientException", "The security token included in the request is invalid.")
    if scope_service != service:
        raise SignatureError("InvalidSignatureException",
                             f"Credential should be scoped to correct service: '{service}'.")

    amz_date = _header(headers, "x-amz-date") or ""
    try:
        sent = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=timezone.utc)
    except ValueError:
        raise SignatureError("IncompleteSignatureException",
                             "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.") \
            from None
    if date != amz_date[:8]:
        raise SignatureError("InvalidSignatureException",
                             f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
                             f"HTTP: '{date}' != '{amz_date[:8]}', from '{amz_date}'.")
    now = now or datetime.now(timezone.utc)
    if abs(now - sent) > MAX_SKEW:
        earlier = sent < now
        bound = (now - MAX_SKEW) if earlier else (now + MAX_SKEW)
        raise SignatureError(
            "InvalidSignatureException",
            f"Signature {'expired' if earlier else 'not yet current'}: {amz_date} is now "
            f"{'earlier' if earlier else 'later'} than {bound.strftime(_AMZ_DATE)} "
            f"({now.strftime(_AMZ_DATE)} {'-' if earlier else '+'} 15 min.)",
        )

    signed = match.group("signed").lower().split(";")
    if "host" not in signed:
        raise SignatureError("InvalidSignatureException", "'Host' must be a signed header.")
    canonical_headers = ""
    for name in signed:
        value = _header(headers, name)
        if value is None:
            raise SignatureError("InvalidSignatureException", f"The signed header '{name}' is missing.")
        canonical_headers += f"{name}:{' '.join(value.split())}\n"
    body_hash = hashlib.sha256(body).hexdigest()
    declared = _header(headers, "x-amz-content-sha256")
    payload_hash = declared or body_hash
    canonical_request = "\n".join(
        [method.upper(), canonical_uri(raw_path), canonical_query(raw_query), canonical_headers, ";".join(signed),
         payload_hash]
    )
    scope = f"{date}/{region}/{scope_service}/aws4_request"
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    expected = hmac.new(signing_key(credentials.secret_access_key, date, region, scope_service),
                        string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match.group("signature").lower()):
        raise SignatureError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.",
        )
    # A declared body hash is what was signed: the body must be the one it describes.
    if declared and declared != "UNSIGNED-PAYLOAD" and not hmac.compare_digest(declared, body_hash):
        raise SignatureError("InvalidSignatureException",
                             "The provided 'x-amz-content-sha256' header does not match what was computed.")
    return Verified(key_id, region, scope_service)
