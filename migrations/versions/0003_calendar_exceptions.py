"""calendar exceptions: the office's days off and make-up working days (one per date)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 19:53:57.784224

"""
from alembic import op
import sqlalchemy as sa
import dialogue.core.db_types


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', dialogue.core.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('day_off', 'working_day')", name=op.f('ck_calendar_exceptions_kind_allowed')),
    sa.CheckConstraint("note <> '' AND length(note) <= 300", name=op.f('ck_calendar_exceptions_note_length')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calendar_exceptions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_exceptions')),
    sa.UniqueConstraint('day', name='uq_calendar_exceptions_day')
    )


def downgrade():
    op.drop_table('calendar_exceptions')
