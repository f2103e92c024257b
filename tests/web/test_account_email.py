"""A user sets the digest address on the account page."""

from __future__ import annotations

from sqlalchemy import select
from web.site import Site, post_form

from junheng.store.models import AuditRecord, User


def _email(site: Site, username: str) -> str | None:
    with site.database.sessions() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return user.email


def test_account_page_sets_and_clears_email(site: Site) -> None:
    client = site.client("zhongyuan")
    assert 'action="/account/email"' in client.get("/account/password").text
    saved = post_form(client, "/account/email", {"email": "zy@example.org"})
    assert saved.status_code == 303
    assert _email(site, "zhongyuan") == "zy@example.org"
    page = client.get("/account/password").text
    assert "邮箱已保存" in page
    assert 'value="zy@example.org"' in page
    bad = post_form(client, "/account/email", {"email": "zy at example"})
    assert bad.status_code == 422
    assert "电子邮箱 zy at example 无效" in bad.text
    assert _email(site, "zhongyuan") == "zy@example.org"
    cleared = post_form(client, "/account/email", {"email": ""})
    assert cleared.status_code == 303
    assert _email(site, "zhongyuan") is None
    with site.database.sessions() as session:
        actions = session.scalars(
            select(AuditRecord.action).where(AuditRecord.action == "user.set_email")
        ).all()
    assert len(actions) == 2


def test_email_form_needs_csrf(site: Site) -> None:
    client = site.client("zhongyuan")
    response = client.post("/account/email", data={"email": "zy@example.org"})
    assert response.status_code == 403
    assert _email(site, "zhongyuan") is None
