"""Filters and globals the templates share."""

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models.round import RoundStatus
from models.skill import LEVELS, PRIORITIES
from webapp.i18n import LANGUAGE_NAMES, current_language, format_day, format_moment, format_number
from webapp.services.labels import scope_label
from webapp.services.responses import pending_count

#: (endpoint, label, HR only) for the main navigation, shown when the endpoint exists.
NAVIGATION = (
    ("profile.edit", _l("My profile"), False),
    ("matches.index", _l("My matches"), False),
    ("mentors.index", _l("Find a mentor"), False),
    ("communities.index", _l("Communities"), False),
    ("dashboard.index", _l("Dashboard"), True),
    ("rounds.index", _l("Rounds"), True),
    ("programme.attention_list", _l("Needs attention"), True),
    ("programme.mentors", _l("Mentors"), True),
    ("hr.members", _l("Members"), True),
    ("hr.skills", _l("Skills"), True),
    ("hr.communities", _l("Manage communities"), True),
    ("mentors.hr_requests", _l("Mentor requests"), True),
    ("audit.index", _l("Audit trail"), True),
)


def nav_links() -> list[tuple[str, str]]:
    """The navigation entries this user may follow."""
    is_hr = current_user.is_authenticated and current_user.is_hr
    return [
        (endpoint, label)
        for endpoint, label, hr_only in NAVIGATION
        if endpoint in current_app.view_functions and (is_hr or not hr_only)
    ]


def pending_invitations() -> int:
    """How many invitations the logged-in member has not answered yet (the header shows it beside "My matches")."""
    return pending_count(current_user.id) if current_user.is_authenticated else 0


def register(app: Flask) -> None:
    app.jinja_env.globals.update(LEVELS=LEVELS, PRIORITIES=PRIORITIES, RoundStatus=RoundStatus,
                                 current_language=current_language, language_names=LANGUAGE_NAMES,
                                 scope_label=scope_label)
    app.jinja_env.filters.update(day=format_day, number=format_number, local_time=format_moment)

    @app.context_processor
    def navigation():
        return {"nav_links": nav_links(), "pending_invitations": pending_invitations}

    @app.template_filter("level_name")
    def level_name(level: int) -> str:
        return str(LEVELS.get(level, ""))
