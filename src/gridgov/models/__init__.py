"""All ORM models, one module per aggregate; importing this package registers every table."""

from gridgov.models.audit import AuditEntry
from gridgov.models.facility import Facility
from gridgov.models.region import OverlayCoverage, Region, RegionLevel
from gridgov.models.staff import Assignment, Staff, StaffKind

__all__ = [
    "Assignment",
    "AuditEntry",
    "Facility",
    "OverlayCoverage",
    "Region",
    "RegionLevel",
    "Staff",
    "StaffKind",
]
