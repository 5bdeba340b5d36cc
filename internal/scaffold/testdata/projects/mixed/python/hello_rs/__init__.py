"""A sample project for releaser init (the Python half)."""
