"""The MDO: plan it, record how it went, print the minutes for the parents, and the owners'
task list ("Mijn taken") of the actions it decided."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.audit import services as audit
from app.auth import permissions
from app.auth.models import User
from app.cases import queries, services
from app.cases.forms.mdo import (
    DISCIPLINE_LABELS,
    PARENT_LABELS,
    PARENT_MINUTES,
    PUPIL_LABELS,
    PUPIL_MINUTES,
    ActionDoneForm,
    HoldMdoForm,
    PlanMdoForm,
)
from app.cases.models import (
    Case,
    MdoAction,
    MdoMeeting,
    MdoParticipant,
    ParentParticipation,
    PupilVoice,
)
from app.cases.services import mdo as mdo_services
from app.cases.views.blueprint import bp, conflict, deny, detail_section, stale, user, version
from app.extensions import db
from app.filters import AMSTERDAM

TASKS_PER_PAGE = 25


def _labels():
    return {"DISCIPLINE_LABELS": DISCIPLINE_LABELS, "PARENT_LABELS": PARENT_LABELS,
            "PUPIL_LABELS": PUPIL_LABELS}


def _meetings(case) -> list[MdoMeeting]:
    # The section shows the people by name: their memberships are not loaded with them.
    return db.session.scalars(
        sa.select(MdoMeeting).where(MdoMeeting.case_id == case.id)
        .options(
            so.joinedload(MdoMeeting.chair).lazyload(User.memberships),
            so.selectinload(MdoMeeting.participants).options(
                so.joinedload(MdoParticipant.user).lazyload(User.memberships),
                so.joinedload(MdoParticipant.organisation)),
            so.selectinload(MdoMeeting.actions).joinedload(MdoAction.owner)
            .lazyload(User.memberships),
        )
        .order_by(MdoMeeting.id)
    ).all()


def _consent_status(case, meeting) -> dict[int, bool]:
    """Per external organisation of `meeting`: does a valid consent (or meldcode) cover it?"""
    meldcode = bool((case.meldcode_justification or "").strip())
    return {org_id: meldcode or case.valid_consent_for(org_id, date.today()) is not None
            for org_id in meeting.external_organisation_ids()}


@detail_section
def mdo_section(case, user, forms) -> dict:
    meetings = _meetings(case)
    planned = next((m for m in reversed(meetings) if m.held_at is None), None)
    covered = _consent_status(case, planned) if planned else {}
    return {"mdo": {
        "planned": planned, "covered": covered, "uncovered": not all(covered.values()),
        "today": date.today(),
        "held": [m for m in reversed(meetings) if m.held_at is not None],
        "can_plan": permissions.can_plan_mdo(user, case),
        "can_record": planned is not None and permissions.can_record_mdo(user, case, planned),
        **_labels(),
    }}


# --- plan --------------------------------------------------------------------------------------


@bp.route("/<int:case_id>/mdo/plan", methods=["GET", "POST"])
def mdo_plan(case_id: int):
    case = queries.case_or_404(case_id, user())
    meeting = case.planned_mdo
    form = PlanMdoForm() if request.method == "POST" else PlanMdoForm(
        formdata=None, data=_plan_defaults(case, meeting))
    options = {o.key: o for o in mdo_services.invitee_options(case, date.today())}
    form.chair_id.choices = {"": "Kies de voorzitter"} | {
        str(u.id): u.name for u in mdo_services.case_team(case)}
    form.invitees.choices = {key: o.label for key, o in options.items()}
    if request.method == "POST" and stale(form.version.data, case):
        return conflict(case_id, form)
    if not permissions.can_plan_mdo(current_user, case):
        deny(case, "mdo_plan")
    if request.method == "GET":
        audit.record_access("read", case, permissions.case_access(current_user, case))
        return _plan_page(case, meeting, form, options)
    if not form.validate():
        return _plan_page(case, meeting, form, options, 422)
    plan = mdo_services.MdoPlan(
        mdo_services.local_to_utc(form.planned_on.data, form.planned_time.data),
        int(form.chair_id.data), [options[key] for key in form.invitees.data],
    )
    try:
        if meeting is None:
            mdo_services.schedule_mdo(user(), case, version(form.version.data), plan)
        else:
            mdo_services.reschedule_mdo(user(), case, meeting, version(form.version.data), plan)
    except services.CaseConflict:
        return conflict(case_id, form)
    except services.CaseError as exc:
        _error_at(form, exc)
        return _plan_page(case, meeting, form, options, 422)
    flash("Het MDO is gepland en de genodigden hebben bericht gekregen." if meeting is None
          else "De planning van het MDO is bijgewerkt.", "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="kop-mdo"))


def _plan_defaults(case, meeting) -> dict:
    if meeting is None:
        return {"version": case.version, "chair_id": str(user().id)}
    local = meeting.planned_at.astimezone(AMSTERDAM)
    return {
        "version": case.version, "planned_on": local.date(), "planned_time": local.time(),
        "chair_id": str(meeting.chair_id or ""),
        "invitees": [mdo_services.participant_key(p) for p in meeting.participants
                     if p.discipline.value != "school"],
    }


def _plan_page(case, meeting, form, options, status=200):
    meldcode = bool((case.meldcode_justification or "").strip())
    covered = {key: meldcode or o.organisation_id is None
               or case.valid_consent_for(o.organisation_id, date.today()) is not None
               for key, o in options.items()}
    return render_template("cases/mdo_plan.html", case=case, meeting=meeting, form=form,
                           covered=covered, general_errors=form.form_errors), status


def _error_at(form, exc) -> None:
    """Show a service's refusal at its field, or above the form."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


# --- hold --------------------------------------------------------------------------------------


def _meeting_or_404(case, meeting_id: int) -> MdoMeeting:
    meeting = db.session.get(MdoMeeting, meeting_id)
    if meeting is None or meeting.case_id != case.id:
        abort(404)
    return meeting


@bp.route("/<int:case_id>/mdo/<int:meeting_id>/hold", methods=["GET", "POST"])
def mdo_hold(case_id: int, meeting_id: int):
    case = queries.case_or_404(case_id, user())
    meeting = _meeting_or_404(case, meeting_id)
    form = HoldMdoForm() if request.method == "POST" else HoldMdoForm(
        formdata=None, data={"version": case.version, **_hold_defaults(meeting)})
    owners = mdo_services.action_owners(case, meeting)
    form.present.choices = {str(p.id): _participant_label(p) for p in meeting.participants}
    for _, owner, _ in form.action_rows():
        owner.choices = {"": "Kies wie"} | {str(u.id): u.name for u in owners}
    if request.method == "POST" and stale(form.version.data, case):
        return conflict(case_id, form)
    if not permissions.can_record_mdo(current_user, case, meeting):
        deny(case, "mdo_record")
    if request.method == "GET":
        audit.record_access("read", case, permissions.case_access(current_user, case))
        return _hold_page(case, meeting, form)
    if not form.validate():
        return _hold_page(case, meeting, form, 422)
    try:
        mdo_services.record_mdo(user(), case, meeting, version(form.version.data),
                                _record(form))
    except services.CaseConflict:
        return conflict(case_id, form)
    except services.CaseError as exc:
        _error_at(form, exc)
        return _hold_page(case, meeting, form, 422)
    flash("Het MDO is vastgelegd. De eigenaars van de acties hebben bericht gekregen.", "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="kop-mdo"))


def _hold_defaults(meeting) -> dict:
    local = meeting.planned_at.astimezone(AMSTERDAM)
    return {"held_on": min(local.date(), date.today()), "held_time": local.time()}


def _record(form) -> mdo_services.MdoRecord:
    return mdo_services.MdoRecord(
        held_at=mdo_services.local_to_utc(form.held_on.data, form.held_time.data),
        present_ids={int(i) for i in form.present.data or []},
        parents=ParentParticipation(form.parents.data), parents_reason=form.parents_reason.data,
        pupil_voice=PupilVoice(form.pupil_voice.data), pupil_reason=form.pupil_reason.data,
        minutes=form.minutes.data,
        actions=[mdo_services.ActionData(text, int(owner), due, row)
                 for row, text, owner, due in form.actions()],
    )


def _participant_label(participant) -> str:
    who = participant.user.name if participant.user else None
    where = participant.organisation.name if participant.organisation else None
    name = " – ".join(x for x in (who, where) if x) or "De school"
    return f"{name} ({DISCIPLINE_LABELS[participant.discipline]})"


def _hold_page(case, meeting, form, status=200):
    return render_template("cases/mdo_hold.html", case=case, meeting=meeting, form=form,
                           general_errors=form.form_errors), status


# --- minutes -----------------------------------------------------------------------------------


@bp.get("/<int:case_id>/mdo/<int:meeting_id>/verslag")
def mdo_minutes(case_id: int, meeting_id: int):
    case = queries.case_or_404(case_id, user())
    if _meeting_or_404(case, meeting_id).held_at is None:
        abort(404)
    audit.record_access("print", case, permissions.case_access(current_user, case),
                        object_type="mdo_meeting", object_id=meeting_id)
    # Loaded after the access log's commit, which expires what was loaded before.
    meeting = next(m for m in _meetings(case) if m.id == meeting_id)
    return render_template(
        "cases/mdo_minutes.html", case=case, meeting=meeting,
        held_time=meeting.held_at.astimezone(AMSTERDAM).strftime("%H:%M"),
        present=[p for p in meeting.participants if p.present],
        absent=[p for p in meeting.participants if not p.present],
        parents_text=PARENT_MINUTES[meeting.parents] if meeting.parents else None,
        pupil_text=PUPIL_MINUTES[meeting.pupil_voice] if meeting.pupil_voice else None,
        **_labels(),
    )


# --- task list ---------------------------------------------------------------------------------


def _open_actions(user_id: int):
    return sa.and_(MdoAction.owner_id == user_id, MdoAction.done_at.is_(None))


def _visible_case_ids(me) -> list[int]:
    """Cases with an open action of `me` that `me` may still see (the same rule as the case
    page), checked in a fixed number of queries however many cases there are."""
    case_ids = db.session.scalars(
        sa.select(MdoAction.case_id).where(_open_actions(me.id)).distinct()).all()
    cases = db.session.scalars(
        sa.select(Case).where(Case.id.in_(case_ids)).options(
            so.selectinload(Case.referrals), so.selectinload(Case.consents),
            so.selectinload(Case.mdo_meetings).selectinload(MdoMeeting.participants),
            so.joinedload(Case.school, innerjoin=True),
        )
    ).unique().all()
    return [c.id for c in cases if permissions.can_view_case(me, c)]


@dataclass(frozen=True)
class Task:
    id: int
    case_id: int
    description: str
    due_on: date
    reference: str
    initials: str
    case_version: int
    held_at: datetime | None


@bp.get("/tasks")
def tasks():
    if not permissions.can_see_tasks(current_user):
        abort(403)
    me = user()
    page = db.paginate(
        sa.select(MdoAction)
        .where(_open_actions(me.id), MdoAction.case_id.in_(_visible_case_ids(me)))
        # Inner joins (every action has its case and meeting): an outer join around the
        # case's own inner join to its pupil makes SQLite materialise every case first.
        .options(so.joinedload(MdoAction.case, innerjoin=True),
                 so.joinedload(MdoAction.meeting, innerjoin=True))
        .order_by(MdoAction.due_on, MdoAction.id),
        page=request.args.get("page", 1, type=int), per_page=TASKS_PER_PAGE,
        max_per_page=TASKS_PER_PAGE, error_out=False,
    )
    # Read before the access log commits (which expires the loaded rows).
    rows = [Task(a.id, a.case_id, a.description, a.due_on, a.case.pupil.reference,
                 a.case.pupil.initials, a.case.version, a.meeting.held_at) for a in page.items]
    audit.record_access("list", object_type="task_list",
                        detail=f"pagina={page.page} treffers={page.total}")
    return render_template("cases/mdo_tasks.html", page=page, rows=rows, today=date.today())


@bp.post("/<int:case_id>/actions/<int:action_id>/done")
def action_done(case_id: int, action_id: int):
    case = queries.case_or_404(case_id, user())
    action = db.session.get(MdoAction, action_id)
    if action is None or action.case_id != case.id:
        abort(404)
    form = ActionDoneForm()
    if stale(form.version.data, case):
        return conflict(case_id, form)
    if not permissions.can_complete_action(current_user, case, action):
        deny(case, "mdo_action_done")
    back = (url_for("cases.tasks") if form.back.data == "tasks"
            else url_for("cases.detail", case_id=case.id, _anchor="kop-mdo"))
    try:
        mdo_services.complete_action(user(), case, action, version(form.version.data))
    except services.CaseConflict:
        return conflict(case_id, form)
    except services.CaseError as exc:
        flash(str(exc), "error")
        return redirect(back)
    flash("De actie is afgerond.", "success")
    return redirect(back)


@bp.app_context_processor
def _task_count():
    return {"open_task_count": _open_task_count}


def _open_task_count() -> int | None:
    """The number beside "Mijn taken" in the menu: one COUNT on the owner index."""
    if not current_user.is_authenticated:
        return None
    try:
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(MdoAction).where(
                _open_actions(current_user.id)))
    except SQLAlchemyError:
        # The error pages use the menu too: a broken transaction must not break them as well.
        current_app.logger.warning("open task count unavailable", exc_info=True)
        return None
