"""HR's audit trail: who did what and when, filtered by person, action and date, and as CSV."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, current_app, render_template, request
from flask_login import current_user

from models import Member, db
from webapp.audit import bp
from webapp.audit.forms import AuditFilterForm
from webapp.security import hr_required
from webapp.services import audit
from webapp.services.paging import page_number
from webapp.services.text import like_pattern

#: At most this many people match a name or email typed in the filter.
MAX_PEOPLE = 500


def _filters() -> tuple[AuditFilterForm, audit.Filters, Member | None]:
    """The form from the query string and the filters it describes (bad values are ignored)."""
    form = AuditFilterForm(request.args)
    if not form.validate():
        for name, errors in form.errors.items():
            form[name].data = None
            form[name].errors = list(errors)
    person = db.session.get(Member, form.member.data) if form.member.data else None
    member_ids = None
    if person is not None:
        member_ids = (person.id,)
    elif q := " ".join((form.q.data or "").split()):
        pattern = like_pattern(q)
        member_ids = tuple(db.session.scalars(
            sa.select(Member.id).where(sa.or_(Member.display_name.ilike(pattern, escape="\\"),
                                              Member.email.ilike(pattern, escape="\\"))).limit(MAX_PEOPLE)))
    return form, audit.Filters(member_ids, form.action.data or "", form.since.data, form.until.data), person


@bp.route("")
@hr_required
def index():
    """The audit trail, newest first, with filters."""
    form, filters, person = _filters()
    page = audit.trail_page(filters, page_number(request.args.get("page")),
                            current_app.config.get("AUDIT_ROWS_PER_PAGE", 50))
    args = {name: value for name, value in request.args.items() if name != "page" and value}
    return render_template("audit/index.html", form=form, page=page, person=person, args=args)


@bp.route("/export.csv")
@hr_required
def export():
    """The filtered audit trail as CSV for Excel (the export is itself recorded)."""
    _form, filters, _person = _filters()
    lines = audit.all_lines(filters)
    body = audit.export_csv(lines).encode("utf-8-sig")
    audit.record("audit_export", actor=current_user, entries=len(lines))
    db.session.commit()
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="copmatch-audit.csv"'})
