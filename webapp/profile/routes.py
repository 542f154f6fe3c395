"""The member's own profile and other members' public profiles."""

from webapp.profile import bp  # noqa: F401
