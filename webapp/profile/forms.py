"""Forms of the profile page: one per section, so each saves on its own."""

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, SelectChoice, SelectField, StringField,
                     SubmitField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from models.member import LOCALES, MAX_MENTOR_CAPACITY, SENIORITY_BANDS, SENIORITY_LABELS
from models.skill import LEVELS, PRIORITIES
from webapp.forms import REQUIRED, TOO_LONG, CatalogForm
from webapp.i18n import LANGUAGE_NAMES
from webapp.services.members import common_time_zones, time_zone_choices

#: "3 – Practitioner", in the language of the page that shows the choice.
LEVEL_CHOICES = [SelectChoice(level, _l("%(level)d – %(name)s", level=level, name=name))
                 for level, name in LEVELS.items()]

BETWEEN = _l("Number must be between %(min)s and %(max)s.")
COMMON_ZONES, OTHER_ZONES = _l("Common time zones"), _l("All other time zones")


def split_languages(text: str) -> list[str]:
    """``"Thai, English"`` -> ``["Thai", "English"]``."""
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class ProfileForm(CatalogForm):
    """About me and how I take part."""

    display_name = StringField(
        _l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=120, message=TOO_LONG)]
    )
    department = StringField(_l("Department"), validators=[Optional(), Length(max=80, message=TOO_LONG)])
    function = StringField(_l("Function / discipline"), validators=[Optional(), Length(max=80, message=TOO_LONG)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=120, message=TOO_LONG)])
    seniority = SelectField(
        _l("Seniority"),
        choices=[SelectChoice("", "—")] + [SelectChoice(band, SENIORITY_LABELS[band]) for band in SENIORITY_BANDS],
    )
    location = StringField(_l("Location"), validators=[Optional(), Length(max=80, message=TOO_LONG)])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired(message=REQUIRED)])
    languages = StringField(_l("Languages I work in"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    years_experience = IntegerField(
        _l("Years of experience"), validators=[Optional(), NumberRange(0, 70, message=BETWEEN)]
    )
    # Picked by name from the type-ahead, which fills in the id: members never look colleagues up by email.
    manager = StringField(_l("My manager"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    manager_id = HiddenField()
    # Each language named in itself, as in the switch in the header.
    locale = SelectField(_l("Messages in"), choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LOCALES])
    mentor_capacity = IntegerField(
        _l("Mentees I can take (0 = not mentoring)"), default=0,
        validators=[NumberRange(0, MAX_MENTOR_CAPACITY, message=BETWEEN)],
    )
    wants_mentor = BooleanField(_l("I would like a mentor"))
    open_to_peer_swaps = BooleanField(_l("I am open to peer skill swaps"))
    open_to_groups = BooleanField(_l("I would join a working group"))
    paused_until = DateField(_l("Not available until"), validators=[Optional()])
    submit = SubmitField(_l("Save profile"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels in the page's language ("เวลาไทย"); the value stays the IANA name.
        common = common_time_zones()
        self.timezone.choices = [SelectChoice(zone, label, optgroup=str(COMMON_ZONES if zone in common else OTHER_ZONES))
                                 for zone, label in time_zone_choices(self.timezone.data)]

    def validate_languages(self, field):
        if any(len(language) > 40 for language in split_languages(field.data or "")):
            raise ValidationError(_l("A language name has at most 40 characters."))

    def values(self) -> dict:
        """The submitted values as model fields."""
        data = {name: getattr(self, name).data for name in (
            "display_name", "department", "function", "job_title", "location", "timezone", "locale",
            "years_experience", "mentor_capacity", "wants_mentor", "open_to_peer_swaps",
            "open_to_groups", "paused_until",
        )}
        for name in ("department", "function", "job_title", "location"):
            data[name] = (data[name] or "").strip() or None
        data["display_name"] = data["display_name"].strip()
        data["seniority"] = self.seniority.data or None
        data["languages"] = split_languages(self.languages.data or "")
        data["manager"] = (self.manager.data or "").strip()
        data["manager_id"] = int(self.manager_id.data) if (self.manager_id.data or "").isdigit() else None
        return data


class SkillForm(CatalogForm):
    skill = StringField(_l("Skill"), validators=[DataRequired(message=REQUIRED), Length(max=80, message=TOO_LONG)])
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, coerce=int, default=3)
    submit = SubmitField(_l("Save skill"))


class GoalForm(CatalogForm):
    skill = StringField(
        _l("Skill to learn"), validators=[DataRequired(message=REQUIRED), Length(max=80, message=TOO_LONG)]
    )
    target_level = SelectField(_l("Target level"), choices=LEVEL_CHOICES, coerce=int, default=3)
    priority = SelectField(
        _l("Priority"), choices=[SelectChoice(p, label) for p, label in PRIORITIES.items()], coerce=int, default=2
    )
    submit = SubmitField(_l("Save goal"))
