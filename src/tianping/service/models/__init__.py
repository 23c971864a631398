"""The service app's models, one module per part (DESIGN.md)."""

from tianping.service.models.brands import (  # noqa: F401
    Brand,
    BrandActivity,
    BrandEvaluation,
    BrandGrade,
    BrandPlanItem,
    DemoPost,
    DutyEntry,
    DutyShift,
    PostKind,
)
from tianping.service.models.community import (  # noqa: F401
    Agreement,
    AgreementStatus,
    CommunityRegistration,
    CommunityService,
    Deed,
    DeedActivity,
    DeedStatus,
    DeedStep,
    JointActivity,
    Partner,
    PartnerKind,
)
from tianping.service.models.liaison import (  # noqa: F401
    ContactKind,
    LiaisonAssignment,
    LiaisonVisit,
    Matter,
    MatterCategory,
    MatterStep,
)
from tianping.service.models.volunteer import (  # noqa: F401
    CertificateRule,
    TeamMember,
    VolunteerCertificate,
    VolunteerService,
    VolunteerTeam,
)
