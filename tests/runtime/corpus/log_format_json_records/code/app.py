import logging

logger = logging.getLogger("audit")


def handler(event, context):
    logger.debug("debug %s", "shown")
    logger.log(25, "between info and warning")
    logger.info("extras", extra={"stackTrace": "not an exception", "location": "desk", "missing": None, "tags": {"a"}})
    try:
        {}["absent"]
    except KeyError:
        logger.exception("lookup failed")
    context.log("through the context\n")
    return "ok"
