"""Forms of "Ask the community": a question, an answer, the search box."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from webapp.forms import REQUIRED, TOO_LONG, CatalogForm
from webapp.services.questions import BODY_LENGTH, TITLE_LENGTH


class QuestionForm(CatalogForm):
    title = StringField(_l("Your question"), validators=[InputRequired(message=REQUIRED),
                                                         Length(max=TITLE_LENGTH, message=TOO_LONG)])
    body = TextAreaField(_l("Details: what have you tried, what is in the way?"),
                         validators=[Optional(), Length(max=BODY_LENGTH, message=TOO_LONG)])
    skills = SelectMultipleField(_l("Skills it is about"), coerce=int, validators=[Optional()])

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.skills.choices = [SelectChoice(s.id, s.name) for s in skills]


class AnswerForm(CatalogForm):
    body = TextAreaField(_l("Your answer"), validators=[InputRequired(message=REQUIRED),
                                                        Length(max=BODY_LENGTH, message=TOO_LONG)])


class SearchForm(CatalogForm):
    """The search box over questions (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search questions"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
