from collections import namedtuple

Point = namedtuple("Point", "x y")


class Row(tuple):
    pass


def handler(event, context):
    return {"tuple": (1, "a", (2, 3)), "point": Point(1, 2), "points": [Point(3, (4, 5))],
            "row": Row((6, 7)), "empty": ()}
