"""Account rules: password policy, names without case, existing scopes, lockout
that hides which names exist, and ending sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import stored_school
from services.people import ERQI, HENAN
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    PermissionDenied,
    TooManyAttempts,
)
from junheng.governance import audit
from junheng.services import accounts
from junheng.services.access import SYSTEM, Role
from junheng.store.models import AuditRecord, User

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def _county(store: Session, name: str = "zy-admin") -> User:
    return accounts.create_user(store, SYSTEM, name, PASSWORD, Role.COUNTY, "410102")


def _actions(store: Session) -> list[str]:
    return list(store.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))


@pytest.mark.parametrize(
    "password",
    ["        ", "12345678", "Password", "zy-admin", "ZY-ADMIN", "1234567"],
)
def test_weak_password_rejected(store: Session, password: str) -> None:
    with pytest.raises(InvalidInput):
        accounts.create_user(store, SYSTEM, "zy-admin", password, Role.COUNTY, "410102")


def test_user_names_unique_without_case(store: Session) -> None:
    _county(store, "Admin")
    with pytest.raises(Conflict):
        _county(store, "admin")
    principal = accounts.authenticate(store, "ADMIN", PASSWORD, NOW)
    assert principal.username == "Admin"


@pytest.mark.parametrize(
    ("role", "scope", "school"),
    [
        (Role.COUNTY, "999999", None),  # not a division
        (Role.CITY, "4199", None),
        (Role.PUBLIC, "99", None),
        (Role.SCHOOL, "410102", "2141999999"),  # school not in the store
        (Role.SCHOOL, "410103", "2141000001"),  # school of another county
    ],
)
def test_scope_and_school_must_exist(
    store: Session, role: Role, scope: str, school: str | None
) -> None:
    store.add(stored_school("2141000001", "410102"))
    store.flush()
    with pytest.raises(InvalidInput):
        accounts.create_user(store, SYSTEM, "u1", PASSWORD, role, scope, school)


def test_evaluator_needs_county(store: Session) -> None:
    with pytest.raises(InvalidInput):
        accounts.create_user(store, SYSTEM, "ev", PASSWORD, Role.EVALUATOR, "")
    user = accounts.create_user(
        store, HENAN, "ev", PASSWORD, Role.EVALUATOR, "41", counties=["410102"]
    )
    assert accounts.principal_for(user, store).assigned_counties == ("410102",)


def test_unknown_name_locks_like_real_one(store: Session) -> None:
    _county(store)
    outcomes: dict[str, list[tuple[int, str]]] = {}
    for name in ("zy-admin", "no-such-user"):
        outcomes[name] = []
        for attempt in range(7):
            with pytest.raises(AuthenticationFailed) as caught:
                accounts.authenticate(
                    store, name, "wrong-password", NOW + timedelta(seconds=attempt)
                )
            error = caught.value
            outcomes[name].append((int(error.status), str(error)))
    assert outcomes["zy-admin"] == outcomes["no-such-user"]
    assert [status for status, _ in outcomes["zy-admin"]] == [401] * 5 + [429] * 2


def test_locked_unknown_name_expires(store: Session) -> None:
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(store, "ghost", "wrong-password", NOW)
    with pytest.raises(TooManyAttempts):
        accounts.authenticate(store, "GHOST", "wrong-password", NOW)
    later = NOW + timedelta(minutes=accounts.LOCK_MINUTES, seconds=1)
    with pytest.raises(AuthenticationFailed) as caught:
        accounts.authenticate(store, "ghost", "wrong-password", later)
    assert not isinstance(caught.value, TooManyAttempts)


def test_set_password_checks_and_ends_sessions(store: Session) -> None:
    user = _county(store)
    principal = accounts.principal_for(user, store)
    with pytest.raises(InvalidInput):
        accounts.set_password(
            store, principal, user.id, "another good one", current_password="wrong"
        )
    with pytest.raises(InvalidInput):
        accounts.set_password(store, principal, user.id, "zy-admin")
    epoch = user.session_epoch
    accounts.set_password(
        store, principal, user.id, "another good one", current_password=PASSWORD
    )
    assert user.session_epoch == epoch + 1
    assert accounts.authenticate(store, "zy-admin", "another good one", NOW)
    assert _actions(store)[-1] == "user.set_password"


def test_disable_within_scope_audited(store: Session) -> None:
    user = _county(store)
    token = accounts.create_api_token(store, accounts.principal_for(user), "t")
    with pytest.raises(PermissionDenied):
        accounts.set_active(store, ERQI, user.id, False)  # another county
    accounts.set_active(store, HENAN, user.id, False)
    assert not user.active
    assert _actions(store)[-1] == "user.disable"
    assert accounts.principal_for_token(store, token) is None
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(store, "zy-admin", PASSWORD, NOW)
    accounts.set_active(store, HENAN, user.id, True)
    assert _actions(store)[-1] == "user.enable"
    assert accounts.authenticate(store, "zy-admin", PASSWORD, NOW)
    assert [u.username for u in accounts.manageable_users(store, HENAN)] == ["zy-admin"]
    assert accounts.manageable_users(store, ERQI) == []
    with pytest.raises(InvalidInput):
        accounts.set_active(store, accounts.principal_for(user), user.id, False)
    assert audit.verify(store).ok


def test_disable_message_names_step(store: Session) -> None:
    user = _county(store)
    with pytest.raises(PermissionDenied) as disabling:
        accounts.set_active(store, ERQI, user.id, False)
    assert "may not disable users in scope '410102'" in disabling.value.message("en")
    assert "无权在 410102 范围内停用用户" in disabling.value.message("zh")
    assert "create" not in disabling.value.message("en")
    with pytest.raises(PermissionDenied) as enabling:
        accounts.set_active(store, ERQI, user.id, True)
    assert "may not enable users" in enabling.value.message("en")
    assert "启用用户" in enabling.value.message("zh")


def test_end_sessions_audited(store: Session) -> None:
    user = _county(store)
    accounts.end_sessions(store, accounts.principal_for(user))
    assert user.session_epoch == 1
    assert _actions(store)[-1] == "user.logout"
