def handler(event, context):
    remaining = context.get_remaining_time_in_millis()
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "memory_type": type(context.memory_limit_in_mb).__name__,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "identity": repr(context.identity),
        "cognito_identity_id": context.identity.cognito_identity_id,
        "client_context": context.client_context,
        "tenant_id": context.tenant_id,
        "w3c": context.w3c(),
        "remaining_ok": 0 < remaining <= 900_000,
        "repr": repr(context),
        "class": type(context).__name__,
    }
