"""All ORM models, one module per aggregate. Importing this package registers every table
(each module in the package is imported, so a new aggregate needs no edit here)."""

import importlib
import pkgutil

from gridgov.models.audit import AuditEntry
from gridgov.models.facility import Facility
from gridgov.models.region import OverlayCoverage, Region, RegionLevel
from gridgov.models.staff import Assignment, Staff, StaffKind

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

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
