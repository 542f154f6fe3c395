"""Forms for the HR pages."""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from webapp.forms import REQUIRED, TOO_LONG, CatalogForm
from webapp.services.skills import MAX_CATEGORY, MAX_NAME

# WTForms has no Thai catalog: every message it could show is given here, in ours.
NOT_A_CHOICE = _l("Not a valid choice.")


def not_valid_choices(count: int) -> str:
    """WTForms' message for ``count`` unknown values in a multiple select; it fills in ``%(value)s`` itself."""
    # ngettext formats at once (with num): hand %(value)s through unchanged for WTForms.
    return ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        count,
        value="%(value)s",
    )


def skill_options(pairs: list[tuple[int, str]], prompt: str | None = None) -> list[SelectChoice]:
    """Select options from ``(id, label)`` pairs, optionally after a "pick one" prompt (value 0)."""
    options = [SelectChoice(0, prompt)] if prompt else []
    return options + [SelectChoice(value, label) for value, label in pairs]


class SkillForm(CatalogForm):
    """Add a skill, or rename one (name and category)."""

    name = StringField(_l("Skill name"), validators=[DataRequired(REQUIRED), Length(max=MAX_NAME, message=TOO_LONG)])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=MAX_CATEGORY, message=TOO_LONG)])
    submit = SubmitField(_l("Save"))


class MergeForm(CatalogForm):
    into = SelectField(
        _l("Merge into"), coerce=int, validators=[DataRequired(message=_l("Pick the skill to keep."))],
        invalid_choice_message=NOT_A_CHOICE, invalid_value_message=NOT_A_CHOICE,
    )
    submit = SubmitField(_l("Merge"))


class CommunityForm(CatalogForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)])
    description = TextAreaField(
        _l("Topic and purpose"), validators=[Optional(), Length(max=5000, message=TOO_LONG)]
    )
    core_skills = SelectMultipleField(
        _l("Core skills"), coerce=int,
        invalid_choice_message=not_valid_choices, invalid_value_message=NOT_A_CHOICE,
    )
    submit = SubmitField(_l("Save"))


class MemberSearchForm(CatalogForm):
    """The member list's search box (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100, message=TOO_LONG)])
    status = SelectField(
        _l("Show"),
        choices=[
            SelectChoice("active", _l("Active")),
            SelectChoice("inactive", _l("Deactivated")),
            SelectChoice("all", _l("Everyone")),
        ],
        default="active",
    )
    sort = SelectField(
        _l("Sort by"),
        choices=[
            SelectChoice("name", _l("Name")),
            SelectChoice("department", _l("Department")),
            SelectChoice("newest", _l("Newest")),
        ],
        default="name",
    )


class ImportUploadForm(CatalogForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file.")), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))],
    )
    submit = SubmitField(_l("Preview the import"))


class ImportConfirmForm(CatalogForm):
    # Hidden: a wrong value is reported by the view ("That upload is no longer available").
    upload = HiddenField(validators=[DataRequired(REQUIRED), Regexp(r"^[0-9a-f]{32}$", message=_l("Invalid input."))])
    digest = HiddenField(validators=[DataRequired(REQUIRED), Regexp(r"^[0-9a-f]{64}$", message=_l("Invalid input."))])
    submit = SubmitField(_l("Import these members"))


class RoleForm(CatalogForm):
    """Confirm granting or revoking the HR role; ``role`` is the role the member will have."""

    role = HiddenField(validators=[DataRequired(REQUIRED), AnyOf(("hr", "member"), message=NOT_A_CHOICE)])
    submit = SubmitField(_l("Confirm"))


class EraseForm(CatalogForm):
    """HR confirms an erasure, which cannot be undone."""

    confirm = BooleanField(_l("I understand: this member's personal data is removed for good."),
                           validators=[DataRequired(message=_l("Tick the box to confirm the erasure."))])
    submit = SubmitField(_l("Erase personal data"))
