"""A handler that reads its context object: what Lambda tells a function about itself and this invocation."""


def handler(event, context):
    remaining_ms = context.get_remaining_time_in_millis()
    print(f"request id: {context.aws_request_id}")
    print(f"function: {context.function_name} version {context.function_version}")
    print(f"memory limit: {context.memory_limit_in_mb} MB")
    print(f"time remaining: {remaining_ms} ms")
    return {
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        # Lambda's runtime hands this over as a string ("128"), not an int.
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "remaining_time_in_millis": remaining_ms,
        "log_group_name": context.log_group_name,
    }
