"""``junheng feedback``: upkeep of the public feedback channel."""

from __future__ import annotations

import datetime as dt

import click

from junheng.cli import _console, _fail
from junheng.cli.platform import _transaction, _url_option
from junheng.errors import JunhengError


@click.group()
def feedback() -> None:
    """Look after public feedback: escalate items past their deadline."""


@feedback.command("escalate")
@click.option(
    "--scope",
    default="",
    show_default=False,
    help="Division code prefix (2, 4 or 6 digits) whose items to escalate; "
    "empty for the whole country.",
)
@click.option(
    "--now",
    "now",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    default=None,
    help="Run as if it were this UTC time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS), "
    "to catch up on a missed run; default: now. A time later than now is "
    "rejected, because the steps it writes cannot be undone.",
)
@_url_option
def escalate(scope: str, now: dt.datetime | None, url: str | None) -> None:
    """Move open feedback past its deadline one level up (county → city →
    province). Running it twice on one day moves nothing twice; the changes are
    audited as "system".
    """
    from junheng.services import feedback as service
    from junheng.services.warnings import scope_principal

    moment = now.replace(tzinfo=dt.UTC) if now else None
    if moment is not None and moment > dt.datetime.now(dt.UTC):
        raise click.BadParameter(
            f"{moment:%Y-%m-%d %H:%M} UTC is later than the current time. "
            "Give a past time or leave --now out.",
            param_hint="--now",
        )
    try:
        principal = scope_principal(scope, "system")
        with _transaction(url) as session:
            moved = service.escalate_overdue(session, principal, moment)
    except JunhengError as error:
        _fail(error)
    _console().print(
        f"已升级 / escalated: {moved} 条逾期意见 / overdue items",
        highlight=False,
        markup=False,
    )
