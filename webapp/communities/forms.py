"""Forms for the community pages. Join and leave are plain ``ButtonForm`` POSTs."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class MemberSearchForm(FlaskForm):
    """The search box over a community's members (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Search members", validators=[Optional(), Length(max=100)])
