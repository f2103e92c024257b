"""Account pages and API: change one's password, list and disable accounts.

An education authority sees the accounts it could create (its scope, its level
or below) and disables or enables them; every change goes through
:mod:`junheng.services.accounts`, which writes the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from junheng.errors import InvalidInput, JunhengError
from junheng.services import accounts
from junheng.services.access import Principal
from junheng.store.models import User
from junheng.web.auth import CurrentPrincipal, DbSession, log_in, token_principals
from junheng.web.errors import ERROR_RESPONSES
from junheng.web.pages.render import language_of, render
from junheng.web.params import RowId

log = logging.getLogger("junheng.web")
router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["users"], responses=ERROR_RESPONSES)

SEE_OTHER = 303
PASSWORD_CHANGED = "password_changed"
EMAIL_SAVED = "email_saved"
LANGUAGE_SAVED = "language_saved"
Password = Annotated[str, Form(max_length=1024)]
Change = Annotated[
    Literal["disable", "enable"], Path(description="disable or enable the account")
]


class UserOut(BaseModel):
    """An account as an administrator sees it (never the password hash)."""

    id: int
    username: str
    role: str
    scope_code: str
    school_code: str | None
    display_name: str | None
    email: str | None
    language: str | None
    active: bool


def _user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        role=user.role,
        scope_code=user.scope_code,
        school_code=user.school_code,
        display_name=user.display_name,
        email=user.email,
        language=user.language,
        active=user.active,
    )


def _account_context(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> dict[str, object]:
    user = session.get(User, principal.user_id) if principal.user_id else None
    return {
        "message": "",
        "changed": bool(request.session.pop(PASSWORD_CHANGED, False)),
        "email": user.email if user is not None else None,
        "email_saved": bool(request.session.pop(EMAIL_SAVED, False)),
        "email_message": "",
        "digest_language": user.language if user is not None else None,
        "language_saved": bool(request.session.pop(LANGUAGE_SAVED, False)),
        "language_message": "",
    }


@router.get("/account/password")
def password_page(
    request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Show the forms that change the caller's password and the address and
    language of the caller's digest."""
    return render(
        request, "password.html", _account_context(request, session, principal)
    )


@router.post("/account/email")
def change_email(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    email: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Set or clear the caller's digest address."""
    return _save_own(
        request, session, principal, "email", email, accounts.set_email, EMAIL_SAVED
    )


@router.post("/account/language")
def change_language(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    language: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Set the language of the caller's digest, or clear it for the default."""
    return _save_own(
        request,
        session,
        principal,
        "language",
        language,
        accounts.set_language,
        LANGUAGE_SAVED,
    )


def _save_own(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    field: Literal["email", "language"],
    value: str,
    setter: Callable[[Session, Principal, int, str | None], User],
    saved: str,
) -> Response:
    """Store ``value`` as the caller's digest ``field`` with ``setter``. When
    it is rejected, show the account page again with the error."""
    try:
        if principal.user_id is None:
            raise InvalidInput(
                "this caller has no account, so it has no digest "
                + ("address" if field == "email" else "language"),
                zh="当前调用方没有账号，不能设置预警摘要"
                + ("邮箱" if field == "email" else "语言"),
            )
        setter(session, principal, principal.user_id, value)
    except JunhengError as error:
        session.rollback()
        context = _account_context(request, session, principal)
        form_field = "email" if field == "email" else "digest_language"
        context |= {
            form_field: value,
            f"{field}_message": error.message(language_of(request)),
        }
        return render(request, "password.html", context, status_code=error.status)
    session.commit()
    request.session[saved] = True
    return RedirectResponse("/account/password", status_code=SEE_OTHER)


@router.post("/account/password")
def change_password(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    current: Password,
    new: Password,
    repeat: Password,
) -> Response:
    """Change the caller's password; other sessions of the account end."""
    try:
        if new != repeat:
            raise InvalidInput(
                "the two new passwords differ", zh="两次输入的新密码不一致"
            )
        assert principal.user_id is not None  # a logged-in user
        accounts.set_password(
            session, principal, principal.user_id, new, current_password=current
        )
    except JunhengError as error:
        session.rollback()
        log.info(
            "password change rejected for user %r: %s", principal.username, error.code
        )
        context = _account_context(request, session, principal)
        context["message"] = error.message(language_of(request))
        return render(request, "password.html", context, status_code=error.status)
    session.commit()
    user = session.get(User, principal.user_id)
    assert user is not None
    log_in(request, principal, user.session_epoch)
    request.session[PASSWORD_CHANGED] = True
    return RedirectResponse("/account/password", status_code=SEE_OTHER)


@router.get("/account/users")
def users_page(
    request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """List the accounts the caller may disable or enable."""
    users = accounts.manageable_users(session, principal)
    return render(request, "users.html", {"users": users})


@router.post("/account/users/{user_id}/{change}")
def change_user_form(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    user_id: RowId,
    change: Change,
) -> Response:
    """Disable or enable an account from the users page."""
    accounts.set_active(session, principal, user_id, change == "enable")
    session.commit()
    token_principals(request).clear()
    return RedirectResponse("/account/users", status_code=SEE_OTHER)


@api_router.get("/users", response_model=list[UserOut])
def list_users(principal: CurrentPrincipal, session: DbSession) -> list[UserOut]:
    """List the accounts the caller may disable or enable."""
    return [_user_out(u) for u in accounts.manageable_users(session, principal)]


@api_router.post("/users/{user_id}/{change}", response_model=UserOut)
def change_user(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    user_id: RowId,
    change: Change,
) -> UserOut:
    """Disable an account (no login; its sessions and tokens end) or enable it."""
    user = accounts.set_active(session, principal, user_id, change == "enable")
    session.commit()
    token_principals(request).clear()
    return _user_out(user)
