"""Lambda's limits and naming rules, written once: LAMBDA_SPEC section 7 and botocore's Lambda service model.

The engine, the Console's checks and the REST API's answers all read them from here. Plain constants: importing this
module costs nothing, so the one-shot command line and the engine may use it too.
"""

from __future__ import annotations

import re

# Payloads (Invoke): a synchronous request and response, and an Event (asynchronous) invocation's request.
MAX_REQUEST_BYTES = 6_291_456  # 6 MB; also the largest event the console saves
MAX_RESPONSE_BYTES = 6_291_556
MAX_EVENT_REQUEST_BYTES = 262_144  # 256 KB

# Deployment packages: a .zip uploaded directly, and the code once unzipped.
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024

# Configuration.
MIN_TIMEOUT, MAX_TIMEOUT = 1, 900  # seconds
MIN_MEMORY, MAX_MEMORY = 128, 10_240  # MB
MIN_EPHEMERAL_STORAGE, MAX_EPHEMERAL_STORAGE = 512, 10_240  # MB of /tmp (EphemeralStorage.Size)
MAX_ENVIRONMENT_BYTES = 4096  # all names and values together
MAX_DESCRIPTION = 256  # characters

# Names. A function's name: botocore's FunctionName without the ARN forms around it.
MAX_FUNCTION_NAME = 64
FUNCTION_NAME = re.compile(rf"[a-zA-Z0-9_-]{{1,{MAX_FUNCTION_NAME}}}")
HANDLER = re.compile(r"[^\s]{1,128}")  # botocore's Handler shape: pattern [^\s]+, at most 128 characters
ENVIRONMENT_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")  # botocore's EnvironmentVariableName


def human_size(n: int) -> str:
    """A size as people read it, the way limits are written: `512 bytes`, `256 KB`, `1.5 MB`, `6 MB`."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"
