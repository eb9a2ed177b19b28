"""Forms for cases, one module per part of the journey; `core` has the shared Dutch base."""

from app.cases.forms.core import (
    REQUIRED,
    TEXT_MAX,
    DutchForm,
    EditSignaleringForm,
    MultiCheckboxField,
    SignaleringForm,
    TransitionForm,
    at_most,
    transition_form,
)

__all__ = ["REQUIRED", "TEXT_MAX", "DutchForm", "EditSignaleringForm", "MultiCheckboxField",
           "SignaleringForm", "TransitionForm", "at_most", "transition_form"]
