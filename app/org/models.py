"""Regions, municipalities, schools, partner organisations and each school's fixed contacts."""

import enum
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import enum_column


class Sector(enum.Enum):
    po = "po"
    sbo = "sbo"
    so = "so"
    vso = "vso"
    vo = "vo"
    mbo = "mbo"


SECTOR_LABELS = {
    Sector.po: "Primair onderwijs (PO)",
    Sector.sbo: "Speciaal basisonderwijs (SBO)",
    Sector.so: "Speciaal onderwijs (SO)",
    Sector.vso: "Voortgezet speciaal onderwijs (VSO)",
    Sector.vo: "Voortgezet onderwijs (VO)",
    Sector.mbo: "Middelbaar beroepsonderwijs (MBO)",
}


class OrganisationKind(enum.Enum):
    wijkteam = "wijkteam"
    jeugdhulpaanbieder = "jeugdhulpaanbieder"
    leerplicht = "leerplicht"
    jgz = "jgz"
    samenwerkingsverband = "samenwerkingsverband"


ORGANISATION_KIND_LABELS = {
    OrganisationKind.wijkteam: "Wijkteam",
    OrganisationKind.jeugdhulpaanbieder: "Jeugdhulpaanbieder",
    OrganisationKind.leerplicht: "Leerplicht",
    OrganisationKind.jgz: "Jeugdgezondheidszorg (JGZ)",
    OrganisationKind.samenwerkingsverband: "Samenwerkingsverband (SWV)",
}


class PartnerType(enum.Enum):
    """Which partner a school's fixed contact person represents."""

    jeugdhulp = "jeugdhulp"
    leerplicht = "leerplicht"
    jgz = "jgz"
    swv = "swv"


PARTNER_TYPE_LABELS = {
    PartnerType.jeugdhulp: "Jeugdhulp (J&G-coach / wijkteam)",
    PartnerType.leerplicht: "Leerplicht",
    PartnerType.jgz: "Jeugdgezondheidszorg",
    PartnerType.swv: "Samenwerkingsverband",
}


class Region(db.Model):
    __tablename__ = "region"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    # Days a referral may stay unanswered before it is overdue (DESIGN §4; used by later rules).
    referral_answer_days: so.Mapped[int] = so.mapped_column(default=10)
    # Years a closed case may still be reopened (the trust issue refines retention per record).
    reopen_within_years: so.Mapped[int] = so.mapped_column(default=2)
    # Retention after closure: the Jeugdwet keeps youth-care files 20 years after the end of care;
    # a school-only case (no youth care involved) is kept much shorter.
    retention_youth_care_years: so.Mapped[int] = so.mapped_column(default=20, server_default="20")
    retention_school_years: so.Mapped[int] = so.mapped_column(default=2, server_default="2")
    # Thresholds of the automatic escalation rules (app/escalation/rules.py), per region.
    escalation_referral_days: so.Mapped[int] = so.mapped_column(default=14, server_default="14")
    escalation_waiting_weeks: so.Mapped[int] = so.mapped_column(default=6, server_default="6")
    escalation_thuiszitter_weeks: so.Mapped[int] = so.mapped_column(default=4,
                                                                    server_default="4")
    escalation_no_regie_days: so.Mapped[int] = so.mapped_column(default=10, server_default="10")
    escalation_evaluation_days: so.Mapped[int] = so.mapped_column(default=30,
                                                                  server_default="30")
    # The monitor hides every figure built on fewer records than this (small-cell
    # suppression, app/monitor/suppression.py): the statistics offices' "rule of 10".
    suppression_threshold: so.Mapped[int] = so.mapped_column(default=10, server_default="10")

    municipalities: so.Mapped[list["Municipality"]] = so.relationship(
        back_populates="region", order_by="Municipality.name"
    )

    def __str__(self) -> str:
        return self.name


class Municipality(db.Model):
    __tablename__ = "municipality"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("region.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))

    region: so.Mapped[Region] = so.relationship(back_populates="municipalities")

    __table_args__ = (sa.UniqueConstraint("region_id", "name"),)

    def __str__(self) -> str:
        return self.name


class School(db.Model):
    __tablename__ = "school"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    municipality_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("municipality.id"), index=True
    )
    # Denormalised from the municipality: every scoping query filters on it.
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("region.id"), index=True)
    brin: so.Mapped[str] = so.mapped_column(sa.String(6), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(160))
    sector: so.Mapped[Sector] = so.mapped_column(enum_column(Sector, length=8))

    municipality: so.Mapped[Municipality] = so.relationship()
    region: so.Mapped[Region] = so.relationship()
    contacts: so.Mapped[list["SchoolContact"]] = so.relationship(
        back_populates="school", order_by="SchoolContact.valid_from.desc()"
    )

    def __str__(self) -> str:
        return self.name

    def contact_for(self, partner_type: PartnerType, on: date | None = None):
        """The school's valid fixed contact for a partner type on a date, or None."""
        on = on or date.today()
        for contact in self.contacts:
            if contact.partner_type == partner_type and contact.is_valid_on(on):
                return contact
        return None


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("region.id"), index=True)
    municipality_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("municipality.id"))
    name: so.Mapped[str] = so.mapped_column(sa.String(160))
    kind: so.Mapped[OrganisationKind] = so.mapped_column(enum_column(OrganisationKind))

    region: so.Mapped[Region] = so.relationship()
    municipality: so.Mapped[Municipality | None] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("region_id", "name"),)

    def __str__(self) -> str:
        return self.name


class SchoolContact(db.Model):
    """The vaste contactpersoon of a school for one partner, with a deputy and a validity period."""

    __tablename__ = "school_contact"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    school_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("school.id"), index=True)
    partner_type: so.Mapped[PartnerType] = so.mapped_column(enum_column(PartnerType))
    organisation_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organisation.id"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"), index=True)
    deputy_user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("app_user.id"))
    valid_from: so.Mapped[date]
    valid_to: so.Mapped[date | None]

    school: so.Mapped[School] = so.relationship(back_populates="contacts")
    organisation: so.Mapped[Organisation | None] = so.relationship()
    user: so.Mapped["User"] = so.relationship(foreign_keys=[user_id])  # noqa: F821
    deputy: so.Mapped["User | None"] = so.relationship(foreign_keys=[deputy_user_id])  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_period"),
        sa.CheckConstraint("deputy_user_id IS NULL OR deputy_user_id <> user_id", name="deputy"),
    )

    def is_valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)
