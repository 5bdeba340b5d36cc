"""A tiny greeting library, released by releaser's example workflow."""


def greet(name: str) -> str:
    """Return a friendly greeting for name."""
    return f"Hello, {name}!"
