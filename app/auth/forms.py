from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _digits(value):
    """Apps show `123 456`; people type it with the space."""
    return "".join(value.split()) if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mailadres",
        filters=[_strip],  # a pasted address often carries a space
        validators=[DataRequired("Vul uw e-mailadres in."), Length(max=254),
                    Email("Dit is geen geldig e-mailadres.")],
    )
    password = PasswordField(
        "Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in."), Length(max=128)]
    )


def _code_field():
    return StringField(
        "Code uit uw authenticator-app",
        filters=[_digits],
        validators=[DataRequired("Vul de code van zes cijfers uit uw authenticator-app in."),
                    Regexp(r"^[0-9]{6}$", message="Een code bestaat uit zes cijfers.")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 7},
    )


class CodeForm(FlaskForm):
    code = _code_field()


class ReauthForm(FlaskForm):
    password = PasswordField(
        "Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in."), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    code = _code_field()


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        "Huidig wachtwoord", validators=[DataRequired("Vul uw huidige wachtwoord in."),
                                         Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        "Nieuw wachtwoord", validators=[DataRequired("Vul een nieuw wachtwoord in.")],
        render_kw={"autocomplete": "new-password"},
        description="12 tot en met 128 tekens. Een zin van een paar woorden is sterk en goed "
                    "te onthouden.",
    )
    repeat = PasswordField(
        "Nieuw wachtwoord nog eens",
        validators=[EqualTo("new", "De twee nieuwe wachtwoorden zijn niet gelijk.")],
        render_kw={"autocomplete": "new-password"},
    )
