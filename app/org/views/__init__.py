"""The admin screens (blueprint `org`, /admin): one module per part, all on one blueprint."""

from app.org.views import contacts, ladder, places, users  # noqa: F401  (each registers its routes)
from app.org.views.blueprint import bp

__all__ = ["bp"]
