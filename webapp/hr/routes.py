"""HR pages for the skill taxonomy, communities and members."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import Community, Member, Skill, db
from webapp.forms import ButtonForm
from webapp.hr import bp
from webapp.hr.forms import (
    CommunityForm,
    EraseForm,
    ImportConfirmForm,
    ImportUploadForm,
    MemberSearchForm,
    MergeForm,
    RoleForm,
    SkillForm,
    skill_options,
)
from webapp.hr.imports import MAX_UPLOAD_BYTES, digest, drop_upload, keep_upload, read_upload, send_invitations
from webapp.hr.operations import (
    CommunityError,
    MemberError,
    community_in_use,
    delete_community,
    save_community,
    set_active,
    set_archived,
    set_role,
)
from webapp.http import takes_upload
from webapp.security import hr_required, is_safe_next, private_page
from webapp.services import audit, privacy
from webapp.services import skills as skill_service
from webapp.services.importer import EXAMPLE_CSV, ImportProblems, apply_import, plan_import
from webapp.services.messages import deliver_after_commit
from webapp.services.members import search_members
from webapp.services.paging import page_number, paginate
from webapp.services.text import sort_key

PREVIEW_LIMIT = 1000
PICK_KEPT = _l("— pick the skill to keep —")


# -- skills -------------------------------------------------------------------------------


@bp.route("/skills", methods=["GET", "POST"])
@hr_required
def skills():
    """The skill taxonomy, proposed skills first; HR adds a skill here."""
    form = SkillForm()
    if form.validate_on_submit():
        try:
            skill = skill_service.create_skill(form.name.data, form.category.data)
        except skill_service.SkillError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Added the skill “%(name)s”.", name=skill.name), "success")
            return redirect(url_for("hr.skills"))
    rows = skill_service.taxonomy()
    return render_template(
        "hr/skills.html", form=form, rows=rows, button=ButtonForm(),
        proposed=sum(1 for row in rows if not row.skill.approved),
    )


@bp.route("/skills/<int:skill_id>", methods=["GET", "POST"])
@hr_required
def skill(skill_id: int):
    """One skill: rename it, change its category, or pick another skill to merge it into."""
    skill = db.get_or_404(Skill, skill_id)
    form = SkillForm(obj=skill) if request.method == "GET" else SkillForm()
    merge_form = MergeForm()
    merge_form.into.choices = skill_options(skill_service.skill_choices(exclude=skill), PICK_KEPT)
    if form.validate_on_submit():
        try:
            skill_service.rename_skill(skill, form.name.data, form.category.data)
        except skill_service.SkillError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Saved the skill “%(name)s”.", name=skill.name), "success")
            return redirect(url_for("hr.skills"))
    return render_template("hr/skill.html", skill=skill, form=form, merge_form=merge_form, button=ButtonForm())


@bp.route("/skills/<int:skill_id>/approve", methods=["POST"])
@hr_required
def approve_skill(skill_id: int):
    """Approve a skill a member proposed."""
    skill = db.get_or_404(Skill, skill_id)
    if ButtonForm().validate_on_submit():
        skill_service.approve_skill(skill)
        db.session.commit()
        flash(_("Approved the skill “%(name)s”.", name=skill.name), "success")
    return redirect(url_for("hr.skills"))


@bp.route("/skills/<int:skill_id>/merge", methods=["POST"])
@hr_required
def merge_skill(skill_id: int):
    """Merge this skill into another; each member keeps the higher level."""
    merged = db.get_or_404(Skill, skill_id)
    form = MergeForm()
    form.into.choices = skill_options(skill_service.skill_choices(exclude=merged), PICK_KEPT)
    if form.validate_on_submit():
        kept = db.session.get(Skill, form.into.data)
        try:
            if kept is None:
                raise skill_service.SkillError(_("Pick the skill to keep."))
            merged_name = merged.name
            skill_service.merge_skills(kept, merged)
        except skill_service.SkillError as error:
            db.session.rollback()
            form.into.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Merged “%(merged)s” into “%(kept)s”.", merged=merged_name, kept=kept.name), "success")
            return redirect(url_for("hr.skills"))
    return render_template(
        "hr/skill.html", skill=merged, form=SkillForm(obj=merged, formdata=None), merge_form=form, button=ButtonForm()
    )


# -- communities --------------------------------------------------------------------------


def _community_form(community: Community | None = None) -> CommunityForm:
    if request.method == "GET" and community is not None:
        form = CommunityForm(
            name=community.name, description=community.description,
            core_skills=[skill.id for skill in community.core_skills],
        )
    else:
        form = CommunityForm()
    form.core_skills.choices = skill_options(skill_service.skill_choices())
    return form


def _save_community(form: CommunityForm, community: Community | None):
    if not form.validate_on_submit():
        return None
    try:
        saved = save_community(community, form.name.data, form.description.data, form.core_skills.data or [])
    except CommunityError as error:
        db.session.rollback()
        form.name.errors.append(str(error))
        return None
    db.session.commit()
    flash(_("Saved the community “%(name)s”.", name=saved.name), "success")
    return redirect(url_for("hr.communities"))


@bp.route("/communities", methods=["GET", "POST"])
@hr_required
def communities():
    """Every community, and the form to create one."""
    form = _community_form()
    if (response := _save_community(form, None)) is not None:
        return response
    rows = sorted(db.session.scalars(sa.select(Community)).all(), key=lambda c: (c.archived, sort_key(c.name)))
    return render_template("hr/communities.html", form=form, communities=rows)


@bp.route("/communities/<int:community_id>", methods=["GET", "POST"])
@hr_required
def community(community_id: int):
    """Edit one community's name, purpose and core skills."""
    community = db.get_or_404(Community, community_id)
    form = _community_form(community)
    if (response := _save_community(form, community)) is not None:
        return response
    return render_template("hr/community.html", form=form, community=community, button=ButtonForm(),
                           in_use=community_in_use(community))


def _change_community(community_id: int, action: str, change) -> Response:
    """Archive, restore or delete a community (a button POST), with an audit entry."""
    community = db.get_or_404(Community, community_id)
    if not ButtonForm().validate_on_submit():
        flash(_("Please try again."), "error")
        return redirect(url_for("hr.community", community_id=community_id))
    name = community.name
    try:
        message = change(community)
    except CommunityError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("hr.community", community_id=community_id))
    audit.record(action, actor=current_user, name=name)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("hr.communities"))


@bp.route("/communities/<int:community_id>/archive", methods=["POST"])
@hr_required
def archive_community(community_id: int):
    """Hide a community from members and new rounds; its rounds and memberships stay on record."""
    def change(community: Community) -> str:
        set_archived(community, True)
        return _("Archived “%(name)s”: members no longer see it; its rounds stay in the history.",
                 name=community.name)

    return _change_community(community_id, "community_archive", change)


@bp.route("/communities/<int:community_id>/restore", methods=["POST"])
@hr_required
def restore_community(community_id: int):
    """Bring an archived community back."""
    def change(community: Community) -> str:
        set_archived(community, False)
        return _("Restored “%(name)s”: members see it again.", name=community.name)

    return _change_community(community_id, "community_restore", change)


@bp.route("/communities/<int:community_id>/delete", methods=["POST"])
@hr_required
def delete_community_view(community_id: int):
    """Delete a community nobody uses (no members, no rounds)."""
    def change(community: Community) -> str:
        name = community.name
        delete_community(community)
        return _("Deleted “%(name)s”.", name=name)

    return _change_community(community_id, "community_delete", change)


# -- members ------------------------------------------------------------------------------


@bp.route("/members")
@hr_required
def members():
    """Search and sort every member (Thai or English); deactivate or reactivate them."""
    form = MemberSearchForm(request.args)
    if not form.validate():
        form = MemberSearchForm(formdata=None)
    page = paginate(
        search_members(form.q.data or "", status=form.status.data, sort=form.sort.data, contact=True),
        page_number(request.args.get("page")), current_app.config.get("MEMBERS_PER_PAGE", 25),
    )
    args = {name: value for name, value in request.args.items() if name != "page"}
    return render_template("hr/members.html", form=form, page=page, button=ButtonForm(), args=args)


def _set_active(member_id: int, active: bool):
    member = db.get_or_404(Member, member_id)
    if ButtonForm().validate_on_submit():
        try:
            set_active(member, active, current_user)
        except MemberError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            if active:
                flash(_("“%(name)s” is active again.", name=member.display_name), "success")
            else:
                flash(_("“%(name)s” is deactivated.", name=member.display_name), "success")
    target = request.form.get("back", "")
    back_to_list = is_safe_next(target) and target.startswith(url_for("hr.members"))
    return redirect(target if back_to_list else url_for("hr.members"))


@bp.route("/members/<int:member_id>/deactivate", methods=["POST"])
@hr_required
def deactivate_member(member_id: int):
    """Deactivate a member: they can no longer log in or be matched."""
    return _set_active(member_id, False)


@bp.route("/members/<int:member_id>/reactivate", methods=["POST"])
@hr_required
def reactivate_member(member_id: int):
    """Reactivate a deactivated member."""
    return _set_active(member_id, True)


@bp.route("/members/<int:member_id>/role", methods=["GET", "POST"])
@hr_required
def member_role(member_id: int):
    """Grant or revoke the HR role, after a page that says what it means and asks to confirm."""
    member = db.get_or_404(Member, member_id)
    target = "member" if member.is_hr else "hr"
    form = RoleForm(role=target)
    if form.validate_on_submit():
        try:
            messages = set_role(member, form.role.data, current_user)
        except MemberError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            if deliver_after_commit(messages).failed:
                flash(_("The change is saved, but the email with the set-password link could not be sent."), "error")
            if form.role.data == "hr":
                flash(_("“%(name)s” is now HR. They log in again to use it.", name=member.display_name), "success")
            else:
                flash(_("“%(name)s” is no longer HR.", name=member.display_name), "success")
        return redirect(url_for("hr.members"))
    return render_template("hr/member_role.html", member=member, form=form, target=target,
                           refusal=_role_refusal(member))


def _role_refusal(member: Member) -> str | None:
    """Why the role cannot change, shown on the confirmation page instead of the button."""
    if member.id == current_user.id:
        return _("You cannot change your own role; ask another HR colleague.")
    if not member.active:
        return _("“%(name)s” is deactivated: reactivate the account first.", name=member.display_name)
    return None
@bp.route("/members/<int:member_id>/erase", methods=["GET", "POST"])
@hr_required
def erase_member(member_id: int):
    """Erase a member's personal data (PDPA): identity gone, figures kept, "former member" in past rounds."""
    member = db.get_or_404(Member, member_id)
    form = EraseForm()
    if member.erased:
        flash(_("This member's personal data was already erased."), "info")
        return redirect(url_for("hr.members", status="all"))
    if form.validate_on_submit():
        name = member.display_name
        try:
            privacy.erase_member(member, current_user)
        except privacy.ErasureError as error:
            db.session.rollback()
            form.confirm.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Erased the personal data of “%(name)s”. Their past matches now show “former member”.",
                    name=name), "success")
            return redirect(url_for("hr.members", status="all"))
    return render_template("hr/erase.html", member=member, form=form), 422 if form.errors else 200


# -- import -------------------------------------------------------------------------------


@bp.route("/members/import", methods=["GET", "POST"])
@takes_upload(MAX_UPLOAD_BYTES)
@hr_required
def import_members():
    """Upload a CSV from the HR system and preview what it would change."""
    form = ImportUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            form.file.errors.append(_("The file is larger than %(size)d MB.", size=MAX_UPLOAD_BYTES // (1024 * 1024)))
        else:
            try:
                plan = plan_import(data)
            except ImportProblems as error:
                db.session.rollback()
                return render_template("hr/import.html", form=form, problems=error.problems), 422
            confirm = ImportConfirmForm(formdata=None, upload=keep_upload(data), digest=digest(data))
            return render_template("hr/import_preview.html", plan=plan, form=confirm, limit=PREVIEW_LIMIT)
    return render_template("hr/import.html", form=form, problems=None)


@bp.route("/members/import/confirm", methods=["POST"])
@hr_required
def confirm_import():
    """Apply the previewed import, all or nothing, if the file is unchanged."""
    form = ImportConfirmForm()
    data = read_upload(form.upload.data or "", form.digest.data or "") if form.validate_on_submit() else None
    if data is None:
        flash(_("That upload is no longer available: please upload the file again."), "error")
        return redirect(url_for("hr.import_members"))
    try:
        plan = plan_import(data)
        result = apply_import(plan, current_app.config["INVITATION_DAYS"])
    except ImportProblems as error:
        db.session.rollback()
        upload = ImportUploadForm(formdata=None)
        return render_template("hr/import.html", form=upload, problems=error.problems), 422
    audit.record("import", actor=current_user, created=result.created, updated=result.updated,
                 unchanged=result.unchanged)
    db.session.commit()
    drop_upload(form.upload.data)
    report = send_invitations(result)
    # The page may list working set-password links (the offline demo): no referrer carries them away.
    return private_page(render_template("hr/import_result.html", result=result, links=report.links,
                                        sent=report.sent))


@bp.route("/members/import/example.csv")
@hr_required
def import_example():
    """The example CSV, with Thai rows, to start an import from."""
    return Response(
        EXAMPLE_CSV.encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=copmatch-members-example.csv"},
    )

