"""A tiny local OpenID Connect provider, so tests can sign in through Streamlit's real
st.login flow with no network.

It serves one client and one user on 127.0.0.1 (a stdlib HTTP server in a thread):

- /.well-known/openid-configuration: the discovery document st.login's server_metadata_url
  points at;
- /authorize: approves at once (no login form) and redirects back to the client's
  redirect_uri with a one-time code and the client's state;
- /token: trades the code (client secret and PKCE verifier checked) for an id_token signed
  RS256 with a key made at start, carrying the nonce from /authorize, aud=client_id, iss,
  sub, email and name;
- /jwks: the public half of that key, which the client uses to check the signature.

Plain http on a loopback address is allowed by Authlib (RFC 8252), so no insecure-transport
setting is needed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt  # Authlib's own JOSE library (authlib.jose is deprecated)
from joserfc.jwk import RSAKey

from tests.support import JSONHandler

TOKEN_LIFETIME_S = 300


@dataclass
class OIDCProvider:
    """What the provider serves and what it has handed out."""

    client_id: str
    client_secret: str
    redirect_uri: str
    email: str
    name: str
    issuer: str = ""  # set once the server listens
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, auto_kid=True))
    grants: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> /authorize data
    tokens_issued: int = 0

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict[str, object]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """The redirect back to the client, with a fresh code bound to this request."""
        if query.get("client_id") != self.client_id:
            raise ValueError("unknown client_id")
        if query.get("redirect_uri") != self.redirect_uri:
            raise ValueError("redirect_uri is not the registered one")
        if query.get("response_type") != "code":
            raise ValueError("only response_type=code is supported")
        if not query.get("state"):
            raise ValueError("state is missing")
        code = secrets.token_urlsafe(16)
        self.grants[code] = query
        return f"{self.redirect_uri}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str], authorization: str) -> dict[str, object]:
        """The token response for a code from /authorize (each code works once)."""
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if authorization != f"Basic {expected}":
            raise ValueError("wrong client credentials")
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None:
            raise ValueError("unknown or used code")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            raise ValueError("redirect_uri differs from the one authorized")
        if "code_challenge" in grant:
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["code_challenge"]:
                raise ValueError("PKCE code_verifier does not match")
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.email,
            "aud": self.client_id,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_S,
            "nonce": grant.get("nonce"),
            "email": self.email,
            "name": self.name,
        }
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        self.tokens_issued += 1
        return {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_S,
            "id_token": id_token,
        }

    def jwks(self) -> dict[str, object]:
        return {"keys": [self.key.as_dict(private=False, use="sig")]}


def _handler(provider: OIDCProvider) -> type[JSONHandler]:
    class Handler(JSONHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            url = urlsplit(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self.send_json(200, provider.metadata())
            elif url.path == "/jwks":
                self.send_json(200, provider.jwks())
            elif url.path == "/authorize":
                try:
                    location = provider.authorize(query)
                except ValueError as error:
                    self.refuse("invalid_request", error)
                    return
                self.send_response(302)
                self.send_header("location", location)
                self.send_header("content-length", "0")
                self.end_headers()
            else:
                self.send_json(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            if urlsplit(self.path).path != "/token":
                self.send_json(404, {"error": "not_found"})
                return
            body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
            form = {name: values[0] for name, values in parse_qs(body).items()}
            try:
                answer = provider.token(form, self.headers.get("authorization", ""))
            except ValueError as error:
                self.refuse("invalid_grant", error)
                return
            self.send_json(200, answer)

        def refuse(self, code: str, error: ValueError) -> None:
            """An OAuth error answer (RFC 6749 section 5.2)."""
            self.send_json(400, {"error": code, "error_description": str(error)})

    return Handler


@contextmanager
def oidc_provider(
    *, client_id: str, client_secret: str, redirect_uri: str, email: str, name: str
) -> Iterator[OIDCProvider]:
    """A running provider on a free 127.0.0.1 port for the block's duration."""
    provider = OIDCProvider(client_id, client_secret, redirect_uri, email, name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
