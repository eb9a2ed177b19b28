"""Shared model helpers; the domain models live in their area packages."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    """Timezone-aware now; pass the function itself as a column default, never its result."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores UTC, returns aware datetimes on SQLite too (which keeps no zone information)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use app.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def enum_column(enum_cls: type[enum.Enum], **kw) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint, values stored as the enum's value."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=kw.pop("length", 32),
        name=kw.pop("name", enum_cls.__name__.lower()),
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
        **kw,
    )
