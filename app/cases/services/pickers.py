"""Bounded choice lists for the forms of the case page. A region has hundreds of youth
professionals and organisations; a <select> with all of them on every case page made the page
cost grow with the region (docs/performance.md). A picker offers the people or organisations
already on the case and the school's fixed contacts, plus the matches of a search by name."""

from dataclasses import dataclass

import sqlalchemy as sa

from app.cases.models import (
    Arrangement,
    Consent,
    MdoMeeting,
    MdoParticipant,
    Referral,
    ReferralStatus,
)
from app.extensions import db
from app.params import is_id

# Matches shown per search; more than this asks for a longer search term.
SEARCH_LIMIT = 20
SEARCH_MAX_LENGTH = 64


@dataclass(frozen=True)
class Found:
    """The result of a picker search: the matching ids (at most SEARCH_LIMIT, in display order)
    and whether there were more."""

    term: str
    ids: list[int]
    more: bool


def search_term(raw: str | None) -> str | None:
    """The search as typed, with runs of spaces made one and cut to a sane length."""
    text = " ".join((raw or "").split())[:SEARCH_MAX_LENGTH]
    return text or None


def matching(term: str, *columns) -> sa.ColumnElement[bool]:
    """Case-insensitive "contains" on any of `columns`, LIKE's wildcards taken literally."""
    escaped = term.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return sa.or_(*(sa.func.lower(c).like(f"%{escaped}%", escape="\\") for c in columns))


def found(term: str, ids: list[int]) -> Found:
    """`ids` as fetched with a limit of SEARCH_LIMIT + 1."""
    return Found(term, ids[:SEARCH_LIMIT], len(ids) > SEARCH_LIMIT)


def submitted_ids(*raw: str | None) -> set[int]:
    """The ids a posted form chose, so the picker accepts them when they are eligible; anything
    that is no id is left out (the form then says the choice is not in the list)."""
    return {int(r) for r in raw if r and is_id(r)}


def people_on_case(case_id: int) -> set[int]:
    """Users on the case's records: the receiver of a referral that was not declined or passed
    on, and everyone with an MDO seat. One statement, whatever the section that asks first has
    loaded of the case."""
    return _ids(
        sa.select(Referral.to_user_id).where(
            Referral.case_id == case_id,
            Referral.status.not_in((ReferralStatus.declined, ReferralStatus.redirected))),
        sa.select(MdoParticipant.user_id).join(MdoParticipant.meeting)
        .where(MdoMeeting.case_id == case_id),
    )


def organisations_on_case(case_id: int) -> set[int]:
    """Organisations on the case's records: consents, referrals, MDO seats, arrangements."""
    return _ids(
        sa.select(Consent.recipient_organisation_id).where(Consent.case_id == case_id),
        sa.select(Referral.to_organisation_id).where(Referral.case_id == case_id),
        sa.select(MdoParticipant.organisation_id).join(MdoParticipant.meeting)
        .where(MdoMeeting.case_id == case_id),
        sa.select(Arrangement.provider_organisation_id).where(Arrangement.case_id == case_id),
    )


def _ids(*selects) -> set[int]:
    return set(db.session.scalars(sa.union(*selects))) - {None}
