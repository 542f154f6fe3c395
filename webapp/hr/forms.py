"""Forms for the HR pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from webapp.services.skills import MAX_CATEGORY, MAX_NAME


def skill_options(pairs: list[tuple[int, str]], prompt: str | None = None) -> list[SelectChoice]:
    """Select options from ``(id, label)`` pairs, optionally after a "pick one" prompt (value 0)."""
    options = [SelectChoice(0, prompt)] if prompt else []
    return options + [SelectChoice(value, label) for value, label in pairs]


class SkillForm(FlaskForm):
    """Add a skill, or rename one (name and category)."""

    name = StringField("Skill name", validators=[DataRequired(), Length(max=MAX_NAME)])
    category = StringField("Category", validators=[Optional(), Length(max=MAX_CATEGORY)])
    submit = SubmitField("Save")


class MergeForm(FlaskForm):
    into = SelectField("Merge into", coerce=int, validators=[DataRequired(message="Pick the skill to keep.")])
    submit = SubmitField("Merge")


class CommunityForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Topic and purpose", validators=[Optional(), Length(max=5000)])
    core_skills = SelectMultipleField("Core skills", coerce=int)
    submit = SubmitField("Save")


class MemberSearchForm(FlaskForm):
    """The member list's search box (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    status = SelectField(
        "Show", choices={"active": "Active", "inactive": "Deactivated", "all": "Everyone"}, default="active"
    )
    sort = SelectField(
        "Sort by", choices={"name": "Name", "department": "Department", "newest": "Newest"}, default="name"
    )


class ImportUploadForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file."), FileAllowed(["csv", "txt"], "Upload a .csv file.")],
    )
    submit = SubmitField("Preview the import")


class ImportConfirmForm(FlaskForm):
    upload = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    digest = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    submit = SubmitField("Import these members")
