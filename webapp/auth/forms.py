"""Log-in and registration forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from webapp.forms import REQUIRED, TOO_LONG, CatalogForm

MIN_PASSWORD_LENGTH = 10


class LoginForm(CatalogForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=REQUIRED), Length(max=254, message=TOO_LONG)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=REQUIRED), Length(max=256, message=TOO_LONG)]
    )
    remember_me = BooleanField(_l("Keep me logged in"))
    submit = SubmitField(_l("Log in"))


def new_password_fields(label: str) -> tuple[PasswordField, PasswordField]:
    """A new password (at least MIN_PASSWORD_LENGTH characters) and its repetition."""
    password = PasswordField(
        label,
        validators=[
            DataRequired(message=REQUIRED),
            Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(min)d characters.")),
            Length(max=256, message=TOO_LONG),
        ],
    )
    repeat = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(message=REQUIRED), EqualTo("password", message=_l("The passwords differ."))],
    )
    return password, repeat


class RegistrationForm(CatalogForm):
    email = EmailField(
        _l("Work email"),
        validators=[DataRequired(message=REQUIRED), Email(message=_l("Invalid email address.")),
                    Length(max=254, message=TOO_LONG)],
    )
    display_name = StringField(
        _l("Your name"), validators=[DataRequired(message=REQUIRED), Length(max=120, message=TOO_LONG)]
    )
    password, password2 = new_password_fields(_l("Password"))
    submit = SubmitField(_l("Create account"))


class SetPasswordForm(CatalogForm):
    password, password2 = new_password_fields(_l("New password"))
    submit = SubmitField(_l("Set password"))
