"""Backup and restore of all data, and which tables hold it (used by `backup`, `restore`, `demo`, `generate`)."""
