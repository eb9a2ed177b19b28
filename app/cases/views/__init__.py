"""The case screens (blueprint `cases`, /cases): one module per part of the journey, all on one
blueprint; each adds its routes and, where it shows on the case page, a detail section."""

from app.cases.views import (  # noqa: F401  (each registers its routes)
    arrangements,
    consent,
    core,
    evaluations,
    mdo,
    referrals,
    regie,
)
from app.cases.views.blueprint import bp

__all__ = ["bp"]
