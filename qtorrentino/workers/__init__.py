"""Stage workers: claim a ready ticket from SQLite, process it, retry with back-off; the manager runs them."""
