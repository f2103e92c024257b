"""The message catalogue of the web pages: Chinese by default, English available.

Templates call ``t("key")``; a key missing from the catalogue raises
:class:`KeyError` so that a typo fails the page test instead of showing a key.
Placeholders use :meth:`str.format` fields, e.g. ``t("login.locked", minutes=15)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
LANGUAGE_COOKIE = "junheng_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (中文, English)
    "app.name": (
        "均衡 · 义务教育优质均衡监测平台",
        "Junheng · compulsory education balance",
    ),
    "app.demo_notice": (
        "演示模式：全部数据均为合成数据，账号密码仅供演示。",
        "Demo mode: all data are synthetic and the accounts are for demonstration only.",
    ),
    "nav.home": ("首页", "Home"),
    "nav.reporting": ("数据填报", "Reporting"),
    "nav.reviews": ("待审核", "Reviews"),
    "nav.completeness": ("填报进度", "Completeness"),
    "nav.tokens": ("API 令牌", "API tokens"),
    "nav.login": ("登录", "Log in"),
    "nav.logout": ("退出", "Log out"),
    "nav.language": ("语言", "Language"),
    "nav.skip": ("跳到正文", "Skip to content"),
    "role.ministry": ("教育部", "Ministry"),
    "role.province": ("省级", "Province"),
    "role.city": ("市级", "City"),
    "role.county": ("县级", "County"),
    "role.school": ("学校", "School"),
    "role.evaluator": ("第三方评估", "Evaluator"),
    "role.public": ("公众", "Public"),
    "home.title": ("首页", "Home"),
    "home.welcome": ("欢迎，{name}", "Welcome, {name}"),
    "home.scope": ("角色：{role}，范围：{scope}", "Role: {role}, scope: {scope}"),
    "home.anonymous": (
        "请登录后填报、审核数据。",
        "Log in to report or review data.",
    ),
    "home.whole_country": ("全国", "whole country"),
    "login.title": ("登录", "Log in"),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.failed": ("用户名或密码错误。", "Wrong username or password."),
    "logout.done": ("已退出登录。", "You are logged out."),
    "tokens.title": ("我的 API 令牌", "My API tokens"),
    "tokens.intro": (
        "令牌供程序调用 /api/v1 接口使用，权限与本账号相同。请求头："
        "Authorization: Bearer 令牌。",
        "Tokens let programs call /api/v1 with this account's permissions. "
        "Send the header Authorization: Bearer TOKEN.",
    ),
    "tokens.name": ("令牌名称", "Token name"),
    "tokens.create": ("创建令牌", "Create token"),
    "tokens.created": (
        "新令牌如下，只显示这一次，请立即保存：",
        "Your new token is shown below this once only; store it now:",
    ),
    "tokens.revoke": ("吊销", "Revoke"),
    "tokens.revoked": ("已吊销", "revoked"),
    "tokens.none": ("还没有令牌。", "No tokens yet."),
    "tokens.created_at": ("创建时间", "Created"),
    "tokens.last_used": ("最近使用", "Last used"),
    "tokens.status": ("状态", "Status"),
    "tokens.active": ("有效", "active"),
    "error.title": ("出错了", "Something went wrong"),
    "error.back": ("返回首页", "Back to the home page"),
    "error.status": ("HTTP 状态 {status}", "HTTP status {status}"),
    "error.not_found": ("找不到该页面或数据。", "The page or record was not found."),
    "error.method": (
        "该地址不支持此请求方法。",
        "This address does not accept that method.",
    ),
    "error.validation": ("请求参数无效。", "The request has invalid parameters."),
    "error.unauthenticated": ("请先登录。", "Please log in first."),
    "error.csrf": (
        "表单已过期或来源不明，请刷新页面后重新提交。",
        "The form has expired or did not come from this site; reload the page and "
        "submit it again.",
    ),
    "error.too_large": (
        "上传内容过大，上限为 {limit}。",
        "The upload is too large; the limit is {limit}.",
    ),
    "error.internal": (
        "服务器内部错误，已记录日志。",
        "Internal server error; it has been logged.",
    ),
    "issues.severity": ("级别", "Severity"),
    "issues.sheet": ("工作表", "Sheet"),
    "issues.row": ("行", "Row"),
    "issues.column": ("列", "Column"),
    "issues.value": ("值", "Value"),
    "issues.message": ("问题", "Problem"),
    "issues.fix": ("修改方法", "Fix"),
    "issues.error": ("错误", "error"),
    "issues.warning": ("提示", "warning"),
    "common.save": ("保存", "Save"),
    "common.submit": ("提交", "Submit"),
    "common.cancel": ("取消", "Cancel"),
    "common.year": ("学年", "Year"),
    "common.status": ("状态", "Status"),
    "common.version": ("版本", "Version"),
    "common.comment": ("意见", "Comment"),
    "common.actions": ("操作", "Actions"),
    "common.none": ("无", "none"),
    "footer.text": (
        "均衡 Junheng：开源的义务教育优质均衡发展监测评估平台",
        "Junheng: open-source monitoring of balanced compulsory education",
    ),
}


def translate(key: str, lang: Language, **values: Any) -> str:
    """Return the catalogue text of ``key`` in ``lang`` with ``values`` filled in."""
    zh, en = MESSAGES[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def translator(lang: Language) -> Callable[..., str]:
    """Return ``t(key, **values)`` bound to one language, for templates."""

    def t(key: str, **values: Any) -> str:
        return translate(key, lang, **values)

    return t


def pick_language(query: str | None, cookie: str | None, default: Language) -> Language:
    """Choose the page language: the ``lang`` query, then the cookie, then default."""
    for candidate in (query, cookie):
        if candidate == "zh" or candidate == "en":
            return candidate
    return default
