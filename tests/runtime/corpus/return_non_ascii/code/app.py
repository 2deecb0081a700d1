def handler(event, context):
    return {"greeting": "héllo ☃ 😀", "separators": "a\u2028b\u2029c", "control": "\x00\x1f\x7f"}
