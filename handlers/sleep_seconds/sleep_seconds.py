"""A handler that sleeps for the event's `seconds`: longer than the function's timeout, and Lambda stops it."""

import time


def handler(event, context):
    seconds = float(event.get("seconds", 1))
    print(f"sleeping {seconds} s with {context.get_remaining_time_in_millis()} ms left")
    time.sleep(seconds)
    return {"slept": seconds}
