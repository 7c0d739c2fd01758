"""City components (部件): manhole covers, street lamps, fire hydrants, cameras …"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin


class Facility(TimestampMixin, Base):
    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 16 digits: 6 district + 2 major class + 2 minor class + 6 serial (CJ/T 214 practice).
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    grid_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), index=True)
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="normal")
    # A camera's live stream (HLS .m3u8), played in the dashboard's grid panel when configured.
    stream_url: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        # The dashboard's layer of a kind (tens of thousands of points, a district's by grid code
        # prefix) and its version (count, newest id and change) read from the index alone; also
        # serves every lookup by kind.
        Index(
            "ix_facilities_kind_point",
            "kind",
            "grid_code",
            "lat",
            "lng",
            "updated_at",
            postgresql_include=["id"],
        ),
    )
