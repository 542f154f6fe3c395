"""HR's dashboard (``/hr``), its CSV exports, and one member's record."""

from __future__ import annotations

from flask import Response, abort, render_template, request

from models import Member, db
from webapp.dashboard import bp
from webapp.security import hr_required
from webapp.services.dashboard.filters import Filters
from webapp.services.dashboard.page import dashboard, filter_choices, table
from webapp.services.dashboard.record import member_record
from webapp.services.dashboard.tables import to_csv


@bp.route("")
@hr_required
def index():
    """Is the programme working, where is demand unmet, does knowledge cross departments: for the filter."""
    filters = Filters.from_args(request.args)
    communities, departments = filter_choices()
    return render_template("dashboard/index.html", d=dashboard(filters), filters=filters,
                           communities=communities, departments=departments)


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
