handler = {"not": "a function"}
