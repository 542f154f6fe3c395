"""Forms of the profile page: one per section, so each saves on its own."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from models.member import LOCALES, SENIORITY_BANDS, iana_time_zones
from models.skill import LEVELS, PRIORITIES

LEVEL_CHOICES = [SelectChoice(level, f"{level} – {name}") for level, name in LEVELS.items()]
LOCALE_NAMES = {"en": "English", "th": "ไทย (Thai)"}


def split_languages(text: str) -> list[str]:
    """``"Thai, English"`` -> ``["Thai", "English"]``."""
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class ProfileForm(FlaskForm):
    """About me and how I take part."""

    display_name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    department = StringField("Department", validators=[Optional(), Length(max=80)])
    function = StringField("Function / discipline", validators=[Optional(), Length(max=80)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=120)])
    seniority = SelectField("Seniority", choices=[SelectChoice("", "—")] + [SelectChoice(b) for b in SENIORITY_BANDS])
    location = StringField("Location", validators=[Optional(), Length(max=80)])
    timezone = SelectField("Time zone", validators=[DataRequired()])
    languages = StringField("Languages I work in", validators=[Optional(), Length(max=200)])
    years_experience = IntegerField("Years of experience", validators=[Optional(), NumberRange(0, 70)])
    manager_email = StringField("My manager (email)", validators=[Optional(), Length(max=254)])
    locale = SelectField("Messages in", choices=[SelectChoice(code, LOCALE_NAMES[code]) for code in LOCALES])
    mentor_capacity = IntegerField(
        "Mentees I can take (0 = not mentoring)", default=0, validators=[NumberRange(0, 5)]
    )
    wants_mentor = BooleanField("I would like a mentor")
    open_to_peer_swaps = BooleanField("I am open to peer skill swaps")
    open_to_groups = BooleanField("I would join a working group")
    paused_until = DateField("Not available until", validators=[Optional()])
    submit = SubmitField("Save profile")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(zone) for zone in sorted(iana_time_zones())]

    def validate_languages(self, field):
        if any(len(language) > 40 for language in split_languages(field.data or "")):
            raise ValidationError("A language name has at most 40 characters.")

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
        data["manager_email"] = (self.manager_email.data or "").strip()
        return data


class SkillForm(FlaskForm):
    skill = StringField("Skill", validators=[DataRequired(), Length(max=80)])
    level = SelectField("Level", choices=LEVEL_CHOICES, coerce=int, default=3)
    submit = SubmitField("Save skill")


class GoalForm(FlaskForm):
    skill = StringField("Skill to learn", validators=[DataRequired(), Length(max=80)])
    target_level = SelectField("Target level", choices=LEVEL_CHOICES, coerce=int, default=3)
    priority = SelectField("Priority", choices=[SelectChoice(p, label) for p, label in PRIORITIES.items()], coerce=int, default=2)
    submit = SubmitField("Save goal")
