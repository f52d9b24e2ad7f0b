"""Query building, candidate scoring, file mapping and the approval decision."""
