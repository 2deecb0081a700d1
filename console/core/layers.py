"""Layers: versions of shared code a function adds to its own, merged into /opt as Lambda merges them.

A layer version is a stored package (console.core.packages: checked, stored once by SHA-256, unpacked read-only) with
Lambda's fields: LayerName, Version, Description, CompatibleRuntimes, CompatibleArchitectures, LicenseInfo and
CreatedDate. Versions of a name are numbered 1, 2, ... and a number is never given twice, even after a delete.

A function version names up to 5 layer versions, in order (a later layer's files replace an earlier one's):
console.core.function_layers. Deleting a layer version keeps it working for the functions that already use it, as on
Lambda ("Deleting a layer version" in the AWS guide).

Lambda's rules and messages come from the AWS guide ("Working with layers", "Lambda quotas") and botocore's service
model (the LayerName, LayerVersionArn, CompatibleRuntimes and CompatibleArchitectures shapes).
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from dataclasses import dataclass

from console.core.clock import now_iso
from console.core.function_rules import FunctionError, check_description
from console.core.store import Store
from console.engine.invocation import DEFAULT_ACCOUNT, DEFAULT_REGION

MAX_LAYER_NAME = 140  # botocore's LayerName: a name or an ARN, 1 to 140 characters
MAX_LICENSE_INFO = 512
MAX_COMPATIBLE_RUNTIMES = 15
ARCHITECTURES = ("x86_64", "arm64")
LAYER_NAME = re.compile(r"[a-zA-Z0-9_-]+")
_ARN_HEAD = r"arn:(?:aws[a-zA-Z-]*)?:lambda:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):(?P<account>\d{12}):layer:"
LAYER_ARN = re.compile(_ARN_HEAD + r"(?P<name>[a-zA-Z0-9_-]+)")
LAYER_VERSION_ARN = re.compile(_ARN_HEAD + r"(?P<name>[a-zA-Z0-9_-]+):(?P<version>[0-9]+)")
# Versions are numbered in an SQLite INTEGER column (64-bit signed): a larger number was never published.
MAX_VERSION = 2**63 - 1


class LayerError(ValueError):
    """A layer version Lambda would refuse to publish. `field` names the setting; the message says what to do."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class LayerNotFound(KeyError):
    """No layer version of that name and number."""

    def __init__(self, name: str, version: int | str) -> None:
        self.name = name
        self.version = version
        super().__init__(f"No version {version} of the layer {name}: it was never published, or it was deleted.")

    def __str__(self) -> str:  # KeyError's own would show the repr of its argument
        return str(self.args[0])


def layer_arn(name: str, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> str:
    return f"arn:aws:lambda:{region}:{account}:layer:{name}"


@dataclass(frozen=True)
class LayerVersion:
    """One published version of a layer, with its package's figures (Content.CodeSha256, CodeSize)."""

    name: str
    version: int
    package_sha256: str
    code_sha256: str
    code_size: int  # bytes of the zip
    unzipped_size: int
    description: str = ""
    compatible_runtimes: tuple[str, ...] = ()
    compatible_architectures: tuple[str, ...] = ()
    license_info: str | None = None
    created_at: str = ""

    def layer_arn(self, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> str:
        return layer_arn(self.name, region, account)

    def arn(self, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> str:
        """The LayerVersionArn."""
        return f"{self.layer_arn(region, account)}:{self.version}"


# -- checks -----------------------------------------------------------------------------------------------------


def layer_name(value: object) -> str:
    """A LayerName as Lambda takes it: the name, or the layer's ARN (without a version)."""
    if isinstance(value, str) and len(value) <= MAX_LAYER_NAME:
        if LAYER_NAME.fullmatch(value):
            return value
        if (match := LAYER_ARN.fullmatch(value)) and match["account"] == DEFAULT_ACCOUNT:
            return match["name"]
    raise LayerError(
        f"Layer name {value!r} is not valid: use 1 to {MAX_LAYER_NAME} letters, digits, hyphens (-) and underscores "
        f"(_), or the layer's ARN (arn:aws:lambda:<region>:{DEFAULT_ACCOUNT}:layer:<name>).",
        "name",
    )


@functools.cache
def lambda_runtimes() -> tuple[str, ...]:
    """Every runtime identifier Lambda knows (a layer may be for any language), from botocore's service model."""
    # boto3's botocore is a dependency; its model is read once, when first needed.
    import botocore.session

    return tuple(botocore.session.get_session().get_service_model("lambda").shape_for("Runtime").enum)


def check_runtimes(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)) or len(value) > MAX_COMPATIBLE_RUNTIMES:
        raise LayerError(f"Compatible runtimes must be a list of at most {MAX_COMPATIBLE_RUNTIMES} runtime "
                         "identifiers, like [\"python3.12\", \"python3.13\"].", "compatible_runtimes")
    for runtime in value:
        if runtime not in lambda_runtimes():
            raise LayerError(f"Compatible runtime {runtime!r} is not a Lambda runtime: use identifiers such as "
                             "python3.12 (the Runtime of a function).", "compatible_runtimes")
    return tuple(dict.fromkeys(value))


def check_architectures(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)) or len(value) > len(ARCHITECTURES) or any(
            item not in ARCHITECTURES for item in value):
        raise LayerError(f"Compatible architectures must be a list of {' and/or '.join(ARCHITECTURES)}, not {value!r}.",
                         "compatible_architectures")
    return tuple(dict.fromkeys(value))


def check_license(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_LICENSE_INFO:
        raise LayerError(f"License info must be text of at most {MAX_LICENSE_INFO} characters (an SPDX identifier "
                         "such as MIT, or a URL).", "license_info")
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise LayerError("License info holds half of a surrogate pair, which has no UTF-8 form: remove it, or write "
                         "the whole character.", "license_info")
    return value


def check_layer_fields(name: object, description: object = None, compatible_runtimes: object = None,
                       compatible_architectures: object = None, license_info: object = None) -> dict:
    """A new layer version's name and fields, checked (LayerError) and in the form they are stored."""
    try:
        described = check_description(description)
    except FunctionError as exc:
        raise LayerError(str(exc), "description") from None
    return {
        "name": layer_name(name),
        "description": described,
        "compatible_runtimes": check_runtimes(compatible_runtimes),
        "compatible_architectures": check_architectures(compatible_architectures),
        "license_info": check_license(license_info),
    }


def version_number(value: object) -> int | None:
    """A version number from a path or an ARN; None when it is not one any version could have."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > 19 or int(text) > MAX_VERSION:
        return None
    return int(text)


def parse_version_arn(value: object) -> tuple[str, int] | None:
    """(name, version) of a LayerVersionArn of this console's account; None when it is not one."""
    if not isinstance(value, str) or len(value) > 2048 or not (match := LAYER_VERSION_ARN.fullmatch(value)):
        return None
    number = version_number(match["version"])
    if match["account"] != DEFAULT_ACCOUNT or number is None:
        return None
    return match["name"], number


# -- the store --------------------------------------------------------------------------------------------------

def _version(row: sqlite3.Row) -> LayerVersion:
    return LayerVersion(
        name=row["name"],
        version=row["version"],
        package_sha256=row["package_sha256"],
        code_sha256=row["code_sha256"],
        code_size=row["size"],
        unzipped_size=row["unzipped_size"],
        description=row["description"],
        compatible_runtimes=tuple(json.loads(row["compatible_runtimes"])),
        compatible_architectures=tuple(json.loads(row["compatible_architectures"])),
        license_info=row["license_info"],
        created_at=row["created_at"],
    )


_SELECT = ("SELECT layer_versions.*, packages.code_sha256, packages.size, packages.unzipped_size FROM layer_versions"
           " JOIN packages ON packages.sha256 = layer_versions.package_sha256")


def _matches(version: LayerVersion, runtime: str | None, architecture: str | None) -> bool:
    return ((runtime is None or runtime in version.compatible_runtimes)
            and (architecture is None or architecture in version.compatible_architectures))


class LayerStore:
    """Layer versions in the database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def publish(self, package_sha256: str, **fields: object) -> LayerVersion:
        """The next version of the layer `fields["name"]`, over a stored package (fields as check_layer_fields)."""
        values = check_layer_fields(**fields)
        name = values["name"]
        with self._store.write() as conn:
            if conn.execute("SELECT 1 FROM packages WHERE sha256 = ?", (package_sha256,)).fetchone() is None:
                raise LayerError(f"No stored package has the SHA-256 {package_sha256}: upload the zip first.",
                                 "package")
            row = conn.execute("SELECT last_version FROM layers WHERE name = ?", (name,)).fetchone()
            number = 1 if row is None else row["last_version"] + 1
            conn.execute("INSERT INTO layers (name, last_version) VALUES (?, ?)"
                         " ON CONFLICT (name) DO UPDATE SET last_version = excluded.last_version", (name, number))
            conn.execute(
                "INSERT INTO layer_versions (name, version, package_sha256, description, compatible_runtimes,"
                " compatible_architectures, license_info, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (name, number, package_sha256, values["description"], json.dumps(values["compatible_runtimes"]),
                 json.dumps(values["compatible_architectures"]), values["license_info"], now_iso()),
            )
        return self.get(name, number)

    def get(self, name: str, version: int) -> LayerVersion:
        if not 0 < version <= MAX_VERSION:  # beyond what SQLite holds: never published
            raise LayerNotFound(name, version)
        row = self._store.query_one(f"{_SELECT} WHERE name = ? AND version = ?", (name, version))
        if row is None:
            raise LayerNotFound(name, version)
        return _version(row)

    def versions(self, name: str, runtime: str | None = None, architecture: str | None = None) -> list[LayerVersion]:
        """The layer's versions, newest first (as ListLayerVersions lists them), those compatible with the filters."""
        rows = self._store.query(f"{_SELECT} WHERE name = ? ORDER BY version DESC", (name,))
        return [version for version in map(_version, rows) if _matches(version, runtime, architecture)]

    def latest(self, runtime: str | None = None, architecture: str | None = None) -> list[LayerVersion]:
        """Each layer's newest version compatible with the filters, by name (ListLayers' LatestMatchingVersion)."""
        found: dict[str, LayerVersion] = {}
        for row in self._store.query(f"{_SELECT} ORDER BY name, version DESC"):
            version = _version(row)
            if version.name not in found and _matches(version, runtime, architecture):
                found[version.name] = version
        return list(found.values())

    def delete(self, name: str, version: int) -> bool:
        """Delete a layer version (its number is never given again); False when there was none. Functions that use
        it keep it, and its package stays stored."""
        if not 0 < version <= MAX_VERSION:
            return False
        with self._store.write() as conn:
            return conn.execute("DELETE FROM layer_versions WHERE name = ? AND version = ?",
                                (name, version)).rowcount > 0
