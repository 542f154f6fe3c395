"""Forms of the relationship and working-group pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from models.skill import LEVELS
from webapp.forms import REQUIRED, TOO_LONG, CatalogForm
from webapp.services.after_match.meetings import MAX_MINUTES, MIN_MINUTES, PLACE_LENGTH
from webapp.services.feedback import NOTE_LENGTH
from webapp.services.responses import REASON_LENGTH

FREQUENCY_LABELS = {"weekly": _l("Every week"), "fortnightly": _l("Every two weeks"), "monthly": _l("Every month")}
MODE_LABELS = {"in_person": _l("In person"), "call": _l("Call"), "chat": _l("Chat")}
#: A level picked on the agreement: "new" (0) and the five levels.
BEFORE_CHOICES = [SelectChoice(0, _l("0 – new to it"))] + [
    SelectChoice(level, _l("%(level)d – %(name)s", level=level, name=name)) for level, name in LEVELS.items()]
LEVEL_CHOICES = BEFORE_CHOICES[1:]
_MINUTES = NumberRange(MIN_MINUTES, MAX_MINUTES, message=_l("From %(min)d to %(max)d minutes."))
_DATE = _l("Not a valid date value.")


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GoalRowForm(CatalogForm):
    """One goal row of the agreement; the page holds one per possible goal, each with its own prefix."""

    class Meta:
        csrf = False

    included = BooleanField(_l("Work on this goal"))
    level_before = SelectField(_l("Now"), coerce=int, choices=BEFORE_CHOICES)
    target_level = SelectField(_l("Target"), coerce=int, choices=LEVEL_CHOICES)


class AgreementForm(CatalogForm):
    """How often, how and until when; the goal rows travel beside it."""

    frequency = SelectField(_l("How often"), choices=[SelectChoice(k, v) for k, v in FREQUENCY_LABELS.items()],
                            validators=[InputRequired(message=REQUIRED)])
    modes = MultiCheckboxField(_l("How you meet"), choices=[SelectChoice(k, v) for k, v in MODE_LABELS.items()],
                               validators=[InputRequired(message=_l("Choose at least one way to meet."))])
    until = DateField(_l("Until"), validators=[Optional()], format="%Y-%m-%d")


class ConfirmAgreementForm(CatalogForm):
    """Confirm the version of the agreement on the page."""

    version = HiddenField(validators=[InputRequired(message=REQUIRED)])


class ProposeForm(CatalogForm):
    """Propose a session or a meeting: a day, a time in the proposer's time zone, a length, a place."""

    day = DateField(_l("Day"), validators=[InputRequired(message=REQUIRED)], format="%Y-%m-%d")
    at = TimeField(_l("Time"), validators=[InputRequired(message=REQUIRED)], format="%H:%M")
    minutes = IntegerField(_l("Minutes"), default=45, validators=[InputRequired(message=REQUIRED), _MINUTES])
    place = StringField(_l("Where (a room, or a call link)"),
                        validators=[Optional(), Length(max=PLACE_LENGTH, message=TOO_LONG)])


class LogForm(CatalogForm):
    """Log a session or meeting that took place."""

    day = DateField(_l("Day"), validators=[InputRequired(message=REQUIRED)], format="%Y-%m-%d")
    minutes = IntegerField(_l("Minutes"), default=45, validators=[InputRequired(message=REQUIRED), _MINUTES])
    skills = MultiCheckboxField(_l("Skills worked on"), coerce=int, validators=[Optional()])
    private_note = TextAreaField(_l("Private note (only the members see it)"),
                                 validators=[Optional(), Length(max=NOTE_LENGTH, message=TOO_LONG)])
    shared_note = TextAreaField(_l("Note for the community's body of practice (optional; shown with your name)"),
                                validators=[Optional(), Length(max=NOTE_LENGTH, message=TOO_LONG)])

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.skills.choices = [SelectChoice(s.id, s.name) for s in skills]


class ReasonForm(CatalogForm):
    """Ask HR for help, or end the match early: a text for HR's eyes only."""

    reason = TextAreaField(_l("For HR only"), validators=[Optional(), Length(max=REASON_LENGTH, message=TOO_LONG)])


class PurposeForm(CatalogForm):
    """HR's purpose for a working group."""

    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=1000, message=TOO_LONG)])
