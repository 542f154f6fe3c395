"""Forms shared by several blueprints, and the base form that speaks the page's language."""

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import StopValidation

from webapp.services.text import BIDI, CONTROL, INVISIBLE_ONLY, text_problem

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


#: What the reader is told about a value that cannot be stored (``text_problem``'s codes);
#: ``%(field)s`` is the field's label.
TEXT_PROBLEMS = {
    CONTROL: _l("“%(field)s” contains a control character (a line break, tab or similar): remove it."),
    BIDI: _l("“%(field)s” contains a hidden character that changes the direction of text: remove it."),
    INVISIBLE_ONLY: _l("“%(field)s” holds only invisible characters: type something readable."),
}


def safe_text(form, field) -> None:
    """Refuse control characters, bidi overrides and invisible-only values, naming the field.

    A multi-line field (``TextAreaField``) may hold line breaks and tabs.
    """
    problem = text_problem(field.data if isinstance(field.data, str) else None,
                           multiline=isinstance(field, TextAreaField))
    if problem:
        raise StopValidation(TEXT_PROBLEMS[problem] % {"field": field.label.text or field.name})


class CatalogForm(FlaskForm):
    """A ``FlaskForm`` whose built-in field messages ("Not a valid choice.") are translated, and
    whose every text field refuses what cannot be stored or shown safely (``safe_text``)."""

    class Meta:
        def get_translations(self, form):
            return _CatalogTranslations()

    def validate(self, extra_validators=None) -> bool:
        extra = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, StringField):  # text, email, password, hidden and text-area fields
                extra.setdefault(name, []).insert(0, safe_text)
        return super().validate(extra)


class ButtonForm(CatalogForm):
    """A POST that is just a button still carries a CSRF token."""
