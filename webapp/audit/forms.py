"""The audit trail's filters: a person, an action, a range of days (a GET form, so no CSRF token)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from webapp.forms import TOO_LONG, CatalogForm
from webapp.http import MAX_ID
from webapp.services.audit import ACTIONS


class AuditFilterForm(CatalogForm):
    class Meta:
        csrf = False

    q = StringField(_l("Person (name or email)"), validators=[Optional(), Length(max=100, message=TOO_LONG)])
    member = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID)])
    action = SelectField(_l("Action"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", _l("All actions"))] + [
            SelectChoice(code, label) for code, label in ACTIONS.items()]
