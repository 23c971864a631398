"""reading models (filled by its part)."""
