from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length


def _strip(value):
    return value.strip() if isinstance(value, str) else value


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
