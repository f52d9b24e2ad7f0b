"""Widgets the screens compose: header, paged table, filter bar, candidate panel."""
