"""HTTP hardening: a request id per request and the security headers on every response."""

import secrets

from flask import Flask, abort, current_app, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HSTS = "max-age=31536000; includeSubDomains"

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Not no-referrer: Flask-WTF checks the Referer on HTTPS POSTs (research/security.md §0.4).
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def register_security(app: Flask) -> None:
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    @app.before_request
    def _assign_request_id():
        g.request_id = secrets.token_hex(8)

    @app.before_request
    def _refuse_nul_bytes():
        # No text a person types holds a NUL; PostgreSQL refuses it in every parameter (a 500
        # there), SQLite would store it. One refusal for all input, before any view runs.
        values = [*request.args.values(), *request.form.values()]
        if any("\x00" in value for value in values):
            abort(400)

    @app.after_request
    def _harden(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        # Also when the site is configured as served over TLS (SCHAKEL_TLS=1 or production, the
        # switch behind the Secure cookie): behind a proxy that ends TLS the request looks like
        # plain HTTP here. Browsers ignore the header on a real HTTP response (RFC 6797 §8.1).
        if request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static":
            # Pages may hold case data: never store them in a browser or proxy cache.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        response.headers.pop("Server", None)
        return response
