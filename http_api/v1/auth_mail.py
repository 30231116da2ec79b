"""The e-mails /v1/auth sends: finish a sign-up, "you already have an account", reset a password.

Each is written in its recipient's language: the account's ``locale``, or for a sign-up the
language it was asked in (the account does not exist yet).

Every one is queued (:meth:`http_api.mail.Mailer.enqueue`), never sent inside the request.
Links carry their token in the fragment (``#token=``): browsers do not send it to the server
when the page loads, nor in a ``Referer``, so it stays out of access logs.
"""

from __future__ import annotations

from aiohttp import web

from collab.i18n import DEFAULT_LOCALE, Text, msg
from http_api.client_address import is_https
from http_api.i18n import translate
from http_api.keys import MAILER, SETTINGS

__all__ = ["link_base", "send_signup_link", "send_already_registered", "send_reset_link"]


def link_base(request: web.Request) -> str:
    """The base of e-mailed links.

    The Host header is the requester's to choose; it is used only when mail goes to the log
    (no SMTP). With SMTP, start-up insists on DTTOOLS_PUBLIC_URL (reset poisoning).
    """
    public = request.app[SETTINGS].public_url
    if public:
        return public.rstrip("/")
    scheme = "https" if is_https(request) else "http"
    return f"{scheme}://{request.host}"


def _minutes(seconds: float) -> Text:
    minutes = round(seconds / 60)
    if minutes >= 120 and minutes % 60 == 0:
        return msg("{count} hours", count=minutes // 60)
    return msg("{count} minutes", count=minutes)


def _send(request: web.Request, to: str, locale: str, subject: Text, body: Text) -> None:
    """Queue a message in the recipient's language (the account's, or the sign-up's)."""
    request.app[MAILER].enqueue(to, translate(subject, locale), translate(body, locale))


def send_signup_link(
    request: web.Request, to: str, name: str, token: str, locale: str = DEFAULT_LOCALE
) -> None:
    """Queue the link that creates the account of a sign-up (proves the address is theirs)."""
    _send(
        request,
        to,
        locale,
        msg("Finish creating your DTTools account"),
        msg(
            "Hello {name},\n\nTo finish creating your DTTools account, open this link within "
            "{ttl}:\n\n{link}\n\nThe link works once. If you did not sign up, ignore this "
            "message: no account is created without it.\n",
            name=name,
            ttl=_minutes(request.app[SETTINGS].signup_token_ttl_s),
            link=f"{link_base(request)}/verify-email#token={token}",
        ),
    )


def send_already_registered(
    request: web.Request, to: str, name: str, locale: str = DEFAULT_LOCALE
) -> None:
    """Queue a notice to the owner of an address that someone tried to sign up with."""
    _send(
        request,
        to,
        locale,
        msg("You already have a DTTools account"),
        msg(
            "Hello {name},\n\nSomeone, perhaps you, asked to create a DTTools account with "
            "this e-mail address. It already has one, so nothing was changed.\n\nTo sign in: "
            "{base}/#/login\nForgot your password? {base}/#/forgot\n\nIf it was not you, "
            "ignore this message: your account and password are unchanged.\n",
            name=name,
            base=link_base(request),
        ),
    )


def send_reset_link(
    request: web.Request, to: str, name: str, token: str, locale: str = DEFAULT_LOCALE
) -> None:
    """Queue a single-use password-reset link."""
    _send(
        request,
        to,
        locale,
        msg("Reset your DTTools password"),
        msg(
            "Hello {name},\n\nTo choose a new password, open this link within {ttl}:\n\n"
            "{link}\n\nThe link works once. If you did not ask for it, ignore this message.\n",
            name=name,
            ttl=_minutes(request.app[SETTINGS].reset_token_ttl_s),
            link=f"{link_base(request)}/reset-password#token={token}",
        ),
    )
