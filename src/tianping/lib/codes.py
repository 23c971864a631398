"""Verification codes printed on certificates: random, unguessable, read as codes."""

from __future__ import annotations

import secrets
from collections.abc import Callable

# No 0/O, 1/I/L: a code is copied by hand from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_code(taken: Callable[[str], bool], length: int = CODE_LENGTH) -> str:
    """A fresh code that `taken` does not already know, with at least one digit (a code is
    never read as a word)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in code) and not taken(code):
            return code
