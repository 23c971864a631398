"""Deterministic synthetic data: the demo city and the benchmark profiles.

Everything here draws from `random.Random(seed)` instances only, never the global generator
or the clock, so the same seed yields the same rows. Wiping and the emptiness check come from
`tianping.backup.tables`, which backup and restore share.
"""
