"""The talent app's models, one module per part (DESIGN.md)."""

from tianping.talent.models.honours import (  # noqa: F401
    COLLECTIVE_KINDS,
    INDIVIDUAL_KINDS,
    LEVEL_RANK,
    Honour,
    HonourKind,
    HonourLevel,
    HonourSource,
)
from tianping.talent.models.typing import (  # noqa: F401
    AttemptState,
    PassRule,
    TextKind,
    TypingAttempt,
    TypingCandidate,
    TypingExam,
    TypingText,
)
