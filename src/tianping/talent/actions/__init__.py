"""Writes of the talent app, one module per part, each recorded in the audit log."""
