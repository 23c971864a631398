"""Reads of the talent app, one module per part, each through the scoping function."""
