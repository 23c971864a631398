"""study models (filled by its part)."""
