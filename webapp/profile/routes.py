"""The member's own profile and other members' public profiles."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Member, db
from models.mentoring_requests import PREFERENCE_KINDS
from webapp.forms import ButtonForm
from webapp.i18n import current_language, in_language
from webapp.profile import bp
from webapp.profile.forms import GoalForm, ProfileForm, SkillForm
from webapp.security import member_key, rate_limit
from webapp.services import members as profiles
from webapp.services import preferences
from webapp.services.text import sort_key


def _page(profile_form=None, skill_form=None, goal_form=None):
    """The profile page; forms that failed validation are passed back with their errors."""
    member = current_user
    if profile_form is None:
        profile_form = ProfileForm(obj=member)
        profile_form.languages.data = ", ".join(member.languages or [])
        profile_form.manager.data = profiles.member_label(member.manager) if member.manager else ""
        profile_form.manager_id.data = str(member.manager_id or "")
        profile_form.seniority.data = member.seniority or ""
    return render_template(
        "profile/edit.html",
        member=member,
        form=profile_form,
        skill_form=skill_form or SkillForm(),
        goal_form=goal_form or GoalForm(),
        button=ButtonForm(),
        skills=sorted(member.skills, key=lambda row: sort_key(row.skill.name)),
        goals=sorted(member.goals, key=lambda goal: (goal.priority, sort_key(goal.skill.name))),
        completeness=profiles.completeness(member),
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def edit():
    """My profile: about me and how I take part, saved together."""
    if request.method == "GET":
        return _page()
    form = ProfileForm()
    if not form.validate_on_submit():
        return _page(profile_form=form)
    # The confirmation speaks the language the form was filled in, even when the member
    # has just switched "Messages in" (the next page already speaks the new one).
    language = current_language()
    try:
        changes = profiles.update_profile(current_user, form.values())
    except profiles.ProfileError as error:
        db.session.rollback()
        form.manager.errors.append(str(error))
        return _page(profile_form=form)
    db.session.commit()
    with in_language(language):
        if changes:
            flash(_("Saved. %(changes)s", changes="; ".join(change.describe() for change in changes)), "success")
        else:
            flash(_("Nothing changed."), "info")
    return redirect(url_for("profile.edit"))


def _save_row(form, section: str, apply, describe):
    """Validate ``form``, ``apply`` it to the member's own rows, commit and flash ``describe(row)``
    (a sentence in the page's language)."""
    if form.validate_on_submit():
        try:
            row, proposed = apply(form)
        except profiles.ProfileError as error:
            db.session.rollback()
            form.skill.errors.append(str(error))
        else:
            db.session.commit()
            message = describe(row)
            if proposed:
                message += " " + _("It is new, so HR will review it.")
            flash(message, "success")
            return redirect(url_for("profile.edit") + f"#{section}")
    return _page(**{f"{section[:-1]}_form": form})


def _remove_row(remove, skill_id: int, section: str, describe):
    """Remove one of the member's own rows and flash ``describe(skill name)``; another member's
    or a missing row is a 404."""
    row = remove(current_user, skill_id)
    if row is None:
        abort(404)
    name = row.skill.name
    db.session.commit()
    flash(describe(name), "info")
    return redirect(url_for("profile.edit") + f"#{section}")


@bp.route("/profile/skills", methods=["POST"])
@login_required
def save_skill():
    """Add a skill or change its level (an unknown skill becomes a proposal for HR)."""
    return _save_row(
        SkillForm(), "skills",
        lambda form: profiles.set_skill_level(current_user, form.skill.data, form.level.data),
        lambda row: _("Saved: “%(skill)s” at level %(level)d (%(level_name)s).", skill=row.skill.name,
                      level=row.level, level_name=row.level_name),
    )


@bp.route("/profile/skills/<int:skill_id>/remove", methods=["POST"])
@login_required
def remove_skill(skill_id: int):
    """Remove one of my skills."""
    return _remove_row(profiles.remove_skill, skill_id, "skills",
                       lambda name: _("Removed “%(skill)s” from your skills.", skill=name))


@bp.route("/profile/goals", methods=["POST"])
@login_required
def save_goal():
    """Add a learning goal or change its target and priority."""
    return _save_row(
        GoalForm(), "goals",
        lambda form: profiles.set_goal(current_user, form.skill.data, form.target_level.data, form.priority.data),
        lambda goal: _("Saved: learn “%(skill)s” to level %(level)d.", skill=goal.skill.name,
                       level=goal.target_level),
    )


@bp.route("/profile/goals/<int:skill_id>/remove", methods=["POST"])
@login_required
def remove_goal(skill_id: int):
    """Remove one of my learning goals."""
    return _remove_row(profiles.remove_goal, skill_id, "goals",
                       lambda name: _("Removed “%(skill)s” from your learning goals.", skill=name))


@bp.route("/members/<int:member_id>")
@login_required
def public(member_id: int):
    """Another member's public profile: skills, levels and communities, never the email."""
    member = db.session.get(Member, member_id)
    if member is None or not member.active:
        abort(404)
    return render_template(
        "profile/public.html",
        member=member,
        skills=sorted(member.skills, key=lambda row: (-row.level, sort_key(row.skill.name))),
        communities=sorted((m.community for m in member.memberships), key=lambda c: sort_key(c.name)),
        show_email=profiles.can_see_email(current_user, member),
        may_prefer=preferences.may_prefer(current_user, member),
        preferred={kind for kind in PREFERENCE_KINDS
                   if any(p.preferred_id == member.id for p in preferences.preferences_of(current_user.id, kind))},
        button=ButtonForm(),
    )


@bp.route("/suggest/skills")
@login_required
@rate_limit("RATELIMIT_SUGGEST", key=member_key, methods=("GET",))
def suggest_skills():
    """Skill names for the type-ahead, as JSON."""
    return jsonify(profiles.suggest_skills(request.args.get("q", "")))


@bp.route("/suggest/members")
@login_required
@rate_limit("RATELIMIT_SUGGEST", key=member_key, methods=("GET",))
def suggest_members():
    """Members for the manager type-ahead, as JSON: names and departments (emails for HR only)."""
    return jsonify(profiles.suggest_members(request.args.get("q", ""), with_email=current_user.is_hr))
