from shop.orders import check


def handle(event, context):
    check(event)
    return {"ok": True}
