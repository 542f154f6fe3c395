"""HR's dashboard (``/hr``), its CSV exports, and one member's record."""

from __future__ import annotations

from flask import Response, abort, render_template, request

from models import Member, db
from webapp.dashboard import bp
from webapp.security import hr_required
from webapp.services.dashboard.filters import Filters
from webapp.services.dashboard.page import filter_choices, section_tables, table
from webapp.services.dashboard.record import member_record
from webapp.services.dashboard.tables import to_csv


def _section(section: str, template: str):
    filters = Filters.from_args(request.args)
    figures, tables = section_tables(section, filters)
    communities, departments = filter_choices()
    return render_template(f"dashboard/{template}.html", tables=tables, filters=filters, communities=communities,
                           departments=departments, **{section: figures})


@bp.route("")
@hr_required
def index():
    """Is the programme working: figures per round and in all, the funnel, trends, ratings and growth."""
    return _section("programme", "index")


@bp.route("/supply")
@hr_required
def supply():
    """Where demand is unmet: learners and mentors per skill and community, and what to do about it."""
    return _section("supply", "supply")


@bp.route("/network")
@hr_required
def network():
    """Does knowledge cross departments: the department network, its measures and bridges."""
    return _section("network", "network")


@bp.route("/health")
@hr_required
def health():
    """Each community's health: active members, notes shared, experts available, demand covered."""
    return _section("health", "health")


@bp.route("/dashboard/<key>.csv")
@hr_required
def export(key: str):
    """One of the dashboard's tables as CSV, for the same filter."""
    found = table(key, Filters.from_args(request.args))
    if found is None:
        abort(404)
    return Response(to_csv(found).encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=copmatch-{key}.csv"})


@bp.route("/members/<int:member_id>")
@hr_required
def member(member_id: int):
    """One member's record: profile, participation, matches and groups, feedback summary, growth, audit."""
    return render_template("dashboard/member.html", r=member_record(db.get_or_404(Member, member_id)))
