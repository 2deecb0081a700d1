"""Greetings shared through the layer: Lambda puts the layer's python/ folder on sys.path."""

import os


def greet(name: str) -> str:
    return f"Greetings, {name}, from the shared layer at {os.path.dirname(os.path.dirname(__file__))}"
