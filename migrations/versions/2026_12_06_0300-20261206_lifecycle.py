"""lifecycle: life events, rule sets, proxy services, family links; the admission registry
(admitted task types, data needs, diversion reports) with the task types in use admitted.

Revision ID: 20261206_lifecycle
Revises: 20261206_sources
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "20261206_lifecycle"
down_revision = "20261206_sources"
branch_labels = None
depends_on = None

BASIS = "宜昌市网格化服务管理工作规范；《关于规范网格员工作事项准入的通知》"
# (kind, title, reference, department, frequency, fields, minutes per task): the task types that
# exist when the registry starts, admitted so that nothing already in use is refused.
ADMITTED = [
    ("case_verification", "案件核查", "准入〔2026〕1号", "CG", "按案件", [], 20),
    ("home_visit", "入户走访", "准入〔2026〕2号", "MZ", "按需", [], 30),
    (
        "newborn_visit",
        "新生儿上门核实",
        "准入〔2026〕3号",
        "WJ",
        "按事件",
        ["baby_name", "household_no"],
        30,
    ),
    ("move_in_visit", "迁入人员上门登记", "准入〔2026〕4号", "GA", "按事件", [], 25),
    ("permit_reminder", "居住证到期提醒", "准入〔2026〕5号", "GA", "按事件", [], 10),
    ("id_card_reminder", "未领身份证提醒", "准入〔2026〕6号", "GA", "按事件", [], 10),
    ("elderly_visit", "老年人待遇告知走访", "准入〔2026〕7号", "MZ", "按事件", [], 20),
    ("death_verify", "死亡信息核实", "准入〔2026〕8号", "MZ", "按事件", [], 20),
]


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    admitted = op.create_table(
        "admitted_task_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("legal_basis", sa.String(length=300), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("frequency", sa.String(length=32), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("minutes_per_task", sa.Integer(), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=200), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admitted_task_types")),
        sa.UniqueConstraint("kind", name=op.f("uq_admitted_task_types_kind")),
    )
    op.create_table(
        "data_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("legal_basis", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("declared_by", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_needs")),
    )
    op.create_index(
        op.f("ix_data_needs_department_code"), "data_needs", ["department_code"], unique=False
    )
    op.create_table(
        "diversion_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diversion_reports")),
    )
    op.create_index(
        "ix_diversion_reports_user_day", "diversion_reports", ["user_id", "day"], unique=False
    )
    op.create_table(
        "family_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=8), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_links")),
        sa.UniqueConstraint("child_id", "relation", name=op.f("uq_family_links_child_id")),
    )
    op.create_index(op.f("ix_family_links_child_id"), "family_links", ["child_id"], unique=False)
    op.create_index(op.f("ix_family_links_parent_id"), "family_links", ["parent_id"], unique=False)
    op.create_table(
        "life_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_ref", sa.String(length=120), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("house_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rule_code", sa.String(length=64), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("on_complete", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_life_events")),
        sa.UniqueConstraint("source", "source_ref", name=op.f("uq_life_events_source")),
    )
    op.create_index(op.f("ix_life_events_event_type"), "life_events", ["event_type"], unique=False)
    op.create_index(
        "ix_life_events_grid_status", "life_events", ["grid_code", "status"], unique=False
    )
    op.create_index(op.f("ix_life_events_person_id"), "life_events", ["person_id"], unique=False)
    op.create_index(op.f("ix_life_events_task_id"), "life_events", ["task_id"], unique=False)
    op.create_table(
        "lifecycle_rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_rule_sets")),
        sa.UniqueConstraint("version", name=op.f("uq_lifecycle_rule_sets_version")),
    )
    op.create_table(
        "proxy_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=200), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxy_services")),
    )
    op.create_index(
        "ix_proxy_services_grid_state", "proxy_services", ["grid_code", "state"], unique=False
    )
    op.create_index(
        op.f("ix_proxy_services_person_id"), "proxy_services", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_proxy_services_service_code"), "proxy_services", ["service_code"], unique=False
    )
    op.bulk_insert(
        admitted,
        [
            {
                "kind": kind,
                "title": title,
                "reference": reference,
                "legal_basis": BASIS,
                "department_code": department,
                "frequency": frequency,
                "fields": fields,
                "minutes_per_task": minutes,
                "admitted_on": date(2026, 1, 1),
            }
            for kind, title, reference, department, frequency, fields, minutes in ADMITTED
        ],
    )


def downgrade() -> None:
    op.drop_table("proxy_services")
    op.drop_table("lifecycle_rule_sets")
    op.drop_table("life_events")
    op.drop_table("family_links")
    op.drop_table("diversion_reports")
    op.drop_table("data_needs")
    op.drop_table("admitted_task_types")
