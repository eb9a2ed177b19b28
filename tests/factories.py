"""factory-boy factories for every model: flushed, never committed (the test owns it)."""

from datetime import date, timedelta

import factory
import pyotp
from factory.alchemy import SQLAlchemyModelFactory

from app.auth.models import Membership, Role, User
from app.cases.models import (
    Arrangement,
    ArrangementKind,
    Case,
    CasePlan,
    CaseSignal,
    CaseTransition,
    Consent,
    ConsentGiver,
    Discipline,
    Evaluation,
    EvaluationDecision,
    HandoverStatus,
    MdoAction,
    MdoMeeting,
    MdoParticipant,
    PlanKind,
    Pupil,
    Referral,
    ReferralNote,
    ReferralStatus,
    RegieHandover,
    SignalCategory,
)
from app.cases.workflow import CaseState, EscalationReason
from app.escalation.models import (
    Escalation,
    EscalationTier,
    ThuiszitterEpisode,
    ThuiszitterReason,
)
from app.extensions import db
from app.models import utcnow
from app.notifications.models import Notification
from app.org.models import (
    Municipality,
    Organisation,
    OrganisationKind,
    PartnerType,
    Region,
    School,
    SchoolContact,
    Sector,
)
from tests.conftest import PASSWORD


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 (resolved per test)
        sqlalchemy_session_persistence = "flush"


class RegionFactory(BaseFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"R{n:03d}")
    name = factory.Sequence(lambda n: f"Regio {n}")


class MunicipalityFactory(BaseFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Gemeente {n}")


class SchoolFactory(BaseFactory):
    class Meta:
        model = School

    municipality = factory.SubFactory(MunicipalityFactory)
    region = factory.SelfAttribute("municipality.region")
    brin = factory.Sequence(lambda n: f"{n:02d}ZZ"[-4:] if n < 100 else f"{n:04d}"[-4:])
    name = factory.Sequence(lambda n: f"Basisschool Testlaan {n}")
    sector = Sector.po


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Wijkteam {n}")
    kind = OrganisationKind.wijkteam


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"gebruiker{n}@example.org")
    name = factory.Sequence(lambda n: f"Test Gebruiker {n}")
    password_hash = "unset"
    # Enrolled in two-factor authentication, as every account is after its first login.
    totp_secret = factory.LazyFunction(pyotp.random_base32)
    totp_enrolled_at = factory.LazyFunction(utcnow)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.school_staff
    school = None
    organisation = None
    region = factory.LazyAttribute(lambda o: (o.school or o.organisation).region)


def user_with_role(role: Role, home, **user_kwargs) -> User:
    """A user holding `role` at `home` (a School for school staff, an Organisation otherwise)."""
    user = UserFactory(**user_kwargs)
    key = "school" if isinstance(home, School) else "organisation"
    MembershipFactory(user=user, role=role, **{key: home})
    db.session.refresh(user)
    return user


class SchoolContactFactory(BaseFactory):
    class Meta:
        model = SchoolContact

    school = factory.SubFactory(SchoolFactory)
    partner_type = PartnerType.jeugdhulp
    user = factory.SubFactory(UserFactory)
    valid_from = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    valid_to = None


class PupilFactory(BaseFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    reference = factory.Sequence(lambda n: f"L-{n:05d}")
    initials = "A.B."
    birth_year = factory.LazyFunction(lambda: date.today().year - 10)
    group_name = "groep 6"


class CaseFactory(BaseFactory):
    """A case put straight into a state; replay triggers only in tests about the workflow."""

    class Meta:
        model = Case

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SelfAttribute("pupil.school")
    opened_by = factory.SubFactory(UserFactory)
    state = CaseState.signalering
    description = "Leerling trekt zich terug in de klas."
    hulpvraag = "Hoe helpen we haar weer mee te doen?"
    discussed_with_parents = True


class CaseSignalFactory(BaseFactory):
    class Meta:
        model = CaseSignal

    case = factory.SubFactory(CaseFactory)
    category = SignalCategory.sociaal_emotioneel


class CaseTransitionFactory(BaseFactory):
    class Meta:
        model = CaseTransition

    case = factory.SubFactory(CaseFactory)
    trigger = "plan_mdo"
    from_state = CaseState.signalering
    to_state = CaseState.mdo


class ConsentFactory(BaseFactory):
    class Meta:
        model = Consent

    case = factory.SubFactory(CaseFactory)
    recipient = factory.SubFactory(OrganisationFactory)
    purpose = "Betrekken bij het MDO"
    given_by = ConsentGiver.parents
    given_on = factory.LazyFunction(lambda: date.today() - timedelta(days=7))
    expires_on = None
    recorded_by_id = factory.LazyAttribute(lambda o: o.case.opened_by_id)


class ReferralFactory(BaseFactory):
    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory)
    to_organisation = factory.SubFactory(OrganisationFactory)
    to_user = None
    status = ReferralStatus.sent
    sent_by_id = factory.LazyAttribute(lambda o: o.case.opened_by_id)


class MdoMeetingFactory(BaseFactory):
    class Meta:
        model = MdoMeeting

    case = factory.SubFactory(CaseFactory)
    planned_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=7))
    held_at = None


class MdoParticipantFactory(BaseFactory):
    class Meta:
        model = MdoParticipant

    meeting = factory.SubFactory(MdoMeetingFactory)
    discipline = Discipline.school
    present = None


class ArrangementFactory(BaseFactory):
    class Meta:
        model = Arrangement

    case = factory.SubFactory(CaseFactory)
    kind = ArrangementKind.oza_1
    goal_school = "Weer volledig meedoen in de les"
    starts_on = factory.LazyFunction(date.today)
    evaluation_due = factory.LazyFunction(lambda: date.today() + timedelta(weeks=8))


class EvaluationFactory(BaseFactory):
    class Meta:
        model = Evaluation

    case = factory.SubFactory(CaseFactory)
    held_on = factory.LazyFunction(date.today)
    recorded_by_id = factory.LazyAttribute(lambda o: o.case.opened_by_id)
    school_present = True
    youth_care_present = True
    decision = EvaluationDecision.continue_
    next_evaluation_due = factory.LazyFunction(lambda: date.today() + timedelta(weeks=8))


class EscalationFactory(BaseFactory):
    class Meta:
        model = Escalation

    case = factory.SubFactory(CaseFactory, state=CaseState.escalation)
    reason = EscalationReason.no_youth_care_in_time
    rationale = "Verwijzing al zes weken onbeantwoord."


class EscalationTierFactory(BaseFactory):
    class Meta:
        model = EscalationTier

    region = factory.SubFactory(RegionFactory)
    level = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"E{o.level} – trede {o.level}")
    sla_days = 14
    decider = "Regionaal coördinator"


class ThuiszitterEpisodeFactory(BaseFactory):
    class Meta:
        model = ThuiszitterEpisode

    case = factory.SubFactory(CaseFactory)
    started_on = factory.LazyFunction(lambda: date.today() - timedelta(weeks=5))
    ended_on = None
    reason = ThuiszitterReason.schoolweigering
    exemption = False
    recorded_by_id = factory.LazyAttribute(lambda o: o.case.opened_by_id)


class ReferralNoteFactory(BaseFactory):
    class Meta:
        model = ReferralNote

    referral = factory.SubFactory(ReferralFactory)
    case_id = factory.LazyAttribute(lambda o: o.referral.case_id)
    author_id = factory.LazyAttribute(lambda o: o.referral.to_user_id or o.referral.sent_by_id)
    text = "Tweede gesprek met het gezin gevoerd; volgende afspraak staat."


class MdoActionFactory(BaseFactory):
    class Meta:
        model = MdoAction

    meeting = factory.SubFactory(MdoMeetingFactory)
    case_id = factory.LazyAttribute(lambda o: o.meeting.case_id)
    description = "Contact opnemen met de huisarts over de slaapproblemen."
    owner_id = factory.LazyAttribute(lambda o: o.meeting.case.opened_by_id)
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=14))


class RegieHandoverFactory(BaseFactory):
    class Meta:
        model = RegieHandover

    case = factory.SubFactory(CaseFactory)
    from_user_id = factory.LazyAttribute(lambda o: o.case.regie_holder_id)
    to_user_id = factory.LazyAttribute(lambda o: UserFactory().id)
    requested_by_id = factory.LazyAttribute(lambda o: o.case.regie_holder_id or o.case.opened_by_id)
    status = HandoverStatus.requested


class CasePlanFactory(BaseFactory):
    class Meta:
        model = CasePlan

    case = factory.SubFactory(CaseFactory)
    kind = PlanKind.opp
    drawn_up_on = factory.LazyFunction(date.today)
    names_home = False
    names_school = True
    recorded_by_id = factory.LazyAttribute(lambda o: o.case.opened_by_id)


class NotificationFactory(BaseFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = "new_referral"
    text = "Er is een nieuwe verwijzing voor u."
