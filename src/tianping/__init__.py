"""Tianping (天平): party-building and workforce platform for people's courts."""

__version__ = "0.1.0"
