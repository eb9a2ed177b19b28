"""escalation queue: region_id, queue_rank and a partial index in queue order

The coordinator's queue sorted every open escalation of the region per page view (300 ms at
1M cases). Now each escalation carries its region and its rank in the queue (thuiszitter or
not, deadline or not; kept by the flush hook in app/escalation/services.py), and a partial
index over the open ones is the queue's order. The resolved_at index becomes partial: as a full
index SQLite chose it for "resolved_at IS NULL" and then sorted anyway. The due_on index had no
query of its own left. And the inbox gets an index in its order (user, newest first).

Revision ID: a07b279b2e19
Revises: 842556968108
Create Date: 2026-12-02 06:51:17.662662

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a07b279b2e19'
down_revision = '842556968108'
branch_labels = None
depends_on = None

OPEN = sa.text('resolved_at IS NULL')
RESOLVED = sa.text('resolved_at IS NOT NULL')

# The rank of the existing rows, the same rule as app.escalation.models.queue_rank.
FILL = """
UPDATE escalation SET
  region_id = (SELECT school.region_id FROM pupil_case JOIN school ON school.id = pupil_case.school_id
               WHERE pupil_case.id = escalation.case_id),
  queue_rank = (CASE WHEN reason = 'thuiszitter' OR EXISTS (
                       SELECT 1 FROM thuiszitter_episode e
                       WHERE e.case_id = escalation.case_id AND e.ended_on IS NULL)
                     THEN 0 ELSE 2 END)
               + (CASE WHEN due_on IS NULL THEN 1 ELSE 0 END)
"""


def upgrade():
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('queue_rank', sa.SmallInteger(), nullable=True))
    op.execute(FILL)
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.alter_column('region_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('queue_rank', existing_type=sa.SmallInteger(), nullable=False)
        batch_op.create_check_constraint('queue_rank', 'queue_rank BETWEEN 0 AND 3')
        batch_op.create_foreign_key(batch_op.f('fk_escalation_region_id_region'), 'region',
                                    ['region_id'], ['id'])
        batch_op.drop_index(batch_op.f('ix_escalation_due_on'))
        batch_op.drop_index(batch_op.f('ix_escalation_resolved_at'))
        batch_op.create_index('ix_escalation_resolved_at', ['resolved_at'], unique=False,
                              sqlite_where=RESOLVED, postgresql_where=RESOLVED)
        batch_op.create_index('ix_escalation_open_queue',
                              ['region_id', 'queue_rank', 'due_on', 'opened_at', 'id'],
                              unique=False, sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_notification_user_inbox', 'notification', ['user_id', 'created_at', 'id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_notification_user_inbox', table_name='notification')
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index('ix_escalation_open_queue')
        batch_op.drop_index('ix_escalation_resolved_at')
        batch_op.create_index(batch_op.f('ix_escalation_resolved_at'), ['resolved_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_due_on'), ['due_on'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_escalation_region_id_region'),
                                 type_='foreignkey')
        batch_op.drop_constraint('queue_rank', type_='check')
        batch_op.drop_column('queue_rank')
        batch_op.drop_column('region_id')
