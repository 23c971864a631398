"""Deterministic synthetic data (the demo city, benchmark profiles) and the data-safety helpers.

Everything here draws from `random.Random(seed)` instances only, never the global generator
or the clock, so the same seed yields the same rows. `tables` and `archive` are shared by
`tianping demo --reset`, `generate`, `backup` and `restore`.
"""
