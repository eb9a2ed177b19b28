"""Accounts and their roles, limited to the admin's region(s)."""

from flask import abort, flash, redirect, render_template, request, url_for

from app.auth import permissions
from app.auth import services as accounts
from app.auth.models import Membership, Role
from app.extensions import db
from app.org import forms, queries
from app.org.models import Organisation, School
from app.org.views.blueprint import admin, bp, form_page, page_number

SEARCH_MAX = 100


@bp.get("/users")
def users():
    role = request.args.get("role") or None
    if role is not None and role not in Role.__members__:
        abort(400)
    search = (request.args.get("q") or "").strip()[:SEARCH_MAX]
    page = queries.users_page(admin(), page_number(), Role(role) if role else None, search)
    return render_template("org/users.html", page=page, role=role, search=search,
                           roles=list(Role), region_ids=permissions.admin_region_ids(admin()))


def _membership_form(form_class):
    region_ids = permissions.admin_region_ids(admin())
    return forms.membership_form(form_class, queries.schools_of(region_ids),
                                 queries.organisations_of(region_ids))


def _role_and_home(form):
    """The chosen role and its school or organisation; only homes in the admin's region(s)."""
    kind, home_id = form.home_ref()
    home = db.session.get(School if kind == "school" else Organisation, home_id)
    if home is None or not permissions.can_manage(admin(), home):
        abort(404)
    return Role(form.role.data), home


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = _membership_form(forms.UserForm)

    def save():
        role, home = _role_and_home(form)
        user = accounts.register_user(form.email.data, form.name.data, form.password.data,
                                      form.job_title.data, role, home)
        return url_for("org.user", user_id=user.id)

    return form_page(form, save, f"Het account van {form.name.data} is aangemaakt.",
                     title="Gebruiker toevoegen", back=url_for("org.users"),
                     back_label="Terug naar gebruikers", submit="Account aanmaken")


def _user_screen(user) -> dict:
    mine = [m for m in user.memberships if permissions.can_manage(admin(), m)]
    return {"user": user, "memberships": mine, "elsewhere": len(user.memberships) - len(mine)}


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    user = queries.user_or_404(user_id, admin())
    return render_template("org/user.html", form=_membership_form(forms.MembershipForm),
                           **_user_screen(user))


@bp.post("/users/<int:user_id>/memberships")
def membership_add(user_id: int):
    user = queries.user_or_404(user_id, admin())
    form = _membership_form(forms.MembershipForm)

    def save():
        accounts.add_membership(user, *_role_and_home(form))
        return url_for("org.user", user_id=user.id)

    return form_page(form, save, "De rol is toegevoegd.", template="org/user.html",
                     **_user_screen(user))


@bp.post("/memberships/<int:membership_id>/remove")
def membership_remove(membership_id: int):
    membership = queries.managed_or_404(Membership, membership_id, admin())
    user_id = membership.user_id
    try:
        accounts.remove_membership(membership, admin())
    except accounts.AccountError as exc:
        flash(str(exc), "error")
    else:
        flash("De rol is ingetrokken.", "success")
    return redirect(url_for("org.user", user_id=user_id))


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int):
    user = queries.user_or_404(user_id, admin())
    if not permissions.can_set_user_active(admin(), user):
        abort(403)
    accounts.deactivate_user(user, admin())
    flash(f"Het account van {user.name} is inactief. Open sessies zijn beëindigd.", "success")
    return redirect(url_for("org.user", user_id=user.id))


@bp.post("/users/<int:user_id>/reactivate")
def user_reactivate(user_id: int):
    user = queries.user_or_404(user_id, admin())
    if not permissions.can_set_user_active(admin(), user):
        abort(403)
    accounts.reactivate_user(user)
    flash(f"Het account van {user.name} is weer actief.", "success")
    return redirect(url_for("org.user", user_id=user.id))
