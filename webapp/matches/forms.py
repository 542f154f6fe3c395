"""Forms of the member's matches pages: answering an invitation, and feedback after a round."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from webapp.forms import TOO_LONG, CatalogForm
from webapp.services.feedback import NOTE_LENGTH, RATINGS
from webapp.services.responses import REASON_LENGTH


class ResponseForm(CatalogForm):
    """Accept or decline a match or a group invitation; the buttons carry the answer."""

    answer = RadioField(choices=[SelectChoice("accepted", _l("Accept")), SelectChoice("declined", _l("Decline"))],
                        validators=[InputRequired(message=_l("Choose Accept or Decline."))])
    reason = TextAreaField(_l("Why not? (optional; only HR sees this)"),
                           validators=[Optional(), Length(max=REASON_LENGTH, message=TOO_LONG)])


class FeedbackForm(CatalogForm):
    """Feedback on one match or group; a page holds one per item, each with its own prefix.

    The page's POST carries one CSRF token (checked by ``CSRFProtect`` and the
    page's ``ButtonForm``), so the item forms do not add one each.
    """

    class Meta:
        csrf = False

    met = RadioField(_l("Did you meet?"), choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
                     validators=[Optional()])
    rating = RadioField(_l("How useful was it?"), coerce=int, validators=[Optional()],
                        choices=[SelectChoice(value, label) for value, label in RATINGS.items()])
    practice_note = TextAreaField(_l("Practice note: what we tried and what worked"),
                                  validators=[Optional(), Length(max=NOTE_LENGTH, message=TOO_LONG)])
    shareable = BooleanField(_l("Share this note with the community (shown with my name)"))
    skill = SelectField(_l("Related skill"), validators=[Optional()])

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.skill.choices = [SelectChoice("", "—")] + [SelectChoice(str(s.id), s.name) for s in skills]

    @property
    def answered(self) -> bool:
        """Whether the member said anything about this item (untouched items are skipped)."""
        return bool(self.met.data or self.rating.data or (self.practice_note.data or "").strip())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.answered and not self.met.data:  # Optional() would stop an inline validator
            self.met.errors = [*self.met.errors, _l("Say whether you met.")]
            return False
        return valid

    def validate_shareable(self, field):
        if field.data and not (self.practice_note.data or "").strip():
            raise ValidationError(_l("Write a practice note to share, or untick this box."))
