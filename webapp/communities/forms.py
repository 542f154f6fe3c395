"""Forms for the community pages. Join and leave are plain ``ButtonForm`` POSTs."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from webapp.forms import TOO_LONG, CatalogForm


class MemberSearchForm(CatalogForm):
    """The search box over a community's members (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search members"), validators=[Optional(), Length(max=100, message=TOO_LONG)])
