"""Register, log in, log out and set a password from a one-time link."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from models import AccountToken, db
from models.base import utcnow
from webapp.auth import bp
from webapp.auth.forms import LoginForm, RegistrationForm, SetPasswordForm
from webapp.i18n import current_language, in_language
from webapp.main.routes import remember_language
from webapp.security import is_safe_next
from webapp.services.accounts import AccountError, find_member_by_email, register_member
from webapp.services.tokens import hash_token, is_expired


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account with a display name, email and password, then log in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            # The new member keeps the language they registered in.
            member = register_member(form.email.data, form.display_name.data, form.password.data,
                                     locale=current_language())
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            login_user(member)
            flash(_("Welcome, %(name)s! Tell us what you know and want to learn.", name=member.display_name), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password; follow ``next`` only within the site."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        member = find_member_by_email(form.email.data)
        if member is None or not member.check_password(form.password.data) or not member.active:
            flash(_("Wrong email or password, or the account is deactivated."), "error")
        else:
            login_user(member, remember=form.remember_me.data)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out (a POST with a CSRF token, so no link can log anyone out).

    The member's language stays with the browser, so the pages after speak it too.
    """
    locale = current_user.locale
    logout_user()  # CSRFProtect has already checked the token
    with in_language(locale):
        flash(_("You are logged out."), "info")
    return remember_language(redirect(url_for("main.index")), locale)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """The one-time link an imported member follows to choose a password."""
    record = db.session.scalar(
        sa.select(AccountToken).where(
            AccountToken.token_hash == hash_token(token), AccountToken.purpose == "set_password"
        )
    )
    if record is None:
        abort(404)
    if record.used_at is not None or is_expired(record.expires_at) or not record.member.active:
        abort(410)
    form = SetPasswordForm()
    if form.validate_on_submit():
        record.member.set_password(form.password.data)
        record.used_at = utcnow()
        db.session.commit()
        flash(_("Your password is set. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, member=record.member)
