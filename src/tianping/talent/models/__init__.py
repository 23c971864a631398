"""The talent app's models, one module per part (DESIGN.md)."""

from tianping.talent.models.competitions import (  # noqa: F401
    AdvanceRule,
    Award,
    Competition,
    CompetitionStatus,
    Criterion,
    Entrant,
    Judge,
    Prize,
    Round,
    RoundEntry,
    RoundStatus,
    Score,
    Stage,
    Track,
    TrackKind,
)
from tianping.talent.models.honours import (  # noqa: F401
    COLLECTIVE_KINDS,
    INDIVIDUAL_KINDS,
    LEVEL_RANK,
    Honour,
    HonourKind,
    HonourLevel,
    HonourSource,
)
from tianping.talent.models.pools import (  # noqa: F401
    ACTIVE_STATUSES,
    EventKind,
    MemberStatus,
    PoolEvent,
    PoolKind,
    PoolMember,
    TalentPool,
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
