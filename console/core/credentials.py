"""The AWS credentials handed to handlers: those of one of the user's profiles, or none.

On Lambda a function gets its execution role's temporary credentials as `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`
and `AWS_SESSION_TOKEN` in its environment. Locally the user names a profile (`--profile NAME`, or the `profile`
setting); the credentials are resolved with botocore's own chain for that profile (static keys, SSO, assume-role,
credential_process...), and handed over the same way. botocore refreshes temporary ones before they expire; a
refreshed set makes new execution environments, as the key of the engine's spec includes them.

Without a profile a handler gets no credentials at all. The secret is never shown: what the pages and logs name is
the profile and the access key id.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

# What a NoCredentialsError in a handler's result means here, and what to do.
NO_CREDENTIALS_HINT = (
    "Handlers get AWS credentials only from a profile the console is given: start it with "
    "`lambda-console serve --profile NAME` (or `invoke --profile NAME`), and point the function at local services "
    "with AWS_ENDPOINT_URL_<SERVICE> variables if it should not reach AWS."
)
NO_CREDENTIALS_ERRORS = frozenset({"NoCredentialsError", "PartialCredentialsError"})


def credentials_hint(error_type: str | None) -> str | None:
    """What to do about a failure whose cause is the credentials handlers were (not) given; None for any other."""
    return NO_CREDENTIALS_HINT if error_type in NO_CREDENTIALS_ERRORS else None


class CredentialsError(ValueError):
    """A profile whose credentials cannot be had: the message says which, why, and what to do."""


@dataclass(frozen=True)
class HandedCredentials:
    """One set of credentials as a handler receives it."""

    profile: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(default="", repr=False)
    method: str = ""  # how botocore found them: "shared-credentials-file", "sso", "assume-role"...
    role: str = ""  # the function's execution role, when the set is that role's (`--assume-role`)

    def environment(self) -> dict[str, str]:
        """The variables Lambda sets for the execution role's credentials."""
        env = {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        return env

    @property
    def shown(self) -> str:
        """What the pages say: the profile and the access key id, never the secret."""
        through = f"role {self.role} assumed with " if self.role else ""
        return f"{through}profile {self.profile} (access key {self.access_key_id})"


class ProfileCredentials:
    """The credentials of one named profile, resolved once (to fail at start, not at the first invocation) and
    refreshed by botocore when they are temporary."""

    def __init__(self, profile: str) -> None:
        if not profile or not profile.strip():
            raise CredentialsError("--profile: empty. Name a profile of ~/.aws/config or ~/.aws/credentials.")
        self.profile = profile
        self._lock = threading.Lock()
        self._credentials = self._resolve()

    def _resolve(self) -> Any:
        # botocore is imported here: a console without a profile never loads it (it takes a while).
        import botocore.exceptions
        import botocore.session

        try:
            session = botocore.session.Session(profile=self.profile)
            credentials = session.get_credentials()
        except botocore.exceptions.ProfileNotFound:
            raise CredentialsError(
                f"--profile {self.profile}: no such profile in the AWS config and credentials files. "
                "List yours with `aws configure list-profiles`."
            ) from None
        except botocore.exceptions.BotoCoreError as exc:  # SSO token expired, a failing credential_process...
            raise CredentialsError(f"--profile {self.profile}: its credentials cannot be had: {exc}") from None
        if credentials is None:
            raise CredentialsError(
                f"--profile {self.profile}: the profile gives no credentials. Add keys with "
                f"`aws configure --profile {self.profile}`, or sign in with `aws sso login --profile {self.profile}`."
            )
        return credentials

    def current(self) -> HandedCredentials:
        """The set to hand a new execution environment; botocore refreshes temporary ones close to expiry."""
        import botocore.exceptions

        with self._lock:
            try:
                frozen = self._credentials.get_frozen_credentials()
            except botocore.exceptions.BotoCoreError as exc:
                raise CredentialsError(
                    f"--profile {self.profile}: its credentials expired and cannot be refreshed: {exc}"
                ) from None
        return HandedCredentials(
            profile=self.profile,
            access_key_id=frozen.access_key,
            secret_access_key=frozen.secret_key,
            session_token=frozen.token or "",
            method=getattr(self._credentials, "method", "") or "",
        )


# Assumed role credentials are renewed this long before they expire, as botocore renews refreshable ones.
RENEW_BEFORE_SECONDS = 15 * 60


class RoleCredentials:
    """`--assume-role`: each function's execution role assumed through STS with a profile's credentials, as Lambda
    assumes it, one set per role, renewed before it expires. STS is reached as the profile reaches it (its region,
    and AWS_ENDPOINT_URL_STS where a local STS stands in)."""

    def __init__(self, profile: ProfileCredentials) -> None:
        self.profile = profile
        self._lock = threading.Lock()
        self._held: dict[str, tuple[HandedCredentials, float]] = {}

    def held(self) -> list[HandedCredentials]:
        """Every role's set handed out so far (the REST API accepts them from functions calling the console)."""
        with self._lock:
            return [handed for handed, _ in self._held.values()]

    def for_role(self, role_arn: str, function: str) -> HandedCredentials:
        import time

        with self._lock:
            held = self._held.get(role_arn)
            if held is not None and held[1] - time.time() > RENEW_BEFORE_SECONDS:
                return held[0]
            handed, expires = self._assume(role_arn, function)
            self._held[role_arn] = (handed, expires)
            return handed

    def _assume(self, role_arn: str, function: str) -> tuple[HandedCredentials, float]:
        import botocore.exceptions
        import botocore.session

        source = self.profile.current()
        session = botocore.session.Session(profile=self.profile.profile)
        sts = session.create_client(
            "sts", aws_access_key_id=source.access_key_id, aws_secret_access_key=source.secret_access_key,
            aws_session_token=source.session_token or None,
        )
        try:
            answer = sts.assume_role(RoleArn=role_arn, RoleSessionName=function[:64])
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise CredentialsError(
                f"The role defined for the function cannot be assumed by Lambda: {role_arn} with profile "
                f"{self.profile.profile}: {exc}"
            ) from None
        given = answer["Credentials"]
        handed = HandedCredentials(
            profile=self.profile.profile,
            access_key_id=given["AccessKeyId"],
            secret_access_key=given["SecretAccessKey"],
            session_token=given["SessionToken"],
            method="assume-role",
            role=role_arn,
        )
        return handed, given["Expiration"].timestamp()
