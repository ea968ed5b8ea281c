"""Initial maturity assessment schema.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mm_assessment",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("join_token", sa.String(64), nullable=False, unique=True),
        sa.Column("facilitator_token", sa.String(64), nullable=False, unique=True),
        sa.Column("series_token", sa.String(64), nullable=False, index=True),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("area_code", sa.String(16), nullable=True),
        sa.Column("strategy", sa.String(200), nullable=False, server_default=""),
        sa.Column("assessment_date", sa.Date, nullable=True),
        sa.Column("facilitator", sa.String(120), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "mm_participant",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("mm_assessment.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "mm_rating",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("mm_assessment.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("mm_participant.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("criterion_id", sa.String(16), nullable=False),
        sa.Column("rating", sa.String(16), nullable=True),
        sa.Column("evidence", sa.Text, nullable=False, server_default=""),
        sa.Column("links", sa.Text, nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("participant_id", "criterion_id", name="uq_mm_rating_pc"),
    )
    op.create_table(
        "mm_consensus",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("mm_assessment.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("criterion_id", sa.String(16), nullable=False),
        sa.Column("rating", sa.String(16), nullable=True),
        sa.Column("evidence", sa.Text, nullable=False, server_default=""),
        sa.Column("links", sa.Text, nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("assessment_id", "criterion_id", name="uq_mm_consensus_ac"),
    )


def downgrade() -> None:
    op.drop_table("mm_consensus")
    op.drop_table("mm_rating")
    op.drop_table("mm_participant")
    op.drop_table("mm_assessment")
