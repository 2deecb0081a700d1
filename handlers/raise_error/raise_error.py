"""A handler that fails: Lambda answers with the error payload (errorMessage, errorType, requestId, stackTrace)."""


class OrderRejected(Exception):
    """A failure of this function's own kind: its class name becomes the errorType."""


def handler(event, context):
    quantity = event.get("quantity", 0)
    if quantity <= 0:
        raise ValueError(f"quantity must be positive, got {quantity}")
    if quantity > 10:
        raise OrderRejected(f"at most 10 items per order, got {quantity}")
    return {"accepted": quantity}
