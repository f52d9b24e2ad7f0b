"""Torznab search over the configured indexers."""
