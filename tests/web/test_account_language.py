"""A user sets the language of the digest on the account page."""

from __future__ import annotations

from sqlalchemy import select
from web.site import Site, post_form

from junheng.store.models import AuditRecord, User


def _language(site: Site, username: str) -> str | None:
    with site.database.sessions() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return user.language


def test_account_page_sets_and_clears_language(site: Site) -> None:
    client = site.client("zhongyuan")
    page = client.get("/account/password").text
    assert 'action="/account/language"' in page
    assert '<option value="" selected>默认</option>' in page
    saved = post_form(client, "/account/language", {"language": "en"})
    assert saved.status_code == 303
    assert _language(site, "zhongyuan") == "en"
    page = client.get("/account/password").text
    assert "语言已保存" in page
    assert '<option value="en" selected>英文</option>' in page
    bad = post_form(client, "/account/language", {"language": "fr"})
    assert bad.status_code == 422
    assert "语言 fr 不受支持" in bad.text
    assert _language(site, "zhongyuan") == "en"
    cleared = post_form(client, "/account/language", {"language": ""})
    assert cleared.status_code == 303
    assert _language(site, "zhongyuan") is None
    with site.database.sessions() as session:
        actions = session.scalars(
            select(AuditRecord.action).where(AuditRecord.action == "user.set_language")
        ).all()
    assert len(actions) == 2


def test_language_form_needs_csrf(site: Site) -> None:
    client = site.client("zhongyuan")
    response = client.post("/account/language", data={"language": "en"})
    assert response.status_code == 403
    assert _language(site, "zhongyuan") is None


def test_api_lists_the_language(site: Site) -> None:
    client = site.client("zhengzhou")
    post_form(site.client("zhongyuan"), "/account/language", {"language": "en"})
    listed = {u["username"]: u for u in client.get("/api/v1/users").json()}
    assert listed["zhongyuan"]["language"] == "en"
