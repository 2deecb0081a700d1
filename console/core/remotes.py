"""Remotes: named Lambda endpoints the console's saved events and functions can be taken to.

A remote is an AWS profile and region (real AWS Lambda), or the URL of any endpoint that speaks the Lambda API (another
lambda-console, LocalStack). Only where to go is stored (the `remotes` table), never a secret: the credentials come
from botocore's own chain when a client is made (the profile's, or the environment's for an endpoint URL).
Clients retry throttling and 5xx answers as boto3's "standard" retry mode does.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from console.core.clock import now_iso
from console.core.store import Store

if TYPE_CHECKING:
    from botocore.client import BaseClient

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# AWS region names: us-east-1, eu-central-2, us-gov-west-1, cn-north-1...
REGION_PATTERN = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
# An endpoint that does not answer is given up on after this many seconds per attempt.
CONNECT_TIMEOUT_SECONDS = 5
# Invocations may run up to Lambda's 900 s limit: the read timeout leaves room for it.
READ_TIMEOUT_SECONDS = 910
# For an endpoint URL without --region: what the SigV4 signature names (any region, for a local endpoint).
DEFAULT_ENDPOINT_REGION = "us-east-1"


class RemoteError(Exception):
    """A remote that cannot be added, found or reached; the message says what was wrong and what to do."""


class RemoteNotFound(RemoteError):
    pass


class RemoteRefused(RemoteError):
    """The remote answered with an error of its own (AccessDenied, ResourceNotFound...): `code` is its code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Remote:
    """A named Lambda endpoint: a profile and region, or an endpoint URL (with the region it signs for)."""

    name: str
    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    created_at: str = ""

    @property
    def target(self) -> str:
        """Where it goes, as the remote list shows it."""
        if self.endpoint_url:
            return self.endpoint_url
        return f"profile {self.profile}"


def check_remote(name: str, *, profile: str | None, region: str | None, endpoint_url: str | None) -> Remote:
    """A remote from what was given, or RemoteError saying what was wrong."""
    if not NAME_PATTERN.fullmatch(name):
        raise RemoteError(f"{name!r}: not a remote name. Use up to 64 letters, digits, - and _, starting with a "
                          "letter or digit, like prod.")
    if bool(profile) == bool(endpoint_url):
        raise RemoteError("Give either --profile (with --region) for AWS Lambda, or --endpoint-url for any "
                          "Lambda-compatible endpoint, not both and not neither.")
    if region is not None and not REGION_PATTERN.fullmatch(region):
        raise RemoteError(f"--region {region}: not an AWS region name. Give one like us-east-1 or eu-west-2.")
    if profile:
        if region is None:
            raise RemoteError(f"--profile {profile}: give the --region its functions are in, like us-east-1.")
        return Remote(name, region, profile=profile)
    assert endpoint_url is not None
    parts = urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteError(f"--endpoint-url {endpoint_url}: not an http:// or https:// URL. Give the endpoint's "
                          "address, like http://127.0.0.1:8008.")
    return Remote(name, region or DEFAULT_ENDPOINT_REGION, endpoint_url=endpoint_url.rstrip("/"))


class RemoteStore:
    """The remotes, in the `remotes` table."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, remote: Remote) -> Remote:
        stamp = now_iso()
        with self._store.write() as conn:
            if conn.execute("SELECT 1 FROM remotes WHERE name = ?", (remote.name,)).fetchone():
                raise RemoteError(f"{remote.name}: there is a remote of that name already. Remove it first "
                                  f"(remotes remove {remote.name}), or choose another name.")
            conn.execute("INSERT INTO remotes (name, profile, region, endpoint_url, created_at) VALUES (?, ?, ?, ?, ?)",
                         (remote.name, remote.profile, remote.region, remote.endpoint_url, stamp))
        return self.get(remote.name)

    def get(self, name: str) -> Remote:
        rows = self._store.query("SELECT * FROM remotes WHERE name = ?", (name,))
        if not rows:
            known = ", ".join(remote.name for remote in self.all()) or "none yet"
            raise RemoteNotFound(f"{name}: no such remote (there are: {known}). Add it with 'remotes add {name} "
                                 "--profile P --region R' or '--endpoint-url URL'.")
        return _from_row(rows[0])

    def all(self) -> list[Remote]:
        return [_from_row(row) for row in self._store.query("SELECT * FROM remotes ORDER BY name")]

    def remove(self, name: str) -> None:
        with self._store.write() as conn:
            gone = conn.execute("DELETE FROM remotes WHERE name = ?", (name,)).rowcount
        if not gone:
            self.get(name)  # raises RemoteNotFound, naming the remotes there are


def _from_row(row: Any) -> Remote:
    return Remote(row["name"], row["region"], row["profile"], row["endpoint_url"], row["created_at"])


def _credential_sources(remote: Remote) -> tuple:
    """What botocore's chain reads credentials from, as it stands now: the environment's AWS_* variables and the
    AWS config and credentials files' modification times. A change to any of them calls for a new client."""
    stamps: list[int | None] = []
    for variable, default in (("AWS_CONFIG_FILE", "~/.aws/config"), ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")):
        try:
            stamps.append(os.stat(os.path.expanduser(os.environ.get(variable, default))).st_mtime_ns)
        except OSError:
            stamps.append(None)
    return (remote, tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_"))), tuple(stamps))


class RemoteClients:
    """One boto3 client per remote, made when first needed and kept while the remote and its credentials' sources
    stay the same: making a client takes tens of milliseconds (botocore loads the service's model), a call a few.
    boto3's clients may be shared between threads."""

    def __init__(self) -> None:
        self._clients: dict[str, tuple[tuple, BaseClient]] = {}
        self._lock = threading.Lock()

    def get(self, remote: Remote) -> BaseClient:
        key = _credential_sources(remote)
        with self._lock:
            kept = self._clients.get(remote.name)
            if kept is not None and kept[0] == key:
                return kept[1]
        client = lambda_client(remote)
        with self._lock:
            self._clients[remote.name] = (key, client)
        return client


def lambda_client(remote: Remote) -> BaseClient:
    """A boto3 Lambda client for the remote: credentials from botocore's chain (the remote's profile, or the
    environment's), retries as boto3's standard mode does."""
    import boto3
    from botocore.config import Config as BotoConfig
    from botocore.exceptions import ProfileNotFound

    try:
        session = boto3.session.Session(profile_name=remote.profile, region_name=remote.region)
    except ProfileNotFound:
        raise RemoteError(f"Remote {remote.name}: the AWS profile {remote.profile!r} is not in ~/.aws/config or "
                          "~/.aws/credentials (or AWS_CONFIG_FILE). Add it with 'aws configure --profile "
                          f"{remote.profile}', or add the remote again with the right --profile.") from None
    config = BotoConfig(retries={"mode": "standard"}, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                        read_timeout=READ_TIMEOUT_SECONDS)
    return session.client("lambda", endpoint_url=remote.endpoint_url, config=config)


def remote_failure(remote: Remote, exc: Exception) -> RemoteError | None:
    """The clear message for what went wrong talking to the remote; None for an exception that is not botocore's."""
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ReadTimeoutError,
    )

    where = remote.endpoint_url or f"AWS Lambda in {remote.region}"
    if isinstance(exc, RemoteError):
        return exc
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        # Refusals as the remote sent them: its error code and message.
        code = error.get("Code", "Error")
        # Throttling and 5xx answers were retried (boto3's standard mode) before this one was given up on.
        retries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts") or 0
        tried = f", after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
        return RemoteRefused(f"Remote {remote.name} refused: {code}{f' (HTTP {status}{tried})' if status else ''}: "
                             f"{error.get('Message', str(exc))}", code)
    if isinstance(exc, (EndpointConnectionError, ConnectionClosedError)):
        return RemoteError(f"Remote {remote.name}: cannot reach {where} ({exc}). Check that the endpoint is running "
                           "and the URL is right; to change it, 'remotes remove' and 'remotes add' it again.")
    if isinstance(exc, ReadTimeoutError):
        return RemoteError(f"Remote {remote.name}: {where} did not answer in time ({exc}).")
    if isinstance(exc, NoCredentialsError):
        source = f"the profile {remote.profile!r}" if remote.profile else "the environment (AWS_ACCESS_KEY_ID...)"
        local = (" An endpoint that checks no signature (another lambda-console without --auth, LocalStack) takes "
                 "any keys: export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test before starting the console."
                 if remote.endpoint_url and not remote.profile else "")
        return RemoteError(f"Remote {remote.name}: no AWS credentials found in {source}. Configure them, as the "
                           f"AWS CLI's 'aws configure' does, and try again.{local}")
    if isinstance(exc, NoRegionError):
        return RemoteError(f"Remote {remote.name}: no region. Add the remote again with --region.")
    return None
