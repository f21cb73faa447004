"""saved assessments: versioned strategy assessments of levelscope.design

Revision ID: 0002
Revises: 0001
Created: 2026-11-23 10:13:29.732415
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import levelscope.records.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "design_assessments",
        sa.Column("place_code", sa.String(length=20), nullable=False),
        sa.Column("strategy", sa.String(length=300), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("framework_version", sa.String(length=20), nullable=False),
        sa.Column("overall", sa.Float(), nullable=False),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.Column("context_json", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", levelscope.records.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", levelscope.records.db.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", levelscope.records.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "place_code", "strategy", "revision", name="uq_design_assessment_revision"
        ),
    )
    with op.batch_alter_table("design_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_design_assessments_place_code"), ["place_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("design_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_design_assessments_place_code"))
    op.drop_table("design_assessments")
