"""A sample project for releaser init."""

__all__ = ["hello"]


def hello() -> str:
    return "hello"
