"""evaluation.due_on: the evaluation date an evaluation answered

Continuing an arrangement overwrites its evaluation date with the next one, so the monitor's
"evaluations on time" could not tell the first round's due date. New evaluations store it;
older rows stay empty and the monitor derives their date as before (app/monitor/outcomes.py).

Revision ID: ea5f68880ee8
Revises: 73d447ddefe0
Create Date: 2026-12-02 08:58:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ea5f68880ee8'
down_revision = '73d447ddefe0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_column('due_on')
