"""monitor snapshot: the latest stored computation per region and threshold

`flask monitor warm` stores a region's whole monitor computation under its token, so that a
view after a change reads it instead of counting (app/monitor/snapshots.py). Aggregates only.

Revision ID: 73d447ddefe0
Revises: 0ef92640453b
Create Date: 2026-12-02 07:53:44.461066

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '73d447ddefe0'
down_revision = '0ef92640453b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monitor_snapshot',
    sa.Column('region_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('threshold', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'],
                            name=op.f('fk_monitor_snapshot_region_id_region'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_id', 'threshold', name=op.f('pk_monitor_snapshot'))
    )


def downgrade():
    op.drop_table('monitor_snapshot')
