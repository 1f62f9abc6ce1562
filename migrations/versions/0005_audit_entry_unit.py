"""audit entries: the unit each belongs to, so that an admin sees the log of their part of the tree

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00

The entries written before this revision get their unit from the object they describe, as the models now say
it (``scope_unit_id``): a unit is its own, an account its unit, a session its host unit, an invitation, a
submission, a turn, a response or a document its session's host unit, a commitment its responsible unit, a token
its owner's unit. An entry whose object is gone keeps no unit: the district's admin (the tree's top) still sees it,
and so does an admin whose part of the tree the person who acted belongs to.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# object_type -> the SELECT of the unit of the object ``audit_entries.object_id``.
_SESSION_HOST = "SELECT s.host_unit_id FROM dialogue_sessions s JOIN {table} o ON o.session_id = s.id WHERE o.id = audit_entries.object_id"
BACKFILL = {
    "units": "SELECT u.id FROM units u WHERE u.id = audit_entries.object_id",
    "users": "SELECT u.unit_id FROM users u WHERE u.id = audit_entries.object_id",
    "api_tokens": (
        "SELECT u.unit_id FROM users u JOIN api_tokens t ON t.user_id = u.id WHERE t.id = audit_entries.object_id"
    ),
    "dialogue_sessions": "SELECT s.host_unit_id FROM dialogue_sessions s WHERE s.id = audit_entries.object_id",
    "invitations": _SESSION_HOST.format(table="invitations"),
    "questions": _SESSION_HOST.format(table="questions"),
    "speakers": _SESSION_HOST.format(table="speakers"),
    "responses": _SESSION_HOST.format(table="responses"),
    "document_drafts": _SESSION_HOST.format(table="document_drafts"),
    "published_documents": _SESSION_HOST.format(table="published_documents"),
    "commitments": "SELECT c.unit_id FROM commitments c WHERE c.id = audit_entries.object_id",
}


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entries_unit_id'), ['unit_id'], unique=False)
    for object_type, unit_of in BACKFILL.items():
        op.execute(
            sa.text(f"UPDATE audit_entries SET unit_id = ({unit_of}) WHERE object_type = :object_type").bindparams(
                object_type=object_type
            )
        )


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_unit_id'))
        batch_op.drop_column('unit_id')
