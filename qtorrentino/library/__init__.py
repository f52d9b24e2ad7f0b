"""Libraries: scanning, file matching, placement with rollback, organizing, unmatched files, trash."""
