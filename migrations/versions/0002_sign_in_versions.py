"""sign-in versions: a per-person session version, and tokens made from a personal-link sign-in

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_only", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_api_tokens_link_token_has_version"), "NOT link_only OR session_version IS NOT NULL"
        )


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_link_token_has_version"), type_="check")
        batch_op.drop_column("session_version")
        batch_op.drop_column("link_only")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
