"""Communities of Practice: the list, a community's page, join and leave."""

from webapp.communities import bp  # noqa: F401
