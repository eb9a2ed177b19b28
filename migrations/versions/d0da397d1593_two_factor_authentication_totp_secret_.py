"""Two-factor authentication: TOTP secret, enrolment time and last accepted step per user

Existing accounts get no secret: their next login asks them to set up an authenticator app
before anything else is reachable.

Revision ID: d0da397d1593
Revises: fa16ebba503b
Create Date: 2026-11-22 08:52:21.142078

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd0da397d1593'
down_revision = 'fa16ebba503b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('totp_enrolled_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enrolled_at')
        batch_op.drop_column('totp_secret')
