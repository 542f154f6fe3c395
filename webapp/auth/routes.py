"""Who gets in: sign-up, log-in and log-out, single sign-on, and passwords from one-time links.

Every answer here is the same whether or not an address has an account;
every form an outsider could try many times is rate limited
(``webapp.security.rate_limit``); a log-in starts a fresh session.
"""

from __future__ import annotations

from flask import (abort, after_this_request, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from models import db
from webapp.auth import bp
from webapp.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, RegistrationForm, SetPasswordForm
from webapp.auth.sso import authorize_redirect, provider_name, sso_enabled, verified_identity
from webapp.i18n import current_language, in_language
from webapp.main.routes import remember_language
from webapp.security import is_safe_next, member_key, private_page, rate_limit, start_session, submitted_email
from webapp.services import accounts, audit, signups
from webapp.services import sso as sso_service
from webapp.services.messages import deliver_after_commit

#: Shared counters: every form that emails an address counts against the same limits.
EMAIL_BY_ADDRESS = "email-by-address"
EMAIL_BY_RECIPIENT = "email-by-recipient"


@bp.app_context_processor
def sign_in_options():
    """What the header and the log-in page offer: password log-in, joining, single sign-on."""
    return {"password_login": current_app.config["PASSWORD_LOGIN"],
            "registration_open": signups.registration_mode() != "closed",
            "sso_enabled": sso_enabled(), "sso_name": provider_name}


def _password_login_only():
    """404 for the password pages when ``PASSWORD_LOGIN=false`` (single sign-on only)."""
    if not current_app.config["PASSWORD_LOGIN"]:
        abort(404)


def _send_after_response(messages) -> None:
    """Send once the response has gone, so how long a page takes never tells whether it sent anything."""
    if not messages:
        return
    app = current_app._get_current_object()

    def send():
        with app.app_context():
            deliver_after_commit(messages)

    @after_this_request
    def schedule(response):
        response.call_on_close(send)
        return response


def _next_page(member=None, target: str | None = None) -> str:
    """Where a log-in leads: a safe ``next``, else HR's dashboard for HR and the home page for others."""
    target = request.args.get("next") if target is None else target
    if is_safe_next(target):
        return target
    return url_for("dashboard.index") if member is not None and member.is_hr else url_for("main.index")


# --- joining ---------------------------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@rate_limit("RATELIMIT_EMAIL_ADDRESS", scope=EMAIL_BY_ADDRESS)
@rate_limit("RATELIMIT_EMAIL_RECIPIENT", key=submitted_email, scope=EMAIL_BY_RECIPIENT)
def register():
    """Ask to join with a name and a work email; the link sent there creates the account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    if signups.registration_mode() == "closed":
        return render_template("auth/register_closed.html"), 403 if request.method == "POST" else 200
    form = RegistrationForm()
    if form.validate_on_submit():
        if problem := signups.refusal(form.email.data):
            form.email.errors.append(problem)
        else:
            messages = signups.request_signup(form.email.data, form.display_name.data, current_language())
            db.session.commit()
            _send_after_response(messages)
            return redirect(url_for("auth.check_inbox", sent="signup"))
    domains = ", ".join("@" + domain for domain in current_app.config["ALLOWED_EMAIL_DOMAINS"])
    return render_template("auth/register.html", form=form, domains=domains if signups.registration_mode() == "domains"
                           else "")


@bp.route("/check-inbox")
def check_inbox():
    """"Check your inbox", the same page whether or not the address has an account."""
    return render_template("auth/check_inbox.html", sent=request.args.get("sent", "signup"))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@rate_limit("RATELIMIT_TOKEN", methods=("GET", "POST"))
def confirm_signup(token: str):
    """The link sent to someone who asked to join: confirms the address, and they choose a password."""
    _password_login_only()
    signup = signups.find_signup(token)
    if signup is None:
        abort(404)
    if not signups.signup_usable(signup):
        abort(410, description=_("This link was already used or has expired. If you already have an account, "
                                 "log in; otherwise ask to join again."))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            member = signups.complete_signup(signup, form.password.data)
        except accounts.WeakPassword as error:
            form.password.errors.append(str(error))
        else:
            if member is None:
                db.session.rollback()
                abort(410)
            db.session.commit()
            start_session(member)
            flash(_("Welcome, %(name)s! Tell us what you know and want to learn.", name=member.display_name),
                  "success")
            return redirect(url_for("profile.edit"))
    return private_page(render_template("auth/choose_password.html", form=form, name=signup.display_name,
                                        email=signup.email, purpose="signup"))


# --- logging in and out ----------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@rate_limit("RATELIMIT_LOGIN_ADDRESS", failures_only=True)
@rate_limit("RATELIMIT_LOGIN_ACCOUNT", key=submitted_email, failures_only=True)
def login():
    """Log in with email and password, or start single sign-on; follow ``next`` only within the site."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    if request.method == "POST":
        _password_login_only()
    form = LoginForm()
    if form.validate_on_submit():
        attempt = accounts.authenticate(form.email.data, form.password.data)
        if attempt.may_log_in:
            start_session(attempt.member, remember=form.remember_me.data)
            return redirect(_next_page(attempt.member))
        if attempt.member is not None:  # the right password for an address nobody has confirmed
            messages = accounts.confirmation_needed(attempt.member)
            db.session.commit()
            _send_after_response(messages)
            flash(_("This address is not confirmed yet. We have sent it a link: choose your password there, "
                    "then log in."), "info")
        else:
            audit.record_failed_login(attempt.known)
            db.session.commit()
            flash(_("Wrong email or password, or the account is deactivated."), "error")
    return render_template("auth/login.html", form=form, next=request.args.get("next"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out everywhere (a POST with a CSRF token, so no link can log anyone out).

    The member's session token changes, so this browser's cookies and any copy
    of them stop working. The member's language stays with the browser, so the
    pages after speak it too.
    """
    member = current_user._get_current_object()
    locale = member.locale
    member.end_sessions()
    db.session.commit()
    logout_user()  # CSRFProtect has already checked the token
    session.clear()
    with in_language(locale):
        flash(_("You are logged out."), "info")
    return remember_language(redirect(url_for("main.index")), locale)


# --- single sign-on --------------------------------------------------------------------------


@bp.route("/sso")
def sso_login():
    """Start single sign-on: off to the provider, with state, nonce and a PKCE challenge."""
    if not sso_enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    session["sso_next"] = request.args.get("next") if is_safe_next(request.args.get("next")) else ""
    try:
        callback = current_app.config["OIDC_REDIRECT_URI"] or url_for("auth.sso_callback", _external=True)
        return authorize_redirect(callback)
    except sso_service.SsoRefused as refused:
        return render_template("auth/sso_refused.html", reason=str(refused)), refused.status


@bp.route("/sso/callback")
def sso_callback():
    """Back from the provider: verify the ID token, find or link the account, log in."""
    if not sso_enabled():
        abort(404)
    try:
        identity = verified_identity()
        member = sso_service.member_for(identity, current_app.config["ALLOWED_EMAIL_DOMAINS"], current_language())
    except sso_service.SsoRefused as refused:
        db.session.rollback()
        return render_template("auth/sso_refused.html", reason=str(refused)), refused.status
    db.session.commit()
    target = session.get("sso_next")
    start_session(member)
    return redirect(_next_page(member, target or ""))


# --- passwords -------------------------------------------------------------------------------


@bp.route("/forgot-password", methods=["GET", "POST"])
@rate_limit("RATELIMIT_EMAIL_ADDRESS", scope=EMAIL_BY_ADDRESS)
@rate_limit("RATELIMIT_EMAIL_RECIPIENT", key=submitted_email, scope=EMAIL_BY_RECIPIENT)
def forgot_password():
    """Ask for a link to choose a new password; the answer is the same for any address."""
    _password_login_only()
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        messages = accounts.request_password_reset(form.email.data)
        db.session.commit()
        _send_after_response(messages)
        return redirect(url_for("auth.check_inbox", sent="reset"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@rate_limit("RATELIMIT_TOKEN", methods=("GET", "POST"))
def set_password(token: str):
    """The one-time link to choose a first password (after an import, or to claim one's address)."""
    return _password_from_link(token, "set_password")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@rate_limit("RATELIMIT_TOKEN", methods=("GET", "POST"))
def reset_password(token: str):
    """The one-time link from "Forgot password" to choose a new password."""
    return _password_from_link(token, "reset_password")


def _password_from_link(token: str, purpose: str):
    """Check the link (404 unknown, 410 used or expired), then set the password it allows, once."""
    _password_login_only()
    record = accounts.find_link(token, (purpose,))
    if record is None:
        abort(404)
    if not accounts.link_usable(record):
        abort(410)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            used = accounts.set_password_from_link(record, form.password.data)
        except accounts.WeakPassword as error:
            form.password.errors.append(str(error))
        else:
            if not used:  # the same link, used a moment ago from another tab
                db.session.rollback()
                abort(410)
            db.session.commit()
            flash(_("Your password is set. Please log in."), "success")
            return redirect(url_for("auth.login"))
    member = record.member
    return private_page(render_template("auth/choose_password.html", form=form, name=member.display_name,
                                        email=member.email, purpose=purpose))  # the address is the link itself


@bp.route("/password", methods=["GET", "POST"])
@login_required
@rate_limit("RATELIMIT_PASSWORD_CHANGE", key=member_key, failures_only=True)
def change_password():
    """Change my password with the current one; my other sessions end, this one goes on."""
    _password_login_only()
    member = current_user._get_current_object()
    form = ChangePasswordForm()
    if member.password_hash and form.validate_on_submit():
        try:
            accounts.change_password(member, form.current.data, form.password.data)
        except accounts.WeakPassword as error:
            form.password.errors.append(str(error))
        except accounts.AccountError as error:
            form.current.errors.append(str(error))
        else:
            db.session.commit()
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            start_session(member, remember=remembered)
            flash(_("Your password is changed. You are logged out everywhere else."), "success")
            return redirect(url_for("profile.edit"))
    return render_template("auth/change_password.html", form=form, has_password=bool(member.password_hash))
