"""A school's fixed contact persons (vaste contactpersonen): add, change, end."""

from datetime import date

from flask import url_for

from app.filters import nl_date
from app.org import forms, queries, services
from app.org.models import PartnerType, School
from app.org.views.blueprint import admin, bp, form_page


def _contact_form(school, contact=None):
    return forms.contact_form(queries.staff_of_region(school.region_id),
                              queries.organisations_of({school.region_id}), contact)


def _contact_data(form) -> services.ContactData:
    return services.ContactData(
        partner_type=PartnerType(form.partner_type.data), user_id=form.user_id.data,
        deputy_user_id=form.deputy_user_id.data, organisation_id=form.organisation_id.data,
        valid_from=form.valid_from.data, valid_to=form.valid_to.data,
    )


def _school_screen(school, title: str, submit: str = "Opslaan") -> dict:
    return {"title": title, "back": url_for("org.school", school_id=school.id),
            "back_label": f"Terug naar {school.name}", "submit": submit}


@bp.route("/schools/<int:school_id>/contacts/new", methods=["GET", "POST"])
def contact_new(school_id: int):
    school = queries.managed_or_404(School, school_id, admin())
    form = _contact_form(school)

    def save():
        services.create_contact(school, _contact_data(form))
        return url_for("org.school", school_id=school.id)

    return form_page(form, save, "De contactpersoon is toegevoegd.",
                     **_school_screen(school, f"Contactpersoon voor {school.name} toevoegen"))


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def contact_edit(contact_id: int):
    contact = queries.contact_or_404(contact_id, admin())
    form = _contact_form(contact.school, contact)

    def save():
        services.update_contact(contact, _contact_data(form))
        return url_for("org.school", school_id=contact.school_id)

    return form_page(form, save, "De contactpersoon is gewijzigd.",
                     **_school_screen(contact.school, f"Contactpersoon {contact.user.name} "
                                                      "wijzigen"))


@bp.route("/contacts/<int:contact_id>/end", methods=["GET", "POST"])
def contact_end(contact_id: int):
    contact = queries.contact_or_404(contact_id, admin())
    form = forms.end_contact_form(contact, date.today())

    def save():
        services.end_contact(contact, form.valid_to.data)
        return url_for("org.school", school_id=contact.school_id)

    return form_page(form, save, f"{contact.user.name} is contactpersoon tot en met "
                                 f"{nl_date(form.valid_to.data)}.",
                     **_school_screen(contact.school, f"Contactpersoon {contact.user.name} "
                                                      "beëindigen", submit="Beëindigen"))
