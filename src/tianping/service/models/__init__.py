"""The service app's models, one module per part (DESIGN.md)."""
