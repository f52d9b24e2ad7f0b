"""Loopback servers speaking real formats, for tests and the demo."""
