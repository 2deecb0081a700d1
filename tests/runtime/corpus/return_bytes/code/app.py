def handler(event, context):
    if event.get("nested"):
        return {"data": b"caf\xc3\xa9", b"key": 1}
    return b"\x89PNG\r\n\x1a\n\x00\xff raw"
