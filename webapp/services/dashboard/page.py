"""The dashboard's sections (one page each) and their tables, for the pages and for each CSV export."""

from __future__ import annotations

import sqlalchemy as sa

from models import Community, Member, db
from webapp.services.dashboard import health, network, programme, supply
from webapp.services.dashboard.filters import Filters
from webapp.services.dashboard.tables import Table
from webapp.services.text import sort_key


#: Each table's section: the CSV export of one table only computes its section.
SECTIONS = {
    "rounds": "programme", "funnel": "programme", "ratings": "programme", "growth": "programme",
    "supply": "supply", "network_edges": "network", "departments": "network", "bridges": "network",
    "reach": "network", "health": "health",
}


def section_tables(section: str, filters: Filters):
    """(the section's figures, its tables by key)."""
    if section == "programme":
        p = programme.programme(filters)
        tables = [programme.rounds_table(p), programme.funnel_table(p), programme.ratings_table(p),
                  programme.growth_table(p)]
        return p, {t.key: t for t in tables}
    if section == "supply":
        s = supply.supply(filters)
        return s, {"supply": supply.supply_table(s)}
    if section == "network":
        n = network.network(filters)
        return n, {t.key: t for t in network.tables(n)}
    rows = health.health(filters)
    return rows, {"health": health.health_table(rows)}


def table(key: str, filters: Filters) -> Table | None:
    """One table, by its key (None for an unknown key)."""
    if key not in SECTIONS:
        return None
    return section_tables(SECTIONS[key], filters)[1][key]


def filter_choices() -> tuple[list[tuple[int, str]], list[str]]:
    """The communities and departments HR can filter by."""
    communities = sorted(db.session.execute(sa.select(Community.id, Community.name)).all(),
                         key=lambda row: sort_key(row[1]))
    departments = sorted(db.session.scalars(sa.select(Member.department).distinct()
                                            .where(Member.department.is_not(None))), key=sort_key)
    return communities, departments
