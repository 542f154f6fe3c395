"""Forms shared by several blueprints."""

from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """A POST that is just a button still carries a CSRF token."""
