"""The e-mails /v1/auth sends: finish a sign-up, "you already have an account", reset a password.

Every one is queued (:meth:`http_api.mail.Mailer.enqueue`), never sent inside the request.
Links carry their token in the fragment (``#token=``): browsers do not send it to the server
when the page loads, nor in a ``Referer``, so it stays out of access logs.
"""

from __future__ import annotations

from aiohttp import web

from http_api.client_address import is_https
from http_api.keys import MAILER, SETTINGS

__all__ = ["send_signup_link", "send_already_registered", "send_reset_link"]


def _base(request: web.Request) -> str:
    """The base of e-mailed links.

    The Host header is the requester's to choose; it is used only when mail goes to the log
    (no SMTP). With SMTP, start-up insists on DTTOOLS_PUBLIC_URL (reset poisoning).
    """
    public = request.app[SETTINGS].public_url
    if public:
        return public.rstrip("/")
    scheme = "https" if is_https(request) else "http"
    return f"{scheme}://{request.host}"


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes >= 120 and minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes"


def send_signup_link(request: web.Request, to: str, name: str, token: str) -> None:
    """Queue the link that creates the account of a sign-up (proves the address is theirs)."""
    ttl = _minutes(request.app[SETTINGS].signup_token_ttl_s)
    request.app[MAILER].enqueue(
        to,
        "Finish creating your DTTools account",
        f"Hello {name},\n\nTo finish creating your DTTools account, open this link within "
        f"{ttl}:\n\n{_base(request)}/verify-email#token={token}\n\nThe link works once. If "
        "you did not sign up, ignore this message: no account is created without it.\n",
    )


def send_already_registered(request: web.Request, to: str, name: str) -> None:
    """Queue a notice to the owner of an address that someone tried to sign up with."""
    base = _base(request)
    request.app[MAILER].enqueue(
        to,
        "You already have a DTTools account",
        f"Hello {name},\n\nSomeone, perhaps you, asked to create a DTTools account with this "
        f"e-mail address. It already has one, so nothing was changed.\n\nTo sign in: {base}/"
        f"#/login\nForgot your password? {base}/#/forgot\n\nIf it was not you, ignore this "
        "message: your account and password are unchanged.\n",
    )


def send_reset_link(request: web.Request, to: str, name: str, token: str) -> None:
    """Queue a single-use password-reset link."""
    ttl = _minutes(request.app[SETTINGS].reset_token_ttl_s)
    request.app[MAILER].enqueue(
        to,
        "Reset your DTTools password",
        f"Hello {name},\n\nTo choose a new password, open this link within {ttl}:\n\n"
        f"{_base(request)}/reset-password#token={token}\n\nThe link works once. If you did "
        "not ask for it, ignore this message.\n",
    )
