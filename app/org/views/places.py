"""Region settings, municipalities, schools and organisations of the admin's region(s)."""

from datetime import date

from flask import render_template, url_for

from app.org import forms, queries, services
from app.org.models import Municipality, Organisation, OrganisationKind, PartnerType, School, Sector
from app.org.views.blueprint import admin, bp, form_page, page_number


def _screen(title: str, back: str, back_label: str, submit: str = "Opslaan") -> dict:
    return {"title": title, "back": back, "back_label": back_label, "submit": submit}


@bp.route("/regions/<int:region_id>/edit", methods=["GET", "POST"])
def region_edit(region_id: int):
    region = queries.region_or_404(region_id, admin())
    form = forms.region_form(region)

    def save():
        services.update_region(region, services.RegionSettings(
            form.name.data, form.referral_answer_days.data, form.reopen_within_years.data,
            form.retention_youth_care_years.data, form.retention_school_years.data,
            form.suppression_threshold.data or region.suppression_threshold))
        return url_for("org.index")

    return form_page(form, save, "De instellingen van de regio zijn opgeslagen.",
                     **_screen(f"Regio {region.name}: instellingen", url_for("org.index"),
                               "Terug naar beheer"))


# --- municipalities ---------------------------------------------------------------------------


@bp.get("/regions/<int:region_id>/municipalities")
def municipalities(region_id: int):
    region = queries.region_or_404(region_id, admin())
    page = queries.municipalities_page(region, page_number())
    return render_template("org/municipalities.html", region=region, page=page)


def _municipalities_screen(region, title: str) -> dict:
    return _screen(title, url_for("org.municipalities", region_id=region.id),
                   f"Terug naar de gemeenten van {region.name}")


@bp.route("/regions/<int:region_id>/municipalities/new", methods=["GET", "POST"])
def municipality_new(region_id: int):
    region = queries.region_or_404(region_id, admin())
    form = forms.municipality_form()

    def save():
        services.create_municipality(region, form.name.data)
        return url_for("org.municipalities", region_id=region.id)

    return form_page(form, save, f"Gemeente {form.name.data} is toegevoegd.",
                     **_municipalities_screen(region, "Gemeente toevoegen"))


@bp.route("/municipalities/<int:municipality_id>/edit", methods=["GET", "POST"])
def municipality_edit(municipality_id: int):
    municipality = queries.managed_or_404(Municipality, municipality_id, admin())
    form = forms.municipality_form(municipality)

    def save():
        services.rename_municipality(municipality, form.name.data)
        return url_for("org.municipalities", region_id=municipality.region_id)

    return form_page(form, save, "De gemeente is gewijzigd.",
                     **_municipalities_screen(municipality.region,
                                              f"Gemeente {municipality.name} wijzigen"))


# --- schools ----------------------------------------------------------------------------------


@bp.get("/regions/<int:region_id>/schools")
def schools(region_id: int):
    region = queries.region_or_404(region_id, admin())
    page = queries.schools_page(region, page_number())
    return render_template("org/schools.html", region=region, page=page,
                           youth_care=PartnerType.jeugdhulp)


@bp.get("/schools/<int:school_id>")
def school(school_id: int):
    school = queries.school_with_contacts(school_id, admin())
    return render_template("org/school.html", school=school, today=date.today())


def _school_data(form) -> services.SchoolData:
    return services.SchoolData(form.brin.data, form.name.data, Sector(form.sector.data),
                               form.municipality_id.data)


@bp.route("/regions/<int:region_id>/schools/new", methods=["GET", "POST"])
def school_new(region_id: int):
    region = queries.region_or_404(region_id, admin())
    form = forms.school_form(queries.municipalities_of(region.id))

    def save():
        school = services.create_school(region, _school_data(form))
        return url_for("org.school", school_id=school.id)

    return form_page(form, save, f"School {form.name.data} is toegevoegd.",
                     **_screen("School toevoegen", url_for("org.schools", region_id=region.id),
                               f"Terug naar de scholen van {region.name}"))


@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
def school_edit(school_id: int):
    school = queries.managed_or_404(School, school_id, admin())
    form = forms.school_form(queries.municipalities_of(school.region_id), school)

    def save():
        services.update_school(school, _school_data(form))
        return url_for("org.school", school_id=school.id)

    back = url_for("org.school", school_id=school.id)
    return form_page(form, save, "De school is gewijzigd.",
                     **_screen(f"{school.name} wijzigen", back, f"Terug naar {school.name}"))


# --- organisations ----------------------------------------------------------------------------


@bp.get("/regions/<int:region_id>/organisations")
def organisations(region_id: int):
    region = queries.region_or_404(region_id, admin())
    page = queries.organisations_page(region, page_number())
    return render_template("org/organisations.html", region=region, page=page)


def _organisation_data(form) -> services.OrganisationData:
    return services.OrganisationData(form.name.data, OrganisationKind(form.kind.data),
                                     form.municipality_id.data)


def _organisations_screen(region, title: str) -> dict:
    return _screen(title, url_for("org.organisations", region_id=region.id),
                   f"Terug naar de organisaties van {region.name}")


@bp.route("/regions/<int:region_id>/organisations/new", methods=["GET", "POST"])
def organisation_new(region_id: int):
    region = queries.region_or_404(region_id, admin())
    form = forms.organisation_form(queries.municipalities_of(region.id))

    def save():
        services.create_organisation(region, _organisation_data(form))
        return url_for("org.organisations", region_id=region.id)

    return form_page(form, save, f"Organisatie {form.name.data} is toegevoegd.",
                     **_organisations_screen(region, "Organisatie toevoegen"))


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def organisation_edit(organisation_id: int):
    organisation = queries.managed_or_404(Organisation, organisation_id, admin())
    form = forms.organisation_form(queries.municipalities_of(organisation.region_id), organisation)

    def save():
        services.update_organisation(organisation, _organisation_data(form))
        return url_for("org.organisations", region_id=organisation.region_id)

    return form_page(form, save, "De organisatie is gewijzigd.",
                     **_organisations_screen(organisation.region,
                                             f"{organisation.name} wijzigen"))
