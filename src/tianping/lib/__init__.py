"""Plain functions that are not Django: sheet cleaning, script conversion."""
