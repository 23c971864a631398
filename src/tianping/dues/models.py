"""党费 models."""
