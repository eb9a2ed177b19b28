"""Reads for the admin screens, always scoped to the administrator's own region(s)."""

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from app.auth import permissions
from app.auth.models import Membership, Role, User
from app.extensions import db
from app.org.models import Municipality, Organisation, Region, School, SchoolContact

PAGE_SIZE = 50
# A region with more schools than this offers them per municipality in a school picker (the
# escalation queue's filter, the monitor's scope): a <select> of thousands of schools is slow
# to build and of no use to anyone.
SCHOOL_LIST_MAX = 200


def region_or_404(region_id: int, admin) -> Region:
    region = db.session.get(Region, region_id)
    if region is None or not permissions.can_manage_region(admin, region.id):
        abort(404)
    return region


def managed_or_404(model, object_id: int, admin):
    """A municipality, school, organisation or membership of the admin's region(s); else 404."""
    obj = db.session.get(model, object_id)
    if obj is None or not permissions.can_manage(admin, obj):
        abort(404)
    return obj


def contact_or_404(contact_id: int, admin) -> SchoolContact:
    contact = db.session.get(SchoolContact, contact_id)
    if contact is None or not permissions.can_manage(admin, contact.school):
        abort(404)
    return contact


def user_or_404(user_id: int, admin) -> User:
    user = db.session.get(User, user_id)
    if user is None or not permissions.can_manage_user(admin, user):
        abort(404)
    return user


def managed_regions(admin) -> list[Region]:
    ids = permissions.admin_region_ids(admin)
    query = sa.select(Region).where(Region.id.in_(ids)).order_by(Region.name)
    return list(db.session.scalars(query))


def municipalities_page(region: Region, page: int):
    query = (sa.select(Municipality).where(Municipality.region_id == region.id)
             .order_by(Municipality.name))
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)


def schools_page(region: Region, page: int):
    query = (
        sa.select(School).where(School.region_id == region.id)
        .options(so.joinedload(School.municipality),
                 so.selectinload(School.contacts).joinedload(SchoolContact.user))
        .order_by(School.name)
    )
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)


def organisations_page(region: Region, page: int):
    query = (sa.select(Organisation).where(Organisation.region_id == region.id)
             .options(so.joinedload(Organisation.municipality)).order_by(Organisation.name))
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)


def school_with_contacts(school_id: int, admin) -> School:
    school = db.session.scalar(
        sa.select(School).where(School.id == school_id)
        .options(so.joinedload(School.municipality),
                 so.selectinload(School.contacts).options(
                     so.joinedload(SchoolContact.user), so.joinedload(SchoolContact.deputy),
                     so.joinedload(SchoolContact.organisation)))
    )
    if school is None or not permissions.can_manage(admin, school):
        abort(404)
    return school


def users_page(admin, page: int, role: Role | None = None, search: str | None = None):
    """Accounts with a membership (of `role`, if given) in the admin's region(s)."""
    in_region = Membership.region_id.in_(permissions.admin_region_ids(admin))
    if role is not None:
        in_region = sa.and_(in_region, Membership.role == role)
    query = sa.select(User).where(User.memberships.any(in_region))
    if search:
        query = query.where(sa.or_(User.name.icontains(search, autoescape=True),
                                   User.email.icontains(search, autoescape=True)))
    return db.paginate(query.order_by(User.name, User.id), page=page, per_page=PAGE_SIZE,
                       error_out=False)


# --- choices for the forms --------------------------------------------------------------------


def municipalities_of(region_id: int) -> list[Municipality]:
    return list(db.session.scalars(
        sa.select(Municipality).where(Municipality.region_id == region_id)
        .order_by(Municipality.name)
    ))


def organisations_of(region_ids) -> list[Organisation]:
    return list(db.session.scalars(
        sa.select(Organisation).where(Organisation.region_id.in_(region_ids))
        .order_by(Organisation.name)
    ))


def schools_of(region_ids) -> list[School]:
    return list(db.session.scalars(
        sa.select(School).where(School.region_id.in_(region_ids)).order_by(School.name)
    ))


def staff_of_region(region_id: int) -> list[User]:
    """Active accounts with a membership in the region: who may be a school's contact person."""
    return list(db.session.scalars(
        sa.select(User)
        .where(User.active, User.memberships.any(Membership.region_id == region_id))
        .order_by(User.name)
    ))


# --- wie zit waar: the contact persons of the schools of the user's region(s) ---------------


def directory_page(region_ids, page: int, per_page: int, today, *, municipality_id=None,
                   sector=None, without_contact=None):
    """Schools of `region_ids` with all their contacts loaded (the template picks today's);
    `without_contact` (a PartnerType) keeps only schools with no valid contact of that type."""
    query = (
        sa.select(School).where(School.region_id.in_(region_ids))
        .options(so.joinedload(School.municipality),
                 so.selectinload(School.contacts).options(
                     so.joinedload(SchoolContact.user), so.joinedload(SchoolContact.deputy),
                     so.joinedload(SchoolContact.organisation)))
        .order_by(School.name, School.id)
    )
    if municipality_id is not None:
        query = query.where(School.municipality_id == municipality_id)
    if sector is not None:
        query = query.where(School.sector == sector)
    if without_contact is not None:
        query = query.where(~sa.exists().where(
            SchoolContact.school_id == School.id, SchoolContact.partner_type == without_contact,
            SchoolContact.valid_from <= today,
            sa.or_(SchoolContact.valid_to.is_(None), SchoolContact.valid_to >= today),
        ))
    return db.paginate(query, page=page, per_page=per_page, max_per_page=per_page,
                       error_out=False)


def municipalities_in(region_ids) -> list[Municipality]:
    return list(db.session.scalars(
        sa.select(Municipality).where(Municipality.region_id.in_(region_ids))
        .order_by(Municipality.name)
    ))
