"""monitor freshness: a token per region, renewed with every change the monitor counts

The monitor reuses a region's figures while its token is unchanged (app/monitor/freshness.py).
Regions that exist already get a first token, so their figures can be reused from the start.

Revision ID: 0ef92640453b
Revises: 61863bceb14e
Create Date: 2026-12-02 07:00:01.319506

"""
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0ef92640453b'
down_revision = '61863bceb14e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monitor_freshness',
    sa.Column('region_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('region_id', name=op.f('pk_monitor_freshness'))
    )
    op.execute(sa.text(
        "INSERT INTO monitor_freshness (region_id, token, changed_at) "
        "SELECT id, :token, :now FROM region"
    ).bindparams(sa.bindparam("token", secrets.token_hex(16)),
                 sa.bindparam("now", datetime.now(UTC), type_=sa.DateTime(timezone=True))))


def downgrade():
    op.drop_table('monitor_freshness')
