"""Languages: which one a page speaks, and dates and numbers in it.

The choice, first that applies: a logged-in member's saved preference
(``Member.locale``), the visitor's switch in the header (a cookie), the
browser's ``Accept-Language``, then ``DEFAULT_LOCALE``. Messages to a
member are written in the member's own language (``in_language``).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import get_date_format
from flask import current_app, g, has_request_context, request
from flask_babel import force_locale, format_decimal, get_locale, gettext
from flask_login import current_user

from models.member import LOCALES

#: The cookie that keeps a visitor's choice of language.
LOCALE_COOKIE = "locale"
#: What each language is called in itself, for the switch in the header.
LANGUAGE_NAMES = {"en": "English", "th": "ไทย"}
#: The Buddhist Era counts from 543 BCE: 2026 CE is 2569 BE.
BUDDHIST_ERA_OFFSET = 543


def select_locale() -> str:
    """The language of this request (see the module docstring)."""
    if not has_request_context():
        return current_app.config["DEFAULT_LOCALE"]
    if not g.get("skip_user_locale") and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or current_app.config["DEFAULT_LOCALE"]


def current_language() -> str:
    """The code of the language being rendered (``"en"`` or ``"th"``)."""
    locale = get_locale()
    return locale.language if locale else current_app.config["DEFAULT_LOCALE"]


@contextmanager
def in_language(locale: str | None):
    """Render messages and dates in ``locale`` (a member's own), whatever the request speaks."""
    with force_locale(locale if locale in LOCALES else current_app.config["DEFAULT_LOCALE"]):
        yield


def format_day(day: date | datetime | None, style: str = "long") -> str:
    """A date in the current language: "1 December 2026", "1 ธันวาคม 2026".

    With ``THAI_BUDDHIST_ERA`` on, Thai dates count years in the Buddhist Era
    (1 ธันวาคม 2569), as Thai organisations write them.
    """
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.date()
    locale = get_locale() or Locale.parse(current_app.config["DEFAULT_LOCALE"])
    if locale.language == "th" and current_app.config.get("THAI_BUDDHIST_ERA"):
        return babel_format_date(day, _buddhist_era_pattern(get_date_format(style, locale=locale).pattern,
                                                            day.year + BUDDHIST_ERA_OFFSET), locale=locale)
    return babel_format_date(day, style, locale=locale)


def format_moment(moment: datetime | None, zone: str, style: str = "long") -> str:
    """A moment as a day and a time in the time zone ``zone``: "1 December 2026, 09:30 (Asia/Bangkok)"."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(ZoneInfo(zone))
    return gettext("%(day)s, %(time)s (%(zone)s)", day=format_day(local.date(), style),
                   time=local.strftime("%H:%M"), zone=zone)


def _buddhist_era_pattern(pattern: str, year: int) -> str:
    """A CLDR date pattern with its era and year replaced by Buddhist Era literals.

    >>> _buddhist_era_pattern("d MMMM G y", 2569)
    "d MMMM 'พ.ศ.' '2569'"
    >>> _buddhist_era_pattern("d/M/yy", 2569)
    "d/M/'69'"
    """
    pattern = pattern.replace("G", "'พ.ศ.'")
    for token, text in (("yyyy", str(year)), ("yy", f"{year % 100:02d}"), ("y", str(year))):
        pattern = pattern.replace(token, f"'{text}'")
    return pattern


def format_number(value, digits: int = 0) -> str:
    """A number with the current language's separators: 1,234 or 1,234.50."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern)
