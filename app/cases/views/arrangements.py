"""The arrangement of a case (its own page, for a new one or to change the current one), its
section on the case page, and the plans recorded there."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.audit import services as audit
from app.auth import permissions
from app.cases import queries, services
from app.cases.forms.arrangements import arrangement_form, plan_form
from app.cases.models import ARRANGEMENT_KIND_LABELS, PLAN_KIND_LABELS
from app.cases.services import arrangements
from app.cases.views.blueprint import (
    bp,
    conflict,
    deny,
    detail_section,
    stale,
    submit_case_form,
    user,
    version,
)


@detail_section
def arrangement_section(case, user, forms) -> dict:
    plan = forms.get("plan")
    if plan is None and permissions.can_record_plan(user, case):
        plan = plan_form(case)
    return {"arrangement_part": {
        "kinds": ARRANGEMENT_KIND_LABELS, "funding": arrangements.FUNDING_LABELS,
        "plan_kinds": PLAN_KIND_LABELS, "plan_form": plan, "today": date.today(),
        "can_add": permissions.can_record_arrangement(user, case)
        and arrangements.may_record_arrangement(case),
        "overdue": arrangements.evaluation_overdue,
        "integral_hint": arrangements.needs_integral_hint,
        "integral_hint_text": arrangements.INTEGRAL_HINT,
    }}


@bp.route("/<int:case_id>/arrangement/new", methods=["GET", "POST"])
def arrangement_new(case_id: int):
    return _arrangement_page(queries.case_or_404(case_id, user()), None)


@bp.route("/<int:case_id>/arrangement/edit", methods=["GET", "POST"])
def arrangement_edit(case_id: int):
    case = queries.case_or_404(case_id, user())
    if case.current_arrangement is None:
        abort(404)
    return _arrangement_page(case, case.current_arrangement)


def _arrangement_page(case, arrangement):
    action = "arrangement:update" if arrangement is not None else "arrangement:create"
    providers = arrangements.providers(case)
    if request.method == "GET":
        if not permissions.can_record_arrangement(current_user, case):
            deny(case, action)
        if not arrangements.may_record_arrangement(case):
            flash(arrangements.NOT_NOW, "warning")
            return redirect(url_for("cases.detail", case_id=case.id))
        audit.record_access("read", case, permissions.case_access(current_user, case))
        return _page(case, arrangement_form(case, providers, arrangement), arrangement)
    form = arrangement_form(case, providers, formdata=request.form)
    if stale(form.version.data, case):
        return conflict(case.id, form)
    if not permissions.can_record_arrangement(current_user, case):
        deny(case, action)
    if not form.validate():
        return _page(case, form, arrangement, 422)
    try:
        arrangements.record_arrangement(user(), case, version(form.version.data),
                                        _arrangement_data(form), arrangement)
    except services.CaseConflict:
        return conflict(case.id, form)
    except services.CaseError as exc:
        if exc.field and exc.field in form:
            form[exc.field].errors = [*form[exc.field].errors, str(exc)]
        else:
            flash(str(exc), "error")
        return _page(case, form, arrangement, 422)
    flash("Het arrangement is vastgelegd." if arrangement is None
          else "Het arrangement is bijgewerkt.", "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="kop-arrangement"))


def _page(case, form, arrangement, status=200):
    return render_template("cases/arrangement_form.html", case=case, form=form,
                           arrangement=arrangement), status


def _arrangement_data(form) -> arrangements.ArrangementData:
    provider = form.provider_organisation_id.data
    return arrangements.ArrangementData(
        kind=form.kind.data, provider_organisation_id=int(provider) if provider else None,
        funding=form.funding.data or None, goal_school=form.goal_school.data,
        goal_thuis=form.goal_thuis.data, goal_wijk=form.goal_wijk.data,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        evaluation_due=form.evaluation_due.data,
    )


@bp.post("/<int:case_id>/plans")
def plan_new(case_id: int):
    case = queries.case_or_404(case_id, user())
    form = plan_form(case, formdata=request.form)

    def save(expected: int) -> None:
        data = arrangements.PlanData(
            kind=form.kind.data, drawn_up_on=form.drawn_up_on.data, summary=form.summary.data,
            names_home=form.names_home.data, names_school=form.names_school.data,
        )
        arrangements.record_plan(user(), case, expected, data)

    return submit_case_form(case, form, "plan",
                            allowed=permissions.can_record_plan(current_user, case),
                            action="plan:create", save=save, success="Het plan is vastgelegd.",
                            anchor="kop-arrangement")
