"""Reads of the service app, one module per part, each through the scoping function."""
