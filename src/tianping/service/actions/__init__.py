"""Writes of the service app, one module per part, each recorded in the audit log."""
