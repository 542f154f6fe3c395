"""Forms shared by several blueprints, and the base form that speaks the page's language."""

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

#: Validator messages many forms share (WTForms' own English words, from our catalog).
REQUIRED = _l("This field is required.")
TOO_LONG = _l("Field cannot be longer than %(max)d characters.")


def N_(message: str) -> str:
    """Mark ``message`` for ``pybabel extract`` (a default keyword) without translating it here."""
    return message


#: The messages WTForms' fields raise themselves, where no ``message=`` can be given. WTForms
#: ships no Thai catalog, so these live in ours (``CatalogForm`` looks them up there).
WTFORMS_MESSAGES = (
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Not a valid integer value."),
    N_("Not a valid date value."),
)


class _CatalogTranslations:
    """WTForms' ``gettext``/``ngettext`` answered from our catalog, in the request's language.

    WTForms formats the result itself (``message % {"min": 10}``), so this only
    looks the text up; Flask-Babel's own ``ngettext`` would format it too early.
    """

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class CatalogForm(FlaskForm):
    """A ``FlaskForm`` whose built-in field messages ("Not a valid choice.") are translated."""

    class Meta:
        def get_translations(self, form):
            return _CatalogTranslations()


class ButtonForm(CatalogForm):
    """A POST that is just a button still carries a CSRF token."""
