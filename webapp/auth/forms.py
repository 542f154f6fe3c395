"""Log-in, sign-up and password forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from webapp.forms import REQUIRED, TOO_LONG, CatalogForm
from webapp.services.passwords import MAX_LENGTH, MIN_LENGTH

INVALID_EMAIL = _l("Invalid email address.")


def email_field(label) -> EmailField:
    return EmailField(label, validators=[DataRequired(message=REQUIRED), Email(message=INVALID_EMAIL),
                                         Length(max=254, message=TOO_LONG)])


class LoginForm(CatalogForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=REQUIRED), Length(max=254, message=TOO_LONG)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=REQUIRED), Length(max=MAX_LENGTH, message=TOO_LONG)]
    )
    remember_me = BooleanField(_l("Keep me logged in"))
    submit = SubmitField(_l("Log in"))


def new_password_fields(label: str) -> tuple[PasswordField, PasswordField]:
    """A new password (at least MIN_LENGTH characters; the other rules are checked with the member's
    email and name, see ``webapp.services.passwords``) and its repetition."""
    password = PasswordField(
        label,
        validators=[
            DataRequired(message=REQUIRED),
            Length(min=MIN_LENGTH, message=_l("Use at least %(min)d characters.")),
            Length(max=MAX_LENGTH, message=TOO_LONG),
        ],
    )
    repeat = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(message=REQUIRED), EqualTo("password", message=_l("The passwords differ."))],
    )
    return password, repeat


class RegistrationForm(CatalogForm):
    """Ask to join: the password is chosen from the link sent to the address."""

    email = email_field(_l("Work email"))
    display_name = StringField(
        _l("Your name"), validators=[DataRequired(message=REQUIRED), Length(max=120, message=TOO_LONG)]
    )
    submit = SubmitField(_l("Send me the link"))


class ForgotPasswordForm(CatalogForm):
    email = email_field(_l("Email"))
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(CatalogForm):
    password, password2 = new_password_fields(_l("New password"))
    submit = SubmitField(_l("Set password"))


class ChangePasswordForm(CatalogForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(message=REQUIRED), Length(max=MAX_LENGTH, message=TOO_LONG)]
    )
    password, password2 = new_password_fields(_l("New password"))
    submit = SubmitField(_l("Change password"))
