"""Accounts: argon2 passwords, login throttling, API tokens, creation rights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from services.people import HENAN, ZHONGYUAN
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
from junheng.store.models import ApiToken, User

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def _county_user(store: Session) -> User:
    return accounts.create_user(
        store, SYSTEM, "zy-admin", PASSWORD, Role.COUNTY, "410102"
    )


def test_password_stored_as_argon2(store: Session) -> None:
    user = _county_user(store)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_authenticate_returns_principal(store: Session) -> None:
    user = _county_user(store)
    principal = accounts.authenticate(store, "zy-admin", PASSWORD, NOW)
    assert principal.user_id == user.id
    assert principal.role == Role.COUNTY
    assert principal.scope == "410102"


def test_wrong_password_and_unknown_user_fail_alike(store: Session) -> None:
    _county_user(store)
    with pytest.raises(AuthenticationFailed) as wrong:
        accounts.authenticate(store, "zy-admin", "not it at all", NOW)
    with pytest.raises(AuthenticationFailed) as unknown:
        accounts.authenticate(store, "nobody", PASSWORD, NOW)
    assert str(wrong.value) == str(unknown.value)
    assert wrong.value.status == 401


def test_five_failures_lock_for_fifteen_minutes(store: Session) -> None:
    _county_user(store)
    for attempt in range(5):
        with pytest.raises(AuthenticationFailed) as caught:
            accounts.authenticate(
                store, "zy-admin", "wrong", NOW + timedelta(seconds=attempt)
            )
        assert not isinstance(caught.value, TooManyAttempts)
    store.commit()
    # Even the right password is refused while the account is locked.
    with pytest.raises(TooManyAttempts) as locked:
        accounts.authenticate(store, "zy-admin", PASSWORD, NOW + timedelta(minutes=14))
    assert locked.value.status == 429
    assert "wait 15 minutes" in str(locked.value)
    principal = accounts.authenticate(
        store, "zy-admin", PASSWORD, NOW + timedelta(minutes=15, seconds=5)
    )
    assert principal.username == "zy-admin"
    store.commit()
    assert audit.verify(store).ok


def test_success_resets_failure_count(store: Session) -> None:
    user = _county_user(store)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(store, "zy-admin", "wrong", NOW)
    accounts.authenticate(store, "zy-admin", PASSWORD, NOW)
    assert user.failed_logins == 0
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(store, "zy-admin", "wrong", NOW)
    # One failure after the reset does not lock the account.
    accounts.authenticate(store, "zy-admin", PASSWORD, NOW)


def test_api_token_hashed_and_revocable(store: Session) -> None:
    user = _county_user(store)
    principal = accounts.principal_for(user)
    token = accounts.create_api_token(store, principal, "nightly export")
    stored = store.scalars(select(ApiToken)).one()
    assert token.startswith("jh_")
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64
    found = accounts.principal_for_token(store, token)
    assert found == principal
    assert stored.last_used_at is not None
    assert accounts.principal_for_token(store, token + "x") is None
    accounts.revoke_api_token(store, principal, stored.id)
    assert accounts.principal_for_token(store, token) is None


def test_token_last_use_throttled(store: Session) -> None:
    user = _county_user(store)
    token = accounts.create_api_token(store, accounts.principal_for(user), "export")
    stored = store.scalars(select(ApiToken)).one()
    accounts.principal_for_token(store, token)
    first = stored.last_used_at
    assert first is not None
    # A second use inside the interval leaves the stored time alone.
    accounts.principal_for_token(store, token)
    assert stored.last_used_at == first
    # Once the stored use is older than the interval, the next use is written.
    older = first - accounts.TOKEN_USE_INTERVAL - timedelta(seconds=1)
    stored.last_used_at = older
    store.flush()
    accounts.principal_for_token(store, token)
    assert stored.last_used_at is not None
    assert stored.last_used_at > older + accounts.TOKEN_USE_INTERVAL


def test_inactive_user_token_invalid(store: Session) -> None:
    user = _county_user(store)
    token = accounts.create_api_token(store, accounts.principal_for(user), "t")
    user.active = False
    assert accounts.principal_for_token(store, token) is None


def test_creation_limited_to_scope_and_level(store: Session) -> None:
    accounts.create_user(store, HENAN, "zz-city", PASSWORD, Role.CITY, "4101")
    with pytest.raises(PermissionDenied):
        accounts.create_user(store, HENAN, "bj", PASSWORD, Role.PROVINCE, "11")
    with pytest.raises(PermissionDenied):
        accounts.create_user(store, ZHONGYUAN, "zz2", PASSWORD, Role.CITY, "4101")
    with pytest.raises(PermissionDenied):
        accounts.create_user(store, ZHONGYUAN, "ev", PASSWORD, Role.EVALUATOR, "")


def test_creation_checks_input(store: Session) -> None:
    with pytest.raises(InvalidInput):
        accounts.create_user(store, SYSTEM, "x y", PASSWORD, Role.COUNTY, "410102")
    with pytest.raises(InvalidInput):
        accounts.create_user(store, SYSTEM, "short", "1234567", Role.COUNTY, "410102")
    with pytest.raises(InvalidInput):
        accounts.create_user(store, SYSTEM, "county", PASSWORD, Role.COUNTY, "4101")
    with pytest.raises(InvalidInput):
        accounts.create_user(store, SYSTEM, "school", PASSWORD, Role.SCHOOL, "410102")
    _county_user(store)
    with pytest.raises(Conflict):
        _county_user(store)


def test_evaluator_reads_assigned_counties(store: Session) -> None:
    user = accounts.create_user(
        store, SYSTEM, "evaluator", PASSWORD, Role.EVALUATOR, "", counties=["410102"]
    )
    accounts.assign_counties(store, HENAN, user.id, ["410102", "410103"])
    principal = accounts.principal_for(user)
    assert principal.assigned_counties == ("410102", "410103")
    with pytest.raises(PermissionDenied):
        accounts.assign_counties(store, HENAN, user.id, ["110101"])
