"""Forms of the body of practice: a note, "I tried it", the search box."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from webapp.forms import REQUIRED, TOO_LONG, CatalogForm
from webapp.services.practice import (
    BODY_LENGTH,
    CHANGE_LENGTH,
    OUTCOME_WORDS,
    TITLE_LENGTH,
)


class NoteForm(CatalogForm):
    title = StringField(_l("Title: the practice in a few words"),
                        validators=[InputRequired(message=REQUIRED), Length(max=TITLE_LENGTH, message=TOO_LONG)])
    body = TextAreaField(_l("What to do, and what it changed"),
                         validators=[Optional(), Length(max=BODY_LENGTH, message=TOO_LONG)])
    community = SelectField(_l("Community"), coerce=int, validators=[InputRequired(message=REQUIRED)])
    skills = SelectMultipleField(_l("Skills"), coerce=int, validators=[Optional()])
    source = HiddenField()
    source_id = HiddenField()

    def __init__(self, *args, community_choices=(), skill_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.community.choices = [SelectChoice(c.id, c.name) for c in community_choices]
        self.skills.choices = [SelectChoice(s.id, s.name) for s in skill_choices]


class TriedForm(CatalogForm):
    outcome = RadioField(_l("How did it go?"), choices=[SelectChoice(value, label) for value, label in OUTCOME_WORDS.items()],
                         validators=[InputRequired(message=_l("Say how it went."))])
    changed = TextAreaField(_l("What did you change?"),
                            validators=[Optional(), Length(max=CHANGE_LENGTH, message=TOO_LONG)])


class SearchForm(CatalogForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search practice notes"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
