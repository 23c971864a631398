"""The walk tests run on the demo city itself (`demo_db`, tests/conftest.py)."""
