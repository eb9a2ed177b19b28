"""Users and their memberships: user × school/organisation × role."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db, login_manager
from app.models import UTCDateTime, enum_column, utcnow


class Role(enum.Enum):
    school_staff = "school_staff"
    youth_professional = "youth_professional"
    participant = "participant"
    coordinator = "coordinator"
    admin = "admin"
    privacy_officer = "privacy_officer"


ROLE_LABELS = {
    Role.school_staff: "Intern begeleider / zorgcoördinator",
    Role.youth_professional: "Jeugdprofessional (J&G-coach, wijkteam)",
    Role.participant: "Deelnemer (leerplicht, JGZ, voorzitter)",
    Role.coordinator: "Regionaal coördinator",
    Role.admin: "Functioneel beheerder",
    Role.privacy_officer: "Functionaris gegevensbescherming",
}

# Roles whose membership hangs on a school; the others hang on an organisation.
SCHOOL_ROLES = frozenset({Role.school_staff})


class User(UserMixin, db.Model):
    __tablename__ = "app_user"  # `user` is reserved in PostgreSQL

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    job_title: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # Part of the session identity: rotating it ends every session of this user (logout, reset).
    session_nonce: so.Mapped[str] = so.mapped_column(
        sa.String(32), default=lambda: secrets.token_hex(16)
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # The second factor (TOTP). A secret without `totp_enrolled_at` waits for its first code;
    # the last accepted 30-second step blocks the reuse of a code (ASVS 2.8.4/2.8.5).
    totp_secret: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    totp_enrolled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    totp_last_step: so.Mapped[int | None] = so.mapped_column(sa.BigInteger())

    memberships: so.Mapped[list["Membership"]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        )

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_enrolled_at is not None

    def rotate_session_nonce(self) -> None:
        self.session_nonce = secrets.token_hex(16)

    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    def has_role(self, role: Role) -> bool:
        return any(m.role == role for m in self.memberships)

    def school_ids(self, role: Role = Role.school_staff) -> set[int]:
        return {m.school_id for m in self.memberships if m.role == role and m.school_id}

    def organisation_ids(self, role: Role) -> set[int]:
        return {
            m.organisation_id for m in self.memberships if m.role == role and m.organisation_id
        }

    def region_ids(self, role: Role) -> set[int]:
        return {m.region_id for m in self.memberships if m.role == role}


class Membership(db.Model):
    """One role of a user at one school or organisation (and so in one region)."""

    __tablename__ = "membership"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("app_user.id"), index=True)
    role: so.Mapped[Role] = so.mapped_column(enum_column(Role))
    school_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("school.id"), index=True)
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    # Denormalised from the school or organisation, for region scoping without joins.
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("region.id"), index=True)

    user: so.Mapped[User] = so.relationship(back_populates="memberships")
    school: so.Mapped["School | None"] = so.relationship(lazy="joined")  # noqa: F821
    organisation: so.Mapped["Organisation | None"] = so.relationship(lazy="joined")  # noqa: F821
    region: so.Mapped["Region"] = so.relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(
            "(school_id IS NULL) <> (organisation_id IS NULL)", name="one_home"
        ),
        sa.UniqueConstraint("user_id", "role", "school_id", "organisation_id"),
    )

    @property
    def home(self):
        return self.school or self.organisation


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not nonce or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user
