"""The monitor dashboard (/monitor) and its downloads. Coordinators see their region in any
scope; school staff see their own school only. Only aggregated, suppressed figures: no pupil
data is shown, nor put in a URL (the pickers send a region code, a period and a scope)."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from app.audit import services as audit
from app.auth import permissions
from app.extensions import db
from app.glossary import ABBREVIATIONS
from app.models import utcnow
from app.monitor import exports, snapshots
from app.monitor.dashboard import panels
from app.monitor.forms import FilterForm
from app.monitor.periods import Period, parse
from app.monitor.queries import Monitor
from app.monitor.scopes import ALL_REGION, MUNICIPALITY, SCHOOL, SECTOR, YOUTH_CARE, Scope
from app.monitor.suppression import explanation
from app.org.models import Region, School

bp = Blueprint("monitor", __name__, url_prefix="/monitor", template_folder="templates")
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.before_request
@login_required
def require_monitor_user():
    if not permissions.can_see_monitor(current_user):
        abort(403)


@dataclass(frozen=True)
class Choice:
    monitor: Monitor
    scope: Scope
    period: Period

    @property
    def params(self) -> dict:
        return {"regio": self.monitor.region.code, "periode": self.period.label,
                "bereik": self.scope.token()}


def _regions() -> list[Region]:
    schools = permissions.monitor_school_ids(current_user)
    ids = permissions.monitor_region_ids(current_user) | set(db.session.scalars(
        sa.select(School.region_id).where(School.id.in_(schools))))
    return list(db.session.scalars(sa.select(Region).where(Region.id.in_(ids))
                                   .order_by(Region.name)))


def _allowed_scopes(monitor: Monitor) -> list[Scope]:
    """A coordinator of the region: every scope. School staff: their own school(s)."""
    layout = monitor.layout
    if monitor.region.id in permissions.monitor_region_ids(current_user):
        return [ALL_REGION, *layout.scopes(SECTOR), *layout.scopes(MUNICIPALITY),
                *layout.scopes(SCHOOL), *layout.scopes(YOUTH_CARE)]
    own = permissions.monitor_school_ids(current_user)
    return [s for s in layout.scopes(SCHOOL) if s.value in own]


def _choose() -> tuple[Choice | None, FilterForm]:
    """The region, scope and period asked for; a region or scope the user may not see is
    refused (404 outside their regions, 403 inside)."""
    regions = _regions()
    code = request.args.get("regio") or regions[0].code
    region = next((r for r in regions if r.code == code), None)
    if region is None:
        abort(404)
    monitor = Monitor(region)
    allowed = _allowed_scopes(monitor)
    form = FilterForm(formdata=request.args)
    form.fill(regions, monitor, allowed)
    if not form.check():
        if form.bereik.errors:
            _refuse_hidden_scope(monitor, form.bereik.data)
        return None, form
    scope = next(s for s in allowed if s.token() == form.bereik.data)
    return Choice(monitor, scope, parse(form.periode.data)), form


def _refuse_hidden_scope(monitor: Monitor, token: str) -> None:
    """A real scope of the region that is not for this user (school staff asking for the
    region or another school) is a refusal, logged by the 403 handler."""
    try:
        monitor.layout.parse(token)
    except ValueError:
        return
    abort(403)


def _figures(choice: Choice, form: FilterForm) -> dict:
    """The page context of one choice, shared by the dashboard and its printable report so
    that both show the same figures (and hand the survey partial the same context)."""
    monitor, period = choice.monitor, choice.period
    previous = period.previous()
    return {"form": form, "choice": choice, "period": period, "previous": previous,
            "has_previous": monitor.covers(previous), "running": period.last >= monitor.today,
            "scope_label": monitor.layout.label(choice.scope),
            "panels": panels(monitor, choice.scope, period),
            "explanation": explanation(monitor.threshold), "stale_note": _stale_note(monitor)}


def _stale_note(monitor: Monitor) -> str | None:
    return snapshots.stale_note(monitor.stale_since) if monitor.stale_since else None


@bp.get("/")
def dashboard():
    choice, form = _choose()
    if choice is None:
        return render_template("monitor/dashboard.html", form=form, choice=None), 400
    return render_template("monitor/dashboard.html", **_figures(choice, form))


@bp.get("/rapport")
def report():
    """The dashboard's figures on a page to print for the OOGO (the meeting of the gemeenten
    and the samenwerkingsverband); printing it is logged like a download."""
    choice, form = _choose()
    if choice is None:
        abort(400)
    figures = _figures(choice, form)
    audit.record_access("print", object_type="monitor",
                        detail=f"{choice.monitor.region.code} {choice.period.label} "
                               f"{choice.scope.token()} rapport")
    return render_template("monitor/report.html", printed_at=utcnow(),
                           threshold=choice.monitor.threshold,
                           abbreviations=sorted(ABBREVIATIONS.items()), **figures)


def export_scopes(choice: Choice) -> list[Scope]:
    """What the dashboard shows: the region with its sectors, or the one scope chosen."""
    if choice.scope == ALL_REGION:
        return [ALL_REGION, *choice.monitor.layout.scopes(SECTOR)]
    return [choice.scope]


@bp.get("/export")
def export():
    kind = request.args.get("formaat", "csv")
    if kind not in FORMATS:
        abort(400)
    choice, _form = _choose()
    if choice is None:
        abort(400)
    monitor = choice.monitor
    cells = monitor.rows(export_scopes(choice), choice.period)
    if kind == "csv":
        body = exports.csv_text(cells).encode("utf-8")
    else:
        title = f"Schakel-monitor, {monitor.region.name}, {choice.period.title}"
        note = _stale_note(monitor)
        body = exports.xlsx_bytes(cells, monitor.threshold,
                                  f"{title}. {note}" if note else title)
    audit.record_access("export", object_type="monitor",
                        detail=f"{monitor.region.code} {choice.period.label} "
                               f"{choice.scope.token()} {kind}: {len(cells)} rijen")
    name = exports.filename(monitor.region.code, choice.period.label, choice.scope.token(),
                            kind, monitor.stale_since)
    return Response(body, mimetype=FORMATS[kind],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
