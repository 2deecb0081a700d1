from decimal import Decimal


def handler(event, context):
    return {
        "price": Decimal("1.10"),
        "big": Decimal("12345678901234567890.000000001"),
        "exp": Decimal("1E+2"),
        "tiny": [Decimal("0.000001"), Decimal("-0")],
        "nan": Decimal("NaN"),
        "snan": Decimal("-sNaN"),
        "inf": Decimal("Infinity"),
        "ninf": Decimal("-Infinity"),
    }
