"""SMTP delivery of outbox messages: one connection per run, settings from the app config.

The mailer knows nothing about the database; `services.send_due` claims the messages, hands
them over one by one and records what happened.
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

# What a delivery attempt can fail with: refused or dropped connections, time-outs, TLS and
# name-resolution problems are all OSError; everything the server answers with is SMTPException.
MAIL_ERRORS = (smtplib.SMTPException, OSError)

LOOPBACK = ("localhost", "127.0.0.1", "::1")


class MailConfigError(ValueError):
    """Settings that must not be used, whatever the state of the mail server."""


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config) -> "MailSettings":
        settings = cls(
            server=config["MAIL_SERVER"], port=int(config["MAIL_PORT"]),
            use_tls=bool(config["MAIL_USE_TLS"]), username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"), sender=config["MAIL_FROM"],
            timeout=float(config["MAIL_TIMEOUT"]),
        )
        settings.check()
        return settings

    def check(self) -> None:
        local, _, domain = parseaddr(self.sender)[1].rpartition("@")
        if not (local and domain):
            raise MailConfigError("MAIL_FROM is geen geldig e-mailadres.")
        if self.username and not self.use_tls and self.server not in LOOPBACK:
            raise MailConfigError("MAIL_USERNAME zonder MAIL_USE_TLS=1: het wachtwoord zou "
                                  "onversleuteld over het netwerk gaan.")

    @property
    def sender_domain(self) -> str:
        return parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"


class SmtpConnection:
    """One SMTP session for a whole run; `connect` opens it, leaving the block says QUIT."""

    def __init__(self, smtp: smtplib.SMTP, settings: MailSettings):
        self.smtp = smtp
        self.settings = settings

    def __enter__(self) -> "SmtpConnection":
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.smtp.quit()
        except MAIL_ERRORS:
            self.smtp.close()  # the outcomes are recorded already; a failing QUIT changes nothing

    def send(self, message) -> None:
        """Send one outbox message; raises one of MAIL_ERRORS when it was not accepted."""
        self.smtp.send_message(build_email(message, self.settings),
                               from_addr=parseaddr(self.settings.sender)[1],
                               to_addrs=[message.to_address])


def connect(settings: MailSettings) -> SmtpConnection:
    """Connect, STARTTLS when configured, log in when configured; raises one of MAIL_ERRORS."""
    smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    try:
        smtp.ehlo()
        if settings.use_tls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return SmtpConnection(smtp, settings)


def build_email(message, settings: MailSettings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    # Stable over retries, so a receiving server can drop a copy sent again after a crash.
    stamp = int(message.created_at.timestamp())
    email["Message-ID"] = f"<schakel.{message.id}.{stamp}@{settings.sender_domain}>"
    # RFC 3834: no out-of-office replies to a machine.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


def describe(exc: BaseException, settings: MailSettings) -> str:
    """A short reason for `last_error`: what went wrong, never a password or a message body."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        text = f"Ontvanger geweigerd door de mailserver (SMTP {', '.join(map(str, codes))})"
    elif isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error
        reply = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        text = f"SMTP {exc.smtp_code}: {' '.join(reply.split())}"
    elif isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        # smtplib turns a time-out while reading a reply into SMTPServerDisconnected
        text = f"Time-out: de mailserver antwoordde niet binnen {settings.timeout:g} s"
    elif isinstance(exc, ConnectionRefusedError):
        text = f"Verbinding geweigerd door {settings.server}:{settings.port}"
    elif isinstance(exc, OSError):
        text = f"{type(exc).__name__}: {exc.strerror or exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:200]
