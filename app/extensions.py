"""Extension singletons. Nothing else lives here, so any module can import them without cycles."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic can find and alter them on SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Further than any list goes. A page number comes from the query string and can be any size; far
# past the last page its offset overflowed the database integer (a 500 instead of an empty page).
MAX_PAGE = 100_000


class Database(SQLAlchemy):
    def paginate(self, select, *, page=None, **kwargs):
        page = None if page is None else min(page, MAX_PAGE)
        return super().paginate(select, page=page, **kwargs)


db = Database(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Limits sit on the login steps only (app/auth/throttling.py); storage from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address)
