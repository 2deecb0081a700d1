"""A handler that writes to its log both ways: print() as written, logging with Lambda's level, time and request id."""

import logging

logger = logging.getLogger()
# Lambda's root logger starts at WARNING; functions commonly lower it to see their own info lines.
logger.setLevel(logging.INFO)

print("module loaded: this line is part of the init phase, before START")


def handler(event, context):
    name = event.get("name", "world")
    print(f"print: hello {name}")
    logger.info("logging.info: hello %s", name)
    logger.warning("logging.warning: %d items left", event.get("items_left", 0))
    logger.debug("logging.debug: hidden, the level is INFO")
    return {"logged": True}
