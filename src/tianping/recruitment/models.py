"""发展党员 models."""
