import logging

logger = logging.getLogger("orders")


def handler(event, context):
    logger.warning("stock low", extra={"sku": "A1"})
    logger.error({"event": "structured", "n": 1})
    if event.get("fail"):
        raise ValueError("bad order")
    return "ok"
