"""The region's escalation ladder (tiers with their SLA and decider) and the thresholds of the
automatic escalation rules: list, add, change."""

from flask import abort, render_template, request, url_for

from app.escalation import ladder, services
from app.escalation.forms import ThresholdsForm, TierForm
from app.escalation.models import EscalationTier
from app.escalation.rules import RULES
from app.extensions import db
from app.org import queries
from app.org.views.blueprint import admin, bp, form_page


def _ladder_screen(region, title: str, submit: str = "Opslaan") -> dict:
    return {"title": title, "back": url_for("org.ladder", region_id=region.id),
            "back_label": f"Terug naar de escalatieladder van {region.name}", "submit": submit}


def _tier_data(form) -> ladder.TierData:
    return ladder.TierData(form.level.data, form.name.data or "", form.sla_days.data,
                           form.decider.data or "")


def _tier_or_404(tier_id: int) -> EscalationTier:
    tier = db.session.get(EscalationTier, tier_id)
    if tier is None:
        abort(404)
    queries.region_or_404(tier.region_id, admin())
    return tier


@bp.get("/regions/<int:region_id>/escalation", endpoint="ladder")
def ladder_index(region_id: int):
    region = queries.region_or_404(region_id, admin())
    return render_template("org/ladder.html", region=region,
                           tiers=services.tiers_of(region.id), rules=RULES.values())


@bp.route("/regions/<int:region_id>/escalation/tiers/new", methods=["GET", "POST"])
def tier_new(region_id: int):
    region = queries.region_or_404(region_id, admin())
    form = TierForm()
    if not form.is_submitted():
        tiers = services.tiers_of(region.id)
        form.level.data = (tiers[-1].level + 1) if tiers else 1

    def save():
        ladder.create_tier(region, _tier_data(form))
        return url_for("org.ladder", region_id=region.id)

    return form_page(form, save, f"Trede {form.name.data} is toegevoegd.",
                     **_ladder_screen(region, "Trede toevoegen"))


@bp.route("/escalation/tiers/<int:tier_id>/edit", methods=["GET", "POST"])
def tier_edit(tier_id: int):
    tier = _tier_or_404(tier_id)
    form = TierForm(obj=tier if request.method == "GET" else None)

    def save():
        ladder.update_tier(tier, _tier_data(form))
        return url_for("org.ladder", region_id=tier.region_id)

    return form_page(form, save, "De trede is gewijzigd.",
                     **_ladder_screen(tier.region, f"Trede {tier.name} wijzigen"))


@bp.route("/regions/<int:region_id>/escalation/rules", methods=["GET", "POST"])
def escalation_rules(region_id: int):
    region = queries.region_or_404(region_id, admin())
    form = ThresholdsForm(obj=region if request.method == "GET" else None)

    def save():
        ladder.update_thresholds(region, {r.threshold_field: form[r.threshold_field].data
                                          for r in RULES.values()})
        return url_for("org.ladder", region_id=region.id)

    return form_page(form, save, "De drempels van de escalatieregels zijn opgeslagen.",
                     **_ladder_screen(region, f"Regio {region.name}: escalatieregels"))
