"""The domain model (DESIGN.md section 3), one module per concept."""

from .accounts import Invitation, Membership, Organization, User
from .assessments import Answer, Assessment, AuditEvent, ControlReview, RemediationItem
from .catalog import Area, Control, Deployment, Ownership, ResponsibilityModel
from .evidence import Evidence
from .reports import AuditPackage, ReportRender

__all__ = [
    "Answer",
    "Area",
    "Assessment",
    "AuditEvent",
    "AuditPackage",
    "Control",
    "ControlReview",
    "Deployment",
    "Evidence",
    "Invitation",
    "Membership",
    "Organization",
    "Ownership",
    "RemediationItem",
    "ReportRender",
    "ResponsibilityModel",
    "User",
]
