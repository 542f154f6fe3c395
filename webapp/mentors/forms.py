"""Forms of "Find a mentor": the filters (GET), a request, and the mentor's answer."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from webapp.forms import TOO_LONG, CatalogForm
from webapp.services.mentors import MESSAGE_LENGTH


class MentorFilterForm(CatalogForm):
    """Filters over the suggestions (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    community = SelectField(_l("Community"), coerce=int, validators=[Optional()])
    skill = SelectField(_l("Skill"), coerce=int, validators=[Optional()])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=80, message=TOO_LONG)])
    language = StringField(_l("Language"), validators=[Optional(), Length(max=40, message=TOO_LONG)])

    def __init__(self, *args, communities=(), skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.community.choices = [SelectChoice(0, _l("All my communities"))] + [SelectChoice(c.id, c.name) for c in communities]
        self.skill.choices = [SelectChoice(0, _l("Any skill"))] + [SelectChoice(s.id, s.name) for s in skills]


class RequestForm(CatalogForm):
    """Ask a mentor, with a short message."""

    community_id = IntegerField(validators=[InputRequired()])
    message = TextAreaField(_l("A short message: what would you like to learn?"),
                            validators=[Optional(), Length(max=MESSAGE_LENGTH, message=TOO_LONG)])


class DeclineForm(CatalogForm):
    """The mentor declines; the reason is for HR only."""

    reason = TextAreaField(_l("Why not? (optional; only HR sees this)"),
                           validators=[Optional(), Length(max=MESSAGE_LENGTH, message=TOO_LONG)])


class SelfServiceForm(CatalogForm):
    """HR switches requests on or off in one community."""

    on = HiddenField(validators=[InputRequired()])
