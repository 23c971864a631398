"""Compliance pages: the subtree matrix and the branch health check (支部体检)."""

routes: list = []
