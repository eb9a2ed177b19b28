"""The indexes the monitor's period filters use, on the tables of the case records.

They live here, beside the queries that need them (app/monitor/populations.py, outcomes.py),
rather than on each model: no other code filters on these dates. Each one serves a range
`date column BETWEEN first AND last` of one region's records (docs/monitor.md, "Indexes").
"""

import sqlalchemy as sa

from app.cases.models import Arrangement, CasePlan, CaseTransition, Evaluation, MdoMeeting, Referral
from app.escalation.models import Escalation, ThuiszitterEpisode

MONITOR_INDEXES = (
    sa.Index("ix_mdo_meeting_held_at", MdoMeeting.held_at),
    sa.Index("ix_case_transition_at", CaseTransition.at),
    sa.Index("ix_referral_answered_at", Referral.answered_at),
    sa.Index("ix_referral_started_on", Referral.started_on),
    sa.Index("ix_arrangement_starts_on", Arrangement.starts_on),
    sa.Index("ix_case_plan_drawn_up_on", CasePlan.drawn_up_on),
    sa.Index("ix_evaluation_held_on", Evaluation.held_on),
    sa.Index("ix_escalation_opened_at", Escalation.opened_at),
    sa.Index("ix_thuiszitter_episode_started_on", ThuiszitterEpisode.started_on),
)
