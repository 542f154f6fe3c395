"""The OpenID Connect client (Authlib): discovery, authorization code with PKCE, and the ID token check.

Configured by ``OIDC_ISSUER``, ``OIDC_CLIENT_ID`` and ``OIDC_CLIENT_SECRET``
(``OIDC_NAME`` names the button). The provider's settings come from its
discovery document (``<issuer>/.well-known/openid-configuration``), fetched
on the first sign-in. Authlib keeps ``state``, ``nonce`` and the PKCE
``code_verifier`` in the session; on the way back it checks the state,
sends the verifier with the code, and verifies the ID token's signature
against the provider's JWKS. Here the issuer, the audience (our client id,
always: Authlib alone would accept another audience with ``azp`` set to us),
the expiry and the nonce are required, and every failure becomes a sentence
for the person signing in.
"""

from __future__ import annotations

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request, session
from flask_babel import gettext as _
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, JoseError
from requests import RequestException

from webapp.services.sso import Identity, SsoRefused

#: Where the client lives in ``app.extensions``: one per app, since each app may name its own provider.
EXTENSION = "copmatch_oidc"
#: Seconds of clock difference tolerated on ``exp`` and ``iat``.
LEEWAY = 60


def init_sso(app: Flask) -> None:
    """Register the OpenID Connect client when ``OIDC_ISSUER`` is set."""
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth.register(
        "oidc",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config.get("OIDC_CLIENT_SECRET"),
        server_metadata_url=issuer + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "default_timeout": app.config["OIDC_TIMEOUT"]},
    )


def sso_enabled() -> bool:
    return EXTENSION in current_app.extensions


def provider_name() -> str:
    """What the button calls the provider: ``OIDC_NAME``, or "single sign-on"."""
    return current_app.config.get("OIDC_NAME") or _("single sign-on")


def _client():
    return current_app.extensions[EXTENSION]


def authorize_redirect(redirect_uri: str):
    """Send the browser to the provider (state, nonce and PKCE challenge included)."""
    try:
        return _client().authorize_redirect(redirect_uri)
    except (RequestException, ValueError, KeyError) as error:
        current_app.logger.warning("Single sign-on: the provider's discovery document could not be read: %s", error)
        raise SsoRefused(_("CoPMatch could not reach %(name)s just now. Try again in a moment.",
                           name=provider_name()), status=502) from None


def verified_identity() -> Identity:
    """Exchange the code the provider sent back and verify the ID token; raise ``SsoRefused`` saying why."""
    client = _client()
    issuer = current_app.config["OIDC_ISSUER"]
    name = provider_name()
    claims_options = {"iss": {"essential": True, "value": issuer},
                      "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]}}
    if not client.framework.get_state_data(session, request.args.get("state")):
        # Not a sign-in this browser started (or it timed out): refused before asking the provider anything.
        raise SsoRefused(_oauth_refusal(MismatchingStateError(), name), status=400)
    try:
        if client.load_server_metadata().get("issuer", "").rstrip("/") != issuer:
            raise SsoRefused(_("%(name)s describes itself as another issuer than the one CoPMatch is set up for. "
                               "Ask your IT team to check OIDC_ISSUER.", name=name))
        token = client.authorize_access_token(claims_options=claims_options, leeway=LEEWAY)
    except OAuthError as error:
        raise SsoRefused(_oauth_refusal(error, name), status=400 if error.error == "mismatching_state" else 403) \
            from None
    except ExpiredTokenError:
        raise SsoRefused(_("The sign-in from %(name)s had already expired when it arrived. Try again; if it keeps "
                           "happening, ask your IT team to check the server's clock.", name=name)) from None
    except BadSignatureError:
        raise SsoRefused(_("The sign-in from %(name)s is not signed by its key, so CoPMatch cannot trust it.",
                           name=name)) from None
    except ClaimError as error:
        raise SsoRefused(_claim_refusal(error.claim, name)) from None
    except JoseError as error:
        current_app.logger.warning("Single sign-on: unreadable ID token (%s)", error.error)
        raise SsoRefused(_("The sign-in from %(name)s could not be read, so CoPMatch cannot trust it.",
                           name=name)) from None
    except (RequestException, ValueError, KeyError) as error:
        current_app.logger.warning("Single sign-on: the provider could not be reached: %s", error)
        raise SsoRefused(_("CoPMatch could not reach %(name)s just now. Try again in a moment.",
                           name=name), status=502) from None
    userinfo = token.get("userinfo")
    if not userinfo:
        raise SsoRefused(_("%(name)s sent no identity token, so CoPMatch cannot tell who you are.", name=name))
    return Identity.from_claims(issuer, dict(userinfo))


def _oauth_refusal(error: OAuthError, name: str) -> str:
    if error.error == "mismatching_state":
        return _("This sign-in was not started here, or it took too long. Start again from the log-in page.")
    if error.error == "access_denied":
        return _("The sign-in was cancelled at %(name)s.", name=name)
    current_app.logger.warning("Single sign-on refused by the provider: %s", error.error)
    return _("%(name)s refused the sign-in. Try again, or ask your IT team.", name=name)


def _claim_refusal(claim: str, name: str) -> str:
    if claim == "aud" or claim == "azp":
        return _("The sign-in from %(name)s was issued for another application, not for CoPMatch.", name=name)
    if claim == "nonce":
        return _("The sign-in from %(name)s does not belong to this attempt (its nonce differs). Start again from "
                 "the log-in page.", name=name)
    if claim == "iss":
        return _("The sign-in does not come from %(name)s, the issuer CoPMatch is set up for.", name=name)
    if claim in ("exp", "iat", "nbf"):
        return _("The sign-in from %(name)s is not valid at this time. Try again; if it keeps happening, ask "
                 "your IT team to check the server's clock.", name=name)
    return _("The sign-in from %(name)s is missing what CoPMatch needs (%(claim)s).", name=name, claim=claim)
