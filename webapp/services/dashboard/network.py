"""The knowledge network: departments joined by the confirmed matches and working groups across them.

Nodes are the departments of active members (a member without one counts
in "no department"); an edge between two departments weighs the confirmed
matches between their members plus the working groups in which both have a
member who accepted, in the counted rounds. Betweenness is networkx's,
unweighted and normalised: the share of shortest paths between other
departments that pass through a department. Members bridge by reach: the
number of other departments their confirmed ties reach, counted in SQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from models import Community, GroupMember, Match, Member, Round, WorkingGroup, db
from models.member import FORMER_MEMBER
from webapp.services.dashboard.filters import Filters
from webapp.services.dashboard.tables import Table, share
from webapp.services.text import sort_key

NO_DEPARTMENT = ""
SIZE = 600
MEMBERS_SHOWN = 10


@dataclass(frozen=True)
class Node:
    department: str
    label: str
    x: float
    y: float
    ties: int
    betweenness: float
    isolated: bool


@dataclass(frozen=True)
class Edge:
    first: str
    second: str
    matches: int
    groups: int
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def weight(self) -> int:
        return self.matches + self.groups


@dataclass(frozen=True)
class Network:
    nodes: list[Node]
    edges: list[Edge]
    confirmed: int
    crossing: int
    bridges: list[tuple[int, str, str, int]]  # member id, name, department, departments reached
    reach: list[tuple[str, int]]  # community, departments reached

    @property
    def cross_share(self) -> float | None:
        return share(self.crossing, self.confirmed)

    @property
    def isolated(self) -> list[Node]:
        return [node for node in self.nodes if node.isolated]


def _department(column):
    return sa.func.coalesce(column, NO_DEPARTMENT)


def _confirmed(filters: Filters) -> list:
    return [*filters.match_condition(), Match.first_status == "accepted", Match.second_status == "accepted"]


def department_ties(filters: Filters) -> tuple[Counter, Counter, int, int]:
    """Matches and groups between each pair of departments, the confirmed matches and how many cross."""
    first, second = so.aliased(Member), so.aliased(Member)
    a, b = _department(first.department), _department(second.department)
    matches: Counter = Counter()
    confirmed = crossing = 0
    for dept_a, dept_b, count in db.session.execute(
            sa.select(a, b, sa.func.count()).select_from(Match)
            .join(first, Match.first_id == first.id).join(second, Match.second_id == second.id)
            .where(*_confirmed(filters)).group_by(a, b)):
        confirmed += count
        if dept_a != dept_b:
            crossing += count
            matches[tuple(sorted((dept_a, dept_b)))] += count
    gd = group_departments(filters)
    one, other = gd.alias("one"), gd.alias("other")
    groups: Counter = Counter()
    query = (sa.select(one.c.department, other.c.department, sa.func.count())
             .join(other, sa.and_(other.c.group_id == one.c.group_id, one.c.department < other.c.department)))
    if filters.department:
        query = query.where(sa.or_(one.c.department == filters.department, other.c.department == filters.department))
    for dept_a, dept_b, count in db.session.execute(query.group_by(one.c.department, other.c.department)):
        groups[(dept_a, dept_b)] += count
    return matches, groups, confirmed, crossing


def group_departments(filters: Filters) -> sa.Subquery:
    """(group, department) once for each department with a member who accepted, in the counted rounds."""
    return (sa.select(GroupMember.group_id.label("group_id"), _department(Member.department).label("department"))
            .join(Member, Member.id == GroupMember.member_id).join(WorkingGroup, WorkingGroup.id == GroupMember.group_id)
            .where(GroupMember.status == "accepted", WorkingGroup.round_id.in_(filters.rounds()))
            .distinct().subquery())


def network(filters: Filters) -> Network:
    """The department network of the counted rounds, laid out for an SVG, with its measures."""
    matches, groups, confirmed, crossing = department_ties(filters)
    departments = set(db.session.scalars(sa.select(_department(Member.department)).distinct().where(
        Member.active.is_(True), Member.erased_at.is_(None))))
    if filters.department:
        departments = {filters.department} | {d for pair in [*matches, *groups] for d in pair}
    graph = nx.Graph()
    graph.add_nodes_from(departments)
    for pair in set(matches) | set(groups):
        graph.add_edge(*pair, matches=matches[pair], groups=groups[pair], weight=matches[pair] + groups[pair])
    betweenness = nx.betweenness_centrality(graph, normalized=True) if graph.number_of_nodes() else {}
    positions = _layout(graph)
    nodes = sorted((Node(d, d or _("No department"), *positions[d], graph.degree(d), betweenness.get(d, 0.0),
                         graph.degree(d) == 0) for d in graph.nodes),
                   key=lambda n: (-n.betweenness, -n.ties, sort_key(n.label)))
    edges = sorted((Edge(u, v, data["matches"], data["groups"], *positions[u], *positions[v])
                    for u, v, data in graph.edges(data=True)), key=lambda e: (-e.weight, e.first, e.second))
    return Network(nodes, edges, confirmed, crossing, bridging_members(filters), community_reach(filters))


def _layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Positions inside the SVG's square (a spring layout, seeded, so the drawing is stable)."""
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        return {node: (SIZE / 2, SIZE / 2) for node in graph}
    raw = nx.spring_layout(graph, seed=7, weight="weight")
    margin = 80
    return {node: (round(margin + (x + 1) / 2 * (SIZE - 2 * margin), 1),
                   round(margin + (y + 1) / 2 * (SIZE - 2 * margin), 1)) for node, (x, y) in raw.items()}


def _reached(filters: Filters) -> sa.Subquery:
    """(member, a department their confirmed match partner or accepted groupmates belong to)."""
    confirmed = _confirmed(filters)
    partner = so.aliased(Member)
    gd = group_departments(filters)
    return sa.union(
        sa.select(Match.first_id.label("member_id"), partner.department.label("department"))
        .join(partner, partner.id == Match.second_id).where(*confirmed),
        sa.select(Match.second_id, partner.department).join(partner, partner.id == Match.first_id).where(*confirmed),
        sa.select(GroupMember.member_id, gd.c.department).join(gd, gd.c.group_id == GroupMember.group_id)
        .where(GroupMember.status == "accepted"),
    ).subquery()


def bridging_members(filters: Filters) -> list[tuple[int, str, str, int]]:
    """The members whose confirmed ties reach the most departments other than their own."""
    reached = _reached(filters)
    count = sa.func.count()
    query = (sa.select(Member.id, Member.display_name, Member.erased_at, Member.department, count)
             .select_from(reached).join(Member, Member.id == reached.c.member_id)
             .where(reached.c.department.is_not(None), reached.c.department != NO_DEPARTMENT,
                    sa.or_(Member.department.is_(None), reached.c.department != Member.department))
             .group_by(Member.id, Member.display_name, Member.erased_at, Member.department)
             .order_by(count.desc(), Member.id).limit(MEMBERS_SHOWN))
    if filters.department:
        query = query.where(Member.department == filters.department)
    return [(member_id, str(FORMER_MEMBER) if erased else name, department or "", number)
            for member_id, name, erased, department, number in db.session.execute(query)]


def community_reach(filters: Filters) -> list[tuple[str, int]]:
    """Communities by the number of departments among the members of their confirmed matches and groups."""
    confirmed = _confirmed(filters)
    people = sa.union_all(
        sa.select(Match.round_id.label("round_id"), Match.first_id.label("member_id")).where(*confirmed),
        sa.select(Match.round_id, Match.second_id).where(*confirmed),
        sa.select(WorkingGroup.round_id, GroupMember.member_id).join(WorkingGroup, GroupMember.group_id == WorkingGroup.id)
        .where(GroupMember.status == "accepted", WorkingGroup.round_id.in_(filters.rounds())),
    ).subquery()
    reached = sa.func.count(sa.distinct(Member.department))
    rows = db.session.execute(
        sa.select(Community.name, reached).select_from(people).join(Round, Round.id == people.c.round_id)
        .join(Community, Community.id == Round.community_id).join(Member, Member.id == people.c.member_id)
        .group_by(Community.id, Community.name).order_by(reached.desc(), Community.name))
    return [(name, count) for name, count in rows]


def tables(n: Network) -> list[Table]:
    edges = Table("network_edges", _("Ties between departments"),
                  (_("Department"), _("Department"), _("Confirmed matches"), _("Working groups"), _("Weight")),
                  [(e.first or _("No department"), e.second or _("No department"), e.matches, e.groups, e.weight)
                   for e in n.edges])
    departments = Table("departments", _("Departments"),
                        (_("Department"), _("Departments tied to"), _("Betweenness"), _("Isolated")),
                        [(node.label, node.ties, f"{node.betweenness:.3f}", _("yes") if node.isolated else _("no"))
                         for node in n.nodes])
    bridges = Table("bridges", _("Members who bridge departments"),
                    (_("Member"), _("Department"), _("Other departments reached")),
                    [(name, department, count) for _id, name, department, count in n.bridges])
    reach = Table("reach", _("Communities by departments reached"), (_("Community"), _("Departments reached")),
                  list(n.reach))
    return [edges, departments, bridges, reach]
