"""The web app over a store holding the hand-built county of ``rectdata``,
approved up the real chain for 2024 and 2025 (synthetic data)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from dash.dashdata import (
    PASSWORD,
    People,
    approve_items,
    approve_school,
    create_people,
    save_school,
)
from fastapi import FastAPI
from fastapi.testclient import TestClient
from governance.rectdata import BIG, COUNTY, WEAK, items, schools
from sqlalchemy.orm import Session
from store.dbfixtures import Database

from junheng.services import accounts
from junheng.services.access import SYSTEM, Role
from junheng.store.divisions import load_divisions
from junheng.web.app import create_app
from junheng.web.settings import WebSettings

EXTRA_ACCOUNTS: tuple[tuple[str, Role, str, str | None, list[str]], ...] = (
    ("weak", Role.SCHOOL, COUNTY, WEAK, []),
    ("big", Role.SCHOOL, COUNTY, BIG, []),
    ("eval", Role.EVALUATOR, "", None, [COUNTY]),
)


def seed(session: Session, years: tuple[int, ...]) -> People:
    """Approve the county's schools and items of ``years`` and add accounts."""
    load_divisions(session, SYSTEM, 2024, within=("11", "41"))
    people = create_people(session)
    for year in years:
        for row in schools(year):
            approve_school(session, people, save_school(session, row))
        approve_items(session, people, COUNTY, year, items(year))
    for name, role, scope, school, counties in EXTRA_ACCOUNTS:
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
        session.flush()
        people.by_name[name] = accounts.principal_for(user, session)
    session.commit()
    return people


@dataclass
class RectSite:
    """The app, its database and the principals of the accounts."""

    database: Database
    app: FastAPI
    people: People

    def client(self, username: str | None = None) -> TestClient:
        """Return a client logged in through the login form as ``username``."""
        client = TestClient(self.app)
        if username is not None:
            page = client.get("/login")
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            response = client.post(
                "/login",
                data={
                    "username": username,
                    "password": PASSWORD,
                    "csrf_token": token,
                    "next": "/",
                },
                follow_redirects=False,
            )
            assert response.status_code == 303, response.text
        return client


def csrf(client: TestClient, path: str) -> str:
    """Return the CSRF token of the forms on ``path``."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


def post(client: TestClient, path: str, data: dict[str, Any], token_from: str) -> Any:
    """POST a form with the CSRF token of ``token_from``, not following redirects."""
    fields = {"csrf_token": csrf(client, token_from), **data}
    return client.post(path, data=fields, follow_redirects=False)


def open_site(database: Database, years: tuple[int, ...]) -> Iterator[RectSite]:
    """Seed ``database`` and yield the site over it."""
    with database.sessions() as session:
        people = seed(session, years)
    settings = WebSettings(mode="dev", database_url=database.url)
    yield RectSite(database, create_app(settings, database.engine), people)


@pytest.fixture
def rect_site(database: Database) -> Iterator[RectSite]:
    """Yield the site with 2024 and 2025 approved."""
    yield from open_site(database, (2024, 2025))
