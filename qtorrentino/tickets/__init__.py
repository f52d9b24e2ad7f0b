"""Ticket persistence: every change is one unit of work that commits the row and its audit event."""
