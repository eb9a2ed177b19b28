"""Wie zit waar (blueprint `directory`, /wie-zit-waar): per school of the user's region(s) the
vaste contactpersoon of each partner today, with the deputy. For every role, not only admins."""

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from app.auth import permissions
from app.org import queries
from app.org.models import PARTNER_TYPE_LABELS, SECTOR_LABELS, PartnerType, Sector
from app.params import id_arg

PAGE_SIZE = 25

bp = Blueprint("directory", "app.org", url_prefix="/wie-zit-waar", template_folder="templates")


@bp.before_request
@login_required
def require_membership():
    if not permissions.can_see_directory(current_user):
        abort(403)


@bp.get("/")
def index():
    regions = permissions.directory_region_ids(current_user)
    sector = request.args.get("sector") or None
    if sector is not None and sector not in Sector.__members__:
        abort(400)
    municipality_id = id_arg("municipality")
    without = request.args.get("without_youth_care") == "1"
    today = date.today()
    page = queries.directory_page(
        regions, request.args.get("page", 1, type=int), PAGE_SIZE, today,
        municipality_id=municipality_id, sector=Sector(sector) if sector else None,
        without_contact=PartnerType.jeugdhulp if without else None,
    )
    return render_template(
        "org/directory.html", page=page, today=today,
        municipalities=queries.municipalities_in(regions), municipality_id=municipality_id,
        sector=sector, without=without, youth_care=PartnerType.jeugdhulp,
        PARTNER_TYPE_LABELS=PARTNER_TYPE_LABELS, SECTOR_LABELS=SECTOR_LABELS,
    )
