"""A function's further Lambda settings, kept as given: Architectures, TracingConfig, VpcConfig, DeadLetterConfig,
KMSKeyArn, SnapStart and LoggingConfig.

They are stored together (one JSON object per function and per version, under Lambda's own names), checked as Lambda
checks them (the bounds, patterns and enums of botocore's service model, in Lambda's words), reported with Lambda's
defaults, and each says what the console does with it: `notes()` names those it cannot honour on this machine.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Mapping

from console.core.function_rules import FunctionError

SETTING_NAMES = (
    "Architectures", "TracingConfig", "VpcConfig", "DeadLetterConfig", "KMSKeyArn", "SnapStart", "LoggingConfig"
)
ARCHITECTURES = ("x86_64", "arm64")
TRACING_MODES = ("Active", "PassThrough")
SNAPSTART_APPLY_ON = ("PublishedVersions", "None")
LOG_FORMATS = ("JSON", "Text")
APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")
# botocore's patterns for ResourceArn and KMSKeyArn, and for LogGroup.
ARN_PATTERN = r"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"
LOG_GROUP_PATTERN = r"[\.\-_/#A-Za-z0-9]+"
MAX_SUBNETS, MAX_SECURITY_GROUPS = 16, 5
# What `platform.machine()` calls each of Lambda's architectures.
_MACHINES = {"x86_64": ("x86_64", "amd64"), "arm64": ("arm64", "aarch64")}


class ConstraintError(FunctionError):
    """A value outside the service model's constraints: Lambda answers these with ValidationException and its
    "1 validation error detected" wording, built from `value`, `path` (Lambda's camelCase name) and `constraint`."""

    def __init__(self, value: object, path: str, constraint: str) -> None:
        self.value = value
        self.path = path
        self.constraint = constraint
        super().__init__(
            f"1 validation error detected: Value '{_shown(value)}' at '{path}' failed to satisfy constraint: "
            f"{constraint}",
            path,
        )


def _shown(value: object) -> str:
    """A value as Lambda's validation messages show it: lists as [a, b], None as null."""
    if isinstance(value, list):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    return "null" if value is None else str(value)


def _enum(value: object, path: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConstraintError(value, path, f"Member must satisfy enum value set: [{', '.join(allowed)}]")
    return str(value)


def _object(value: object, name: str, example: str) -> dict:
    if not isinstance(value, dict):
        raise FunctionError(f"{name} must be an object, like {example}.", name)
    return value


def _arn(value: object, path: str, name: str) -> str:
    if not isinstance(value, str):
        raise FunctionError(f"{name} must be an ARN in text, or empty to remove it.", path)
    if len(value) > 10000:
        raise ConstraintError(value, path, "Member must have length less than or equal to 10000")
    if not re.fullmatch(ARN_PATTERN, value):
        raise ConstraintError(value, path, f"Member must satisfy regular expression pattern: {ARN_PATTERN}")
    return value


def _ids(value: object, path: str, name: str, most: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FunctionError(f"{name} must be a list of IDs.", path)
    if len(value) > most:
        raise ConstraintError(value, path, f"Member must have length less than or equal to {most}")
    return list(value)


def _architectures(value: object) -> list[str]:
    if not isinstance(value, list):
        raise FunctionError('Architectures must be a list of one architecture, like ["arm64"].', "architectures")
    if len(value) != 1:
        bound = "greater than or equal to 1" if not value else "less than or equal to 1"
        raise ConstraintError(value, "architectures", f"Member must have length {bound}")
    if value[0] not in ARCHITECTURES:
        raise ConstraintError(value, "architectures", "Member must satisfy constraint: [Member must satisfy enum "
                                                      f"value set: [{', '.join(ARCHITECTURES)}]]")
    return list(value)


def _logging(value: object) -> dict:
    given = _object(value, "LoggingConfig", '{"LogFormat": "JSON", "ApplicationLogLevel": "INFO"}')
    checked: dict = {}
    if given.get("LogFormat") is not None:
        checked["LogFormat"] = _enum(given["LogFormat"], "loggingConfig.logFormat", LOG_FORMATS)
    if given.get("ApplicationLogLevel") is not None:
        checked["ApplicationLogLevel"] = _enum(given["ApplicationLogLevel"], "loggingConfig.applicationLogLevel",
                                               APPLICATION_LOG_LEVELS)
    if given.get("SystemLogLevel") is not None:
        checked["SystemLogLevel"] = _enum(given["SystemLogLevel"], "loggingConfig.systemLogLevel", SYSTEM_LOG_LEVELS)
    group = given.get("LogGroup")
    if group is not None:
        if not isinstance(group, str):
            raise FunctionError("LoggingConfig.LogGroup must be a log group's name in text.", "loggingConfig.logGroup")
        if not 1 <= len(group) <= 512:
            bound = "greater than or equal to 1" if not group else "less than or equal to 512"
            raise ConstraintError(group, "loggingConfig.logGroup", f"Member must have length {bound}")
        if not re.fullmatch(LOG_GROUP_PATTERN, group):
            raise ConstraintError(group, "loggingConfig.logGroup",
                                  f"Member must satisfy regular expression pattern: {LOG_GROUP_PATTERN}")
        checked["LogGroup"] = group
    return checked


def _check_one(name: str, value: object) -> object:
    if name == "Architectures":
        return _architectures(value)
    if name == "TracingConfig":
        given = _object(value, name, '{"Mode": "Active"}')
        return {"Mode": _enum(given.get("Mode", "PassThrough"), "tracingConfig.mode", TRACING_MODES)}
    if name == "VpcConfig":
        given = _object(value, name, '{"SubnetIds": ["subnet-..."], "SecurityGroupIds": ["sg-..."]}')
        vpc: dict = {
            "SubnetIds": _ids(given.get("SubnetIds"), "vpcConfig.subnetIds", "VpcConfig.SubnetIds", MAX_SUBNETS),
            "SecurityGroupIds": _ids(given.get("SecurityGroupIds"), "vpcConfig.securityGroupIds",
                                     "VpcConfig.SecurityGroupIds", MAX_SECURITY_GROUPS),
        }
        if given.get("Ipv6AllowedForDualStack") is not None:
            vpc["Ipv6AllowedForDualStack"] = bool(given["Ipv6AllowedForDualStack"])
        return vpc
    if name == "DeadLetterConfig":
        given = _object(value, name, '{"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dead-letters"}')
        return {"TargetArn": _arn(given.get("TargetArn", ""), "deadLetterConfig.targetArn", "DeadLetterConfig.TargetArn")}
    if name == "KMSKeyArn":
        return _arn(value, "kMSKeyArn", "KMSKeyArn")
    if name == "SnapStart":
        given = _object(value, name, '{"ApplyOn": "PublishedVersions"}')
        return {"ApplyOn": _enum(given.get("ApplyOn", "None"), "snapStart.applyOn", SNAPSTART_APPLY_ON)}
    return _logging(value)


def check_settings(settings: object, current: Mapping[str, object] | None = None) -> dict:
    """`settings` (a mapping of Lambda's names, a change to `current`) checked, merged over `current`, and ready to
    store. A setting given as None is left as it is, as Lambda leaves a setting a request does not name."""
    if settings is None:
        settings = {}
    if not isinstance(settings, Mapping):
        raise FunctionError("Settings must be a mapping of Lambda's setting names to values.", "settings")
    unknown = sorted(set(settings) - set(SETTING_NAMES))
    if unknown:
        raise FunctionError(f"Unknown settings: {', '.join(unknown)}.", "settings")
    merged = dict(current or {})
    for name, value in settings.items():
        if value is not None:
            merged[name] = _check_one(name, value)
    # An empty KMSKeyArn or DeadLetterConfig.TargetArn removes the setting, as on Lambda.
    if merged.get("KMSKeyArn") == "":
        del merged["KMSKeyArn"]
    if merged.get("DeadLetterConfig") == {"TargetArn": ""}:
        del merged["DeadLetterConfig"]
    given_logging = merged.get("LoggingConfig") or {}
    assert isinstance(given_logging, dict)
    if effective_logging(merged, "")["LogFormat"] == "Text" and (
        "ApplicationLogLevel" in given_logging or "SystemLogLevel" in given_logging
    ):
        # Lambda's own words (InvalidParameterValueException).
        raise FunctionError(
            'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change '
            'the LogFormat to "Json" and try again.',
            "loggingConfig",
        )
    return merged


def effective_logging(settings: Mapping[str, object], name: str) -> dict:
    """LoggingConfig as Lambda reports and applies it: Text by default; with JSON, both levels INFO unless given;
    the log group /aws/lambda/<name> unless given."""
    given = settings.get("LoggingConfig") or {}
    assert isinstance(given, dict)
    shape: dict = {"LogFormat": given.get("LogFormat", "Text")}
    if shape["LogFormat"] == "JSON":
        shape["ApplicationLogLevel"] = given.get("ApplicationLogLevel", "INFO")
        shape["SystemLogLevel"] = given.get("SystemLogLevel", "INFO")
    shape["LogGroup"] = given.get("LogGroup", f"/aws/lambda/{name}")
    return shape


def engine_settings(function: object) -> dict:
    """The FunctionSpec fields these settings make: LoggingConfig's format, levels and group, TracingConfig's mode."""
    settings = getattr(function, "settings", {})
    logging = effective_logging(settings, str(getattr(function, "name", "")))
    return {
        "log_format": logging["LogFormat"],
        "application_log_level": logging.get("ApplicationLogLevel", "INFO"),
        "system_log_level": logging.get("SystemLogLevel", "INFO"),
        "log_group": logging["LogGroup"],
        "tracing": settings.get("TracingConfig", {}).get("Mode", "PassThrough"),
    }


def architecture(settings: Mapping[str, object]) -> str:
    architectures = settings.get("Architectures") or ["x86_64"]
    assert isinstance(architectures, list)
    return str(architectures[0])


def machine_architecture() -> str:
    """This machine's architecture in Lambda's words (x86_64 or arm64), or as the platform names it."""
    machine = platform.machine().lower()
    return next((name for name, aliases in _MACHINES.items() if machine in aliases), machine)


def notes(settings: Mapping[str, object]) -> list[str]:
    """What the console does not do of these settings, one sentence each (shown on the function's page and with
    every result); the values stay as given."""
    found = []
    wanted, machine = architecture(settings), machine_architecture()
    if wanted != machine:
        found.append(f"Architectures is {wanted}: the code runs on this machine's {machine} Python, so compiled "
                     f"libraries built for {wanted} will not load here.")
    vpc = settings.get("VpcConfig")
    if isinstance(vpc, dict) and (vpc.get("SubnetIds") or vpc.get("SecurityGroupIds")):
        found.append("VpcConfig is kept but not applied: the code reaches the network as this machine does, not "
                     "through the VPC's subnets and security groups.")
    dead_letters = settings.get("DeadLetterConfig")
    if isinstance(dead_letters, dict) and dead_letters.get("TargetArn"):
        found.append(f"DeadLetterConfig is kept but not applied: Event invocations that fail every attempt are not "
                     f"sent to {dead_letters['TargetArn']}.")
    snap_start = settings.get("SnapStart")
    if isinstance(snap_start, dict) and snap_start.get("ApplyOn") == "PublishedVersions":
        found.append("SnapStart is kept but not applied: published versions start with a cold start, not from a "
                     "snapshot.")
    if settings.get("KMSKeyArn"):
        found.append("KMSKeyArn is kept but not applied: environment variables are stored unencrypted in the "
                     "console's database.")
    return found
