"""The case screens (blueprint `cases`, /cases): one module per part of the journey, all on one
blueprint; each adds its routes and, where it shows on the case page, a detail section."""

from app.cases.views import core  # noqa: F401  (each registers its routes)
from app.cases.views.blueprint import bp

__all__ = ["bp"]
