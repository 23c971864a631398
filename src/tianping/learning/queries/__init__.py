"""Reads of the learning app, one module per part, each through the scoping function."""
