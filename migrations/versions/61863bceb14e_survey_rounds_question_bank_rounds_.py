"""survey rounds: question bank, rounds, single-use links, anonymous answers

The survey tables refer to no pupil, case or respondent: an answer holds its question and the
chosen option only, and a link only the SHA-256 of its token and whether it was used.

Revision ID: 61863bceb14e
Revises: a07b279b2e19
Create Date: 2026-12-02 06:55:58.154077

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '61863bceb14e'
down_revision = 'a07b279b2e19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('audience', sa.Enum('professionals', 'ouders', 'jongeren', 'beleid', name='audience', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('theme', sa.String(length=32), nullable=False),
    sa.Column('topic', sa.String(length=60), nullable=True),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('scale', sa.Enum('mark', 'agree', 'yes_no', name='scale', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('indicator_key', sa.String(length=64), nullable=True),
    sa.Column('source_ref', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_survey_question_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question'))
    )
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_question_region_id'), ['region_id'], unique=False)

    op.create_table('survey_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=9), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', name='roundstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_survey_round_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_survey_round_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_round'))
    )
    with op.batch_alter_table('survey_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_round_region_id'), ['region_id'], unique=False)

    op.create_table('survey_round_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('bank_question_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.Enum('professionals', 'ouders', 'jongeren', 'beleid', name='audience', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('theme', sa.String(length=32), nullable=False),
    sa.Column('topic', sa.String(length=60), nullable=True),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('scale', sa.Enum('mark', 'agree', 'yes_no', name='scale', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('indicator_key', sa.String(length=64), nullable=True),
    sa.Column('source_ref', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['bank_question_id'], ['survey_question.id'], name=op.f('fk_survey_round_question_bank_question_id_survey_question')),
    sa.ForeignKeyConstraint(['round_id'], ['survey_round.id'], name=op.f('fk_survey_round_question_round_id_survey_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_round_question'))
    )
    with op.batch_alter_table('survey_round_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_round_question_round_id'), ['round_id'], unique=False)

    op.create_table('survey_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('professionals', 'ouders', 'jongeren', 'beleid', name='audience', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['survey_round.id'], name=op.f('fk_survey_token_round_id_survey_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_token_token_hash'))
    )
    with op.batch_alter_table('survey_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_token_round_id'), ['round_id'], unique=False)

    op.create_table('survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['survey_round_question.id'], name=op.f('fk_survey_answer_question_id_survey_round_question')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer'))
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_question_id'), ['question_id'], unique=False)



def downgrade():
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answer_question_id'))

    op.drop_table('survey_answer')
    with op.batch_alter_table('survey_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_token_round_id'))

    op.drop_table('survey_token')
    with op.batch_alter_table('survey_round_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_round_question_round_id'))

    op.drop_table('survey_round_question')
    with op.batch_alter_table('survey_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_round_region_id'))

    op.drop_table('survey_round')
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_question_region_id'))

    op.drop_table('survey_question')
