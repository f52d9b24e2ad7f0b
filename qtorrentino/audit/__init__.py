"""The audit log: append-only events in SQLite, mirrored to audit.jsonl, queried newest first."""
