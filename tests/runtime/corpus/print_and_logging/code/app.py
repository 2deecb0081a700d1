import logging
import sys

logging.basicConfig(level=logging.INFO, format="%(message)s")  # a no-op on Lambda: the root has a handler
logger = logging.getLogger()
print("init print")


def handler(event, context):
    print("print", 1, {"a": 1})
    sys.stderr.write("to stderr\n")
    logger.info("info is below the root's WARNING")
    logger.warning("warning %s", "formatted")
    logging.getLogger("app.child").error("from a child logger")
    context.log("context.log line\n")
    try:
        1 / 0
    except ZeroDivisionError:
        logger.exception("caught")
    root = logging.getLogger()
    return {"handlers": [type(h).__name__ for h in root.handlers], "level": root.level,
            "stdout": type(sys.stdout).__name__, "formatter": root.handlers[0].formatter._fmt}
