class OrderError(Exception):
    pass


def total(order):
    return sum(line["qty"] * line["price"] for line in order["lines"])


def check(order):
    if total(order) <= 0:
        raise OrderError(f"order {order['id']} has no value")
