"""A real OpenID Connect provider for the tests, served over HTTP on 127.0.0.1.

It publishes a discovery document and a JWKS with a real RSA key, shows no
log-in page (it signs in whoever ``user`` says), issues one-time codes at
its authorization endpoint and signed ID tokens at its token endpoint. It
enforces what a real provider does: a registered client with its secret,
the redirect URI the code was issued for, and PKCE (S256: the code
verifier must hash to the challenge). ``flaws`` makes it misbehave the way
a broken or hostile provider would: another audience, an expired token,
the wrong key, another nonce.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "copmatch"
CLIENT_SECRET = "client-secret-for-the-tests"
KEY_ID = "test-signing-key"


@dataclass
class User:
    """Who the provider signs in next."""

    subject: str = "user-0001"
    email: str | None = "somsri@corp.example"
    email_verified: bool = True
    name: str | None = "สมศรี คงดี"


@dataclass
class Provider:
    issuer: str = ""
    user: User = field(default_factory=User)
    #: Misbehaviours for the next ID token: "audience", "expired", "signature", "nonce".
    flaws: set[str] = field(default_factory=set)
    #: What the provider received: the authorization requests and the token requests.
    authorizations: list[dict] = field(default_factory=list)
    token_requests: list[dict] = field(default_factory=list)

    def reset(self) -> None:
        self.user, self.flaws = User(), set()
        self.authorizations.clear()
        self.token_requests.clear()


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def build_app(provider: Provider) -> Flask:
    key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
    impostor = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
    codes: dict[str, dict] = {}
    app = Flask("oidc-test-provider")

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(
            issuer=provider.issuer,
            authorization_endpoint=provider.issuer + "/authorize",
            token_endpoint=provider.issuer + "/token",
            jwks_uri=provider.issuer + "/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            scopes_supported=["openid", "email", "profile"],
        )

    @app.get("/jwks")
    def jwks():
        return jsonify(keys=[key.as_dict(private=False)])

    @app.get("/authorize")
    def authorize():
        args = request.args.to_dict()
        provider.authorizations.append(args)
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
            abort(400)
        if "openid" not in args.get("scope", "").split() or not args.get("state") or not args.get("nonce"):
            abort(400)
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            abort(400)
        code = secrets.token_urlsafe(16)
        codes[code] = {"redirect_uri": args["redirect_uri"], "challenge": args["code_challenge"],
                       "nonce": args["nonce"], "user": provider.user}
        return redirect(f"{args['redirect_uri']}?code={code}&state={args['state']}")

    @app.post("/token")
    def token():
        form = request.form.to_dict()
        provider.token_requests.append(form)
        auth = request.authorization
        client_id, secret = (auth.username, auth.password) if auth else (form.get("client_id"), form.get("client_secret"))
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return jsonify(error="invalid_client"), 401
        grant = codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("grant_type") != "authorization_code":
            return jsonify(error="invalid_grant"), 400
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return jsonify(error="invalid_grant", error_description="redirect_uri differs"), 400
        if _s256(form.get("code_verifier", "")) != grant["challenge"]:
            return jsonify(error="invalid_grant", error_description="PKCE verification failed"), 400
        user: User = grant["user"]
        now = int(time.time())
        claims = {"iss": provider.issuer, "sub": user.subject, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], "email_verified": user.email_verified}
        if user.email is not None:
            claims["email"] = user.email
        if user.name is not None:
            claims["name"] = user.name
        if "audience" in provider.flaws:  # issued for another app, naming us only as azp
            claims["aud"], claims["azp"] = "another-application", CLIENT_ID
        if "expired" in provider.flaws:
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        if "nonce" in provider.flaws:
            claims["nonce"] = "a-nonce-from-another-sign-in"
        signing_key = impostor if "signature" in provider.flaws else key
        id_token = jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, signing_key)
        return jsonify(access_token=secrets.token_urlsafe(16), token_type="Bearer", expires_in=300,
                       id_token=id_token)

    return app


class RunningProvider:
    """The provider served by a real HTTP server on 127.0.0.1 (an unused port) in a thread."""

    def __init__(self):
        self.provider = Provider()
        self._server = make_server("127.0.0.1", 0, build_app(self.provider), threaded=True)
        self.provider.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self._thread.start()
        return self.provider

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
