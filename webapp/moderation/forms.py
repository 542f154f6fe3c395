"""Forms of moderation: hide or report with a reason; HR names a coordinator."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from webapp.forms import REQUIRED, TOO_LONG, CatalogForm
from webapp.services.moderation import REASON_LENGTH


class HideForm(CatalogForm):
    reason = TextAreaField(_l("Why hide it? (members no longer see it; HR does)"),
                           validators=[InputRequired(message=REQUIRED), Length(max=REASON_LENGTH, message=TOO_LONG)])


class ReportForm(CatalogForm):
    reason = TextAreaField(_l("What is wrong with it?"),
                           validators=[Optional(), Length(max=REASON_LENGTH, message=TOO_LONG)])


class CoordinatorForm(CatalogForm):
    member_id = IntegerField(_l("Member"), validators=[InputRequired(message=REQUIRED)])
