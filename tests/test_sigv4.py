"""SigV4 verification against botocore's own signer: what botocore signs passes, anything altered does not."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from console.sigv4 import Credentials, SignatureError, verify

KEY = Credentials("AKIDLOCALCONSOLE", "local-console-secret")


def signed(method: str, url: str, body: bytes = b"", headers: dict | None = None, *, key: Credentials = KEY,
           region: str = "eu-west-1", service: str = "lambda", params: dict | None = None):
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {}, params=params or {})
    SigV4Auth(BotoCredentials(key.access_key_id, key.secret_access_key), service, region).add_auth(request)
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    wire = dict(prepared.headers)
    wire.setdefault("Host", parts.netloc)
    return prepared.method, parts.path, parts.query, wire, prepared.body or b""


@pytest.mark.parametrize(
    ("method", "url", "body", "params"),
    [
        ("GET", "http://127.0.0.1:8000/2015-03-31/functions/", b"", {"MaxItems": "2", "Marker": "a b/c"}),
        ("POST", "http://127.0.0.1:8000/2015-03-31/functions", b'{"FunctionName": "f"}', {}),
        ("POST", ("http://127.0.0.1:8000/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3A"
                  "function%3Af%3A1/invocations"), "{\"ü\": 1}".encode(), {"Qualifier": "$LATEST"}),
        ("DELETE", "http://localhost:9/2015-03-31/functions/my-fn", b"", {}),
    ],
)
def test_what_botocore_signs_is_verified(method, url, body, params):
    verified = verify(*signed(method, url, body, params=params), KEY)
    assert (verified.access_key_id, verified.region, verified.service) == ("AKIDLOCALCONSOLE", "eu-west-1", "lambda")


def test_a_changed_body_is_refused():
    method, path, query, headers, _ = signed("POST", "http://127.0.0.1/2015-03-31/functions/f/invocations", b'{"a":1}')
    with pytest.raises(SignatureError) as caught:
        verify(method, path, query, headers, b'{"a":2}', KEY)
    assert caught.value.code == "InvalidSignatureException"
    assert caught.value.message.startswith("The request signature we calculated does not match")


@pytest.mark.parametrize("part", ["path", "query", "method", "host"])
def test_a_changed_request_is_refused(part):
    method, path, query, headers, body = signed("GET", "http://127.0.0.1/2015-03-31/functions/f",
                                                params={"Qualifier": "1"})
    if part == "path":
        path = "/2015-03-31/functions/g"
    elif part == "query":
        query = "Qualifier=2"
    elif part == "method":
        method = "DELETE"
    else:
        headers["Host"] = "127.0.0.1:9999"
    with pytest.raises(SignatureError, match="does not match"):
        verify(method, path, query, headers, body, KEY)


def test_a_wrong_secret_is_refused():
    wrong = Credentials(KEY.access_key_id, "guessed")
    with pytest.raises(SignatureError, match="does not match"):
        verify(*signed("GET", "http://127.0.0.1/2015-03-31/functions/", key=wrong), KEY)


def test_an_unknown_access_key_is_refused():
    other = Credentials("AKIDSOMEONEELSE", KEY.secret_access_key)
    with pytest.raises(SignatureError) as caught:
        verify(*signed("GET", "http://127.0.0.1/2015-03-31/functions/", key=other), KEY)
    assert caught.value.code == "UnrecognizedClientException"


def test_an_unsigned_request_is_refused():
    with pytest.raises(SignatureError) as caught:
        verify("GET", "/2015-03-31/functions/", "", {"Host": "127.0.0.1"}, b"", KEY)
    assert (caught.value.code, caught.value.message) == ("MissingAuthenticationTokenException",
                                                         "Missing Authentication Token")


def test_another_service_scope_is_refused():
    with pytest.raises(SignatureError, match="correct service"):
        verify(*signed("GET", "http://127.0.0.1/2015-03-31/functions/", service="s3"), KEY)


@pytest.mark.parametrize("minutes", [16, -16, 60 * 24])
def test_a_replayed_or_early_request_is_refused(minutes):
    request = signed("GET", "http://127.0.0.1/2015-03-31/functions/")
    later = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    with pytest.raises(SignatureError, match="Signature (expired|not yet current)"):
        verify(*request, KEY, now=later)


def test_within_the_clock_skew_window_passes():
    request = signed("GET", "http://127.0.0.1/2015-03-31/functions/")
    verify(*request, KEY, now=datetime.now(timezone.utc) + timedelta(minutes=14))


def test_a_declared_body_hash_must_match_the_body():
    import hashlib

    declared = hashlib.sha256(b"{}").hexdigest()
    method, path, query, headers, _ = signed("POST", "http://127.0.0.1/2015-03-31/functions", b"{}",
                                             headers={"X-Amz-Content-SHA256": declared})
    verify(method, path, query, headers, b"{}", KEY)
    with pytest.raises(SignatureError, match="x-amz-content-sha256"):
        verify(method, path, query, headers, b'{"swapped": true}', KEY)


def test_a_presigned_link_works_until_it_expires():
    from console.sigv4 import PRESIGNED_LIFETIME, check_presigned, presigned_query

    now = datetime.now(timezone.utc)
    query = dict(pair.split("=") for pair in presigned_query(KEY, "/2015-03-31/code/ab.zip", now)[1:].split("&"))
    path = "/2015-03-31/code/ab.zip"
    assert check_presigned(KEY, path, query["expires"], query["signature"], now)
    assert not check_presigned(KEY, path, query["expires"], query["signature"], now + PRESIGNED_LIFETIME * 2)
    assert not check_presigned(KEY, "/2015-03-31/code/cd.zip", query["expires"], query["signature"], now)
    later = str(int(query["expires"]) + 3600)  # stretching the expiry breaks the signature
    assert not check_presigned(KEY, path, later, query["signature"], now)
    assert not check_presigned(KEY, path, None, query["signature"], now)
