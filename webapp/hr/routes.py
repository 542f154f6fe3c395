"""HR pages for the skill taxonomy, communities and members."""

from webapp.hr import bp  # noqa: F401
