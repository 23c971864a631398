"""The service app's models, one module per part (DESIGN.md)."""

from tianping.service.models.volunteer import (  # noqa: F401
    CertificateRule,
    TeamMember,
    VolunteerCertificate,
    VolunteerService,
    VolunteerTeam,
)
