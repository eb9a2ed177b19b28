"""Survey rounds: the coordinator's screens under /monitor/enquetes (rounds, the region's
question bank, the report and its exports) and the respondent's questionnaire at
/enquete/<token>, which needs no account: the single-use link is the only key.

A link that is unknown, used, or of a round that is not open gets one and the same page, so
the answer tells nothing about which it was.
"""

import base64
from datetime import date
from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from app.audit import services as audit
from app.auth import permissions
from app.extensions import db, limiter
from app.monitor.indicators import BY_KEY
from app.monitor.periods import SCHOOL_YEAR, Period, Window, current
from app.monitor.survey import exports, report, services
from app.monitor.survey.forms import (
    ButtonForm,
    OpenRoundForm,
    QuestionForm,
    RoundForm,
    field_name,
    response_form,
)
from app.monitor.survey.models import (
    AUDIENCE_LABELS,
    SCALE_LABELS,
    STATUS_LABELS,
    RoundStatus,
    SurveyQuestion,
    SurveyRound,
)
from app.monitor.survey.services import SurveyError
from app.org.models import Region

bp = Blueprint("survey", __name__, template_folder="../templates")
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Failed link look-ups per address: guessing a 192-bit token is hopeless anyway, this keeps
# the attempt cheap to refuse. Answers that are stored do not count.
RESPOND_LIMIT = "20/minute"


@bp.context_processor
def labels():
    return {"AUDIENCE_LABELS": AUDIENCE_LABELS, "SCALE_LABELS": SCALE_LABELS,
            "STATUS_LABELS": STATUS_LABELS, "INDICATORS": BY_KEY}


def coordinator_only(view):
    @wraps(view)
    @login_required
    def checked(*args, **kwargs):
        if not permissions.can_run_surveys(current_user):
            abort(403)
        return view(*args, **kwargs)

    return checked


def _region_or_404(region_id: int) -> Region:
    region = db.session.get(Region, region_id)
    if region is None or not permissions.can_run_surveys(current_user, region.id):
        abort(404)
    return region


def _round_or_404(round_id: int) -> SurveyRound:
    survey_round = db.session.get(SurveyRound, round_id)
    if survey_round is None:
        abort(404)
    _region_or_404(survey_round.region_id)
    return survey_round


def _question_or_404(question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None:
        abort(404)
    _region_or_404(question.region_id)
    return question


def _school_years() -> list[Period]:
    """The school years of the monitor's window: the measured side exists for those."""
    return [p for p in Window.ending(date.today()).periods() if p.kind == SCHOOL_YEAR]


# --- rounds ----------------------------------------------------------------------------------


@bp.get("/monitor/enquetes/")
@coordinator_only
def index():
    regions = list(db.session.scalars(
        sa.select(Region).where(Region.id.in_(permissions.survey_region_ids(current_user)))
        .order_by(Region.name)))
    rounds = db.session.scalars(
        sa.select(SurveyRound).where(SurveyRound.region_id.in_([r.id for r in regions]))
        .order_by(SurveyRound.period.desc(), SurveyRound.id.desc())).all()
    return render_template("survey/index.html", regions=regions, rounds=rounds)


@bp.route("/monitor/enquetes/regio/<int:region_id>/nieuw", methods=["GET", "POST"])
@coordinator_only
def round_new(region_id: int):
    region = _region_or_404(region_id)
    form = RoundForm()
    years = _school_years()
    form.periode.choices = {p.label: p.title for p in reversed(years)}
    if not form.is_submitted():
        form.periode.data = current(SCHOOL_YEAR, date.today()).label
    if form.validate_on_submit():
        survey_round = services.create_round(region, form.periode.data, form.title.data,
                                             current_user)
        flash("De ronde is aangemaakt. Kies hoeveel links elke groep krijgt en open de ronde.",
              "success")
        return redirect(url_for("survey.round", round_id=survey_round.id))
    return render_template("survey/form.html", form=form, title=f"Nieuwe enquêteronde, "
                           f"{region.name}", submit="Ronde aanmaken",
                           back=url_for("survey.index")), 422 if form.errors else 200


def _round_page(survey_round: SurveyRound, open_form=None, status: int = 200):
    links = services.link_counts(survey_round.id)
    preview = (services.active_questions(survey_round.region_id)
               if survey_round.status == RoundStatus.draft else {})
    return render_template(
        "survey/round.html", round=survey_round, links=links, preview=preview,
        open_form=open_form or OpenRoundForm(formdata=None), button=ButtonForm(formdata=None),
        report=report.report(survey_round)), status


@bp.get("/monitor/enquetes/<int:round_id>", endpoint="round")
@coordinator_only
def round_detail(round_id: int):
    return _round_page(_round_or_404(round_id))


@bp.post("/monitor/enquetes/<int:round_id>/openen")
@coordinator_only
def round_open(round_id: int):
    survey_round = _round_or_404(round_id)
    if survey_round.status != RoundStatus.draft:
        flash("Deze ronde is al geopend; de links worden maar één keer getoond.", "error")
        return redirect(url_for("survey.round", round_id=round_id))
    form = OpenRoundForm()
    if not form.validate():
        return _round_page(survey_round, form, 422)
    try:
        tokens = services.open_round(survey_round, form.counts(), current_user)
    except SurveyError as exc:
        (form[exc.field].errors if exc.field in form else form.form_errors).append(str(exc))
        return _round_page(survey_round, form, 422)
    links = {audience: [url_for("survey.respond", token=t, _external=True) for t in found]
             for audience, found in tokens.items()}
    data = base64.b64encode(exports.links_csv(links).encode("utf-8")).decode("ascii")
    return render_template("survey/links.html", round=survey_round, links=links,
                           csv_data=f"data:text/csv;charset=utf-8;base64,{data}")


@bp.post("/monitor/enquetes/<int:round_id>/sluiten")
@coordinator_only
def round_close(round_id: int):
    survey_round = _round_or_404(round_id)
    if ButtonForm().validate():
        try:
            services.close_round(survey_round, current_user)
        except SurveyError as exc:
            flash(str(exc), "error")
        else:
            flash("De ronde is gesloten. De links werken niet meer; de uitslag staat hieronder.",
                  "success")
    return redirect(url_for("survey.round", round_id=round_id))


@bp.get("/monitor/enquetes/<int:round_id>/export")
@coordinator_only
def round_export(round_id: int):
    survey_round = _round_or_404(round_id)
    kind = request.args.get("formaat", "csv")
    if kind not in FORMATS:
        abort(400)
    found = report.report(survey_round)
    if found is None:
        flash("De uitslag is er zodra de ronde gesloten is.", "error")
        return redirect(url_for("survey.round", round_id=round_id))
    body = (exports.csv_text(found).encode("utf-8") if kind == "csv"
            else exports.xlsx_bytes(found))
    audit.record_access("export", object_type="survey_round", object_id=survey_round.id,
                        detail=f"{survey_round.region.code} {survey_round.period} {kind}")
    name = exports.filename(survey_round, kind)
    return Response(body, mimetype=FORMATS[kind],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- the question bank -----------------------------------------------------------------------


@bp.get("/monitor/enquetes/regio/<int:region_id>/vragen")
@coordinator_only
def bank(region_id: int):
    region = _region_or_404(region_id)
    return render_template("survey/bank.html", region=region,
                           questions=services.bank_of(region.id), button=ButtonForm())


@bp.post("/monitor/enquetes/regio/<int:region_id>/vragen/standaard")
@coordinator_only
def bank_seed(region_id: int):
    region = _region_or_404(region_id)
    if ButtonForm().validate():
        added = services.seed_bank(region, current_user)
        flash(f"{added} standaardvragen toegevoegd." if added
              else "De vragenbank heeft al vragen; er is niets toegevoegd.",
              "success" if added else "info")
    return redirect(url_for("survey.bank", region_id=region.id))


def _question_page(form, title: str, region: Region):
    return render_template("survey/form.html", form=form, title=title, submit="Opslaan",
                           back=url_for("survey.bank", region_id=region.id),
                           reconstructed=True), 422 if form.errors else 200


@bp.route("/monitor/enquetes/regio/<int:region_id>/vragen/nieuw", methods=["GET", "POST"])
@coordinator_only
def question_new(region_id: int):
    region = _region_or_404(region_id)
    form = QuestionForm()
    if form.validate_on_submit():
        services.add_question(region, form.data_object(), current_user)
        flash("De vraag is toegevoegd. Nieuwe rondes stellen haar; gehouden rondes niet.",
              "success")
        return redirect(url_for("survey.bank", region_id=region.id))
    return _question_page(form, "Vraag toevoegen", region)


@bp.route("/monitor/enquetes/vragen/<int:question_id>", methods=["GET", "POST"])
@coordinator_only
def question_edit(question_id: int):
    question = _question_or_404(question_id)
    form = QuestionForm()
    if not form.is_submitted():
        for name in ("theme", "topic", "text", "position", "active"):
            form[name].data = getattr(question, name)
        form.audience.data = question.audience.value
        form.scale.data = question.scale.value
        form.indicator_key.data = question.indicator_key or ""
    if form.validate_on_submit():
        services.update_question(question, form.data_object(), current_user)
        flash("De vraag is gewijzigd. Rondes die al geopend zijn houden hun eigen vragen.",
              "success")
        return redirect(url_for("survey.bank", region_id=question.region_id))
    region = db.session.get(Region, question.region_id)
    return _question_page(form, "Vraag wijzigen", region)


# --- the respondent --------------------------------------------------------------------------


def _unavailable():
    return render_template("survey/unavailable.html"), 404


@bp.route("/enquete/<token>", methods=["GET", "POST"])
@limiter.limit(RESPOND_LIMIT, key_func=get_remote_address,
               deduct_when=lambda response: response.status_code >= 400)
def respond(token: str):
    found = services.invitation(token)
    if found is None:
        return _unavailable()
    form = response_form(found.questions)
    if form.validate_on_submit():
        answers = {q.id: form[field_name(q)].data for q in found.questions}
        if not services.submit(token, answers):
            return _unavailable()
        return render_template("survey/thanks.html")
    fields = [(q, form[field_name(q)]) for q in found.questions]
    return render_template("survey/respond.html", invitation=found, form=form,
                           fields=fields), 422 if form.errors else 200
