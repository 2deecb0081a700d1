"""The runtime's loop: the init phase (import the handler once), then one event after another, until the end.

Handler resolution and its `Runtime.*` errors follow LAMBDA_SPEC ("The handler contract", "Error payloads").
`main()` is the worker's entry point: it builds sys.path as Lambda does and runs either this loop or AWS's own
runtime client (`--client awslambdaric`).
"""

from __future__ import annotations

import importlib
import sys

from .api_client import RuntimeApiClient
from .context import LambdaContext
from .errors import (
    BUILT_IN_MODULE_CONFLICT,
    CONTEXT_UNMARSHAL_ERROR,
    HANDLER_NOT_FOUND,
    IMPORT_MODULE_ERROR,
    MALFORMED_HANDLER_NAME,
    SYNTAX_ERROR,
    RuntimeFault,
    exception_payload,
    fault_payload,
)
from .logs import Unbuffered, install_logging_hook, log_unhandled_error, set_current_invocation
from .payload import Marshaller, escapes_non_ascii, loads_header, to_json
from .process import claim_pid_namespace, end_namespace, getenv, parse_args, set_up_sys_path, setenv, watch_console

TYPE_CHECKING = False  # not imported from typing, which costs a cold start; annotations quote these names
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_RUNTIME_UPDATES_URL = "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
# What Lambda's Python runtime logs (as a warning, through logging) before an init error.
INIT_ERROR_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in rare "
    "cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed runtimes, "
    "runtime updates can be triggered by a function change, or can be applied automatically. To determine if the "
    "runtime has been updated, check the runtime version in the INIT_START log entry. If this error correlates with "
    "a change in the runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    f"previous runtime version. For more information, see {_RUNTIME_UPDATES_URL}\r"
)
_PREVIEW_RUNTIMES = frozenset({"AWS_Lambda_python3.15"})


def load_handler(handler: str) -> Callable:
    """Import the handler's module (`folder/module.function` or `package.module.function`) and return the function.

    Raises the RuntimeFault Lambda reports for each way this can fail."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise RuntimeFault(MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {e}") from None
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise RuntimeFault(BUILT_IN_MODULE_CONFLICT, f"Cannot use built-in module {module_name} as a handler module")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise RuntimeFault(IMPORT_MODULE_ERROR, f"Unable to import module '{module_name}': {e}") from None
    except SyntaxError as e:
        # One frame, in the runtime's own words (capital "Line", no comma).
        where = f'  File "{e.filename}" Line {e.lineno}\n    {e.text}'
        raise RuntimeFault(SYNTAX_ERROR, f"Syntax error in module '{module_name}': {e}", [where]) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise RuntimeFault(HANDLER_NOT_FOUND, f"Handler '{function_name}' missing on module '{module_name}'") from None


def _header_json(headers: dict, name: str, what: str) -> Any:
    """A context header's JSON value, None when the header is absent or empty."""
    text = headers.get(name)
    if not text:
        return None
    try:
        return loads_header(text)
    except Exception as e:  # noqa: BLE001 (any failure to read it is reported as a context error)
        raise RuntimeFault(CONTEXT_UNMARSHAL_ERROR, f"Unable to parse {what} JSON: {e}") from None


def _deadline_ms(value: str | None) -> int:
    if value is None:
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def handle_event_request(
    client: RuntimeApiClient, marshaller: Marshaller, request_handler: Callable, body: bytes, headers: dict
) -> None:
    """Run the handler on one event and post its result, or its error (also written to the log).

    A handler called with the wrong arguments fails in this frame, which its stack trace then shows: the function's
    name and the calling line are those Lambda's runtime shows, so that the payload is the same."""
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    try:
        lambda_context = LambdaContext(
            request_id,
            _header_json(headers, "lambda-runtime-client-context", "Client Context"),
            _header_json(headers, "lambda-runtime-cognito-identity", "Cognito Identity"),
            _deadline_ms(headers.get("lambda-runtime-deadline-ms")),
            headers.get("lambda-runtime-invoked-function-arn", ""),
            headers.get("lambda-runtime-aws-tenant-id"),
        )
        event = marshaller.read_event(body, headers.get("content-type"))
        response = request_handler(event, lambda_context)
        result, content_type = marshaller.write_result(response)
    except RuntimeFault as fault:
        failure = fault_payload(fault, request_id)
    except Exception as error:  # noqa: BLE001 (the function's exception becomes its error payload)
        failure = exception_payload(error, request_id)
    else:
        # Outside the try: text the UTF-8 codec refuses (a lone surrogate) ends the runtime, as on Lambda.
        client.post_invocation_result(
            request_id, result if isinstance(result, bytes) else result.encode("utf-8"), content_type
        )
        return
    log_unhandled_error(failure)
    client.post_invocation_error(request_id, to_json(failure, escapes_non_ascii()), failure["errorType"])


def _warn_if_preview() -> None:
    """A preview runtime says so in the log, unless LAMBDA_DISABLE_PREVIEW_WARN is set."""
    if getenv("LAMBDA_DISABLE_PREVIEW_WARN", "") or getenv("AWS_EXECUTION_ENV", "") not in _PREVIEW_RUNTIMES:
        return
    import logging

    docs = "docs.amazonaws.cn" if (getenv("AWS_REGION") or "").startswith("cn-") else "docs.aws.amazon.com"
    logging.warning(  # noqa: LOG015 (Lambda's runtime logs it through the root logger)
        "LAMBDA_WARNING: This is a preview runtime version and should not be used for production workloads. "
        f"For further information and to provide feedback, see https://{docs}/lambda/latest/dg/lambda-runtimes.html\r"
    )


def run(handler_name: str, client: RuntimeApiClient) -> None:
    """The init phase, then serve events forever. An init error is reported once and ends the worker."""
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    install_logging_hook()
    marshaller = Marshaller()
    failure = None
    try:
        _warn_if_preview()
        handler = load_handler(handler_name)
    except RuntimeFault as fault:
        failure = fault_payload(fault)
    except Exception as error:  # noqa: BLE001 (an exception at import becomes the init error)
        failure = exception_payload(error)
    if failure is not None:
        import logging

        logging.warning(INIT_ERROR_WARNING)  # noqa: LOG015 (through the root logger, as on Lambda)
        log_unhandled_error(failure)
        client.post_init_error(to_json(failure, escapes_non_ascii()), failure["errorType"])
        sys.exit(1)

    while True:
        body, headers = client.wait_next_invocation()
        set_current_invocation(headers.get("lambda-runtime-aws-request-id", ""), headers.get("lambda-runtime-aws-tenant-id"))
        setenv("_X_AMZN_TRACE_ID", headers.get("lambda-runtime-trace-id"))
        handle_event_request(client, marshaller, handler, body, headers)


# -- entry point ------------------------------------------------------------------------------------------------------


def _start_bootstrap(handler: str, api_address: str) -> None:
    _serve(handler, RuntimeApiClient(api_address))


def _serve(handler: str, client: RuntimeApiClient) -> None:
    # This frame stands for AWS's client's main(): the handler then runs as deep in the stack under either client,
    # so the traceback of a RecursionError ("Previous line repeated N more times") is the same.
    run(handler, client)


def _start_awslambdaric(handler: str) -> None:
    """Hand over to AWS's client, unmodified: it reads AWS_LAMBDA_RUNTIME_API (plain host:port) itself."""
    from awslambdaric.__main__ import main as awslambdaric_main

    awslambdaric_main([sys.argv[0], handler])


def main() -> None:
    """Set up sys.path as Lambda does and run the chosen runtime client."""
    client, layers, watch_fd, own_pid_namespace, code_paths = parse_args(sys.argv)
    if own_pid_namespace:
        claim_pid_namespace()
    if watch_fd is not None:
        watch_console(watch_fd)
    task_root, runtime_dir = getenv("LAMBDA_TASK_ROOT"), getenv("LAMBDA_RUNTIME_DIR")
    handler, api_address = getenv("_HANDLER"), getenv("AWS_LAMBDA_RUNTIME_API")
    if task_root is None or runtime_dir is None or handler is None or api_address is None:
        sys.exit("the worker needs LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR, _HANDLER and AWS_LAMBDA_RUNTIME_API set")
    set_up_sys_path(task_root, layers, runtime_dir, code_paths)
    # The handler must not see our flags.
    sys.argv = [sys.argv[0]]
    try:
        if client == "awslambdaric":
            _start_awslambdaric(handler)
        else:
            _start_bootstrap(handler, api_address)
    finally:
        end_namespace()  # however the worker ends (its console gone, its connection broken, an exit)
