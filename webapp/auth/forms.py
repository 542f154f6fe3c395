"""Log-in and registration forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

MIN_PASSWORD_LENGTH = 10


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    remember_me = BooleanField("Keep me logged in")
    submit = SubmitField("Log in")


def new_password_fields(label: str) -> tuple[PasswordField, PasswordField]:
    """A new password (at least MIN_PASSWORD_LENGTH characters) and its repetition."""
    password = PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=256, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
        ],
    )
    repeat = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", message="The passwords differ.")]
    )
    return password, repeat


class RegistrationForm(FlaskForm):
    email = EmailField("Work email", validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    password, password2 = new_password_fields("Password")
    submit = SubmitField("Create account")


class SetPasswordForm(FlaskForm):
    password, password2 = new_password_fields("New password")
    submit = SubmitField("Set password")
