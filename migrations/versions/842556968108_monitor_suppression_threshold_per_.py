"""monitor: suppression threshold per region, indexes on the period dates

The monitor hides figures built on fewer records than the region's threshold (default 10, a
server default so existing regions get it). Its queries filter each record type on one date
column per period (held_at, answered_at, started_on, starts_on, drawn_up_on, held_on,
opened_at, case_transition.at, thuiszitter started_on): plain B-tree indexes on those, declared
in app/monitor/models.py. No data is changed.

Revision ID: 842556968108
Revises: 5ef6346406d1
Create Date: 2026-12-02 04:47:48.453471

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '842556968108'
down_revision = '5ef6346406d1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('arrangement', schema=None) as batch_op:
        batch_op.create_index('ix_arrangement_starts_on', ['starts_on'], unique=False)

    with op.batch_alter_table('case_plan', schema=None) as batch_op:
        batch_op.create_index('ix_case_plan_drawn_up_on', ['drawn_up_on'], unique=False)

    with op.batch_alter_table('case_transition', schema=None) as batch_op:
        batch_op.create_index('ix_case_transition_at', ['at'], unique=False)

    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index('ix_escalation_opened_at', ['opened_at'], unique=False)

    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_held_on', ['held_on'], unique=False)

    with op.batch_alter_table('mdo_meeting', schema=None) as batch_op:
        batch_op.create_index('ix_mdo_meeting_held_at', ['held_at'], unique=False)

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_answered_at', ['answered_at'], unique=False)
        batch_op.create_index('ix_referral_started_on', ['started_on'], unique=False)

    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suppression_threshold', sa.Integer(), server_default='10', nullable=False))

    with op.batch_alter_table('thuiszitter_episode', schema=None) as batch_op:
        batch_op.create_index('ix_thuiszitter_episode_started_on', ['started_on'], unique=False)


def downgrade():
    with op.batch_alter_table('thuiszitter_episode', schema=None) as batch_op:
        batch_op.drop_index('ix_thuiszitter_episode_started_on')

    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_column('suppression_threshold')

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_started_on')
        batch_op.drop_index('ix_referral_answered_at')

    with op.batch_alter_table('mdo_meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_mdo_meeting_held_at')

    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_held_on')

    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index('ix_escalation_opened_at')

    with op.batch_alter_table('case_transition', schema=None) as batch_op:
        batch_op.drop_index('ix_case_transition_at')

    with op.batch_alter_table('case_plan', schema=None) as batch_op:
        batch_op.drop_index('ix_case_plan_drawn_up_on')

    with op.batch_alter_table('arrangement', schema=None) as batch_op:
        batch_op.drop_index('ix_arrangement_starts_on')

