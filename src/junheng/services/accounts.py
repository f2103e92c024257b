"""User accounts: creation, password login with throttling, and API tokens.

Passwords are hashed with argon2id (argon2-cffi's defaults). After
:data:`MAX_FAILURES` wrong passwords in a row a user name is refused for
:data:`LOCK_MINUTES` minutes. Unknown and inactive names are counted the same
way (in this process's memory), and every attempt verifies one argon2 hash, so
the status, message and time of a reply do not tell whether a name exists.
User names are unique regardless of case, and a login matches them without
case.

Each user has a session epoch. A browser session stores the epoch it began
with, and logging out, changing the password or disabling the account
increments it, which ends every session of that user at its next request.

API tokens are random strings shown once. The store keeps only their SHA-256
hash: a fast hash is safe for a 256-bit random value, and it lets a token be
looked up by its hash.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal

import email_validator
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from junheng.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from junheng.governance import audit
from junheng.services.access import (
    ADMINISTRATIONS,
    SCOPE_LENGTH,
    Principal,
    Role,
    covers,
)
from junheng.store.models import (
    ApiToken,
    Division,
    EvaluatorAssignment,
    School,
    User,
    utcnow,
)

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
COMMON_PASSWORDS: frozenset[str] = frozenset(
    {
        "00000000",
        "11111111",
        "12345678",
        "123456789",
        "1234567890",
        "123123123",
        "12341234",
        "11223344",
        "87654321",
        "88888888",
        "66666666",
        "5201314520",
        "a1234567",
        "a12345678",
        "aa123456",
        "abc12345",
        "abcd1234",
        "admin123",
        "administrator",
        "iloveyou",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "qwertyui",
        "qwerty123",
        "qwertyuiop",
        "1qaz2wsx",
        "1q2w3e4r",
        "zxcvbnm123",
        "woaini1314",
        "junheng123",
    }
)
"""Passwords too common to accept, compared in lower case. A short list of
passwords that lead published leak statistics; it stops the worst choices and
is no substitute for a long password."""
TOKEN_PREFIX = "jh_"
TOKEN_USE_INTERVAL = timedelta(minutes=5)
"""A token's ``last_used_at`` is written at most once per this interval, so a
busy API client does not write its token row on every request."""
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{2,100}$")

password_hasher = PasswordHasher()
"""The argon2 hasher of new passwords (argon2-cffi's default parameters).

A hash made with other parameters is replaced at the next successful login.
Tests may swap in cheaper parameters to run fast.
"""


def _dummy_hash() -> str:
    """Return a hash to verify against when the user name is unknown, so a wrong
    name takes as long as a wrong password and does not reveal which names
    exist."""
    return _dummy_hashes(password_hasher)


@cache
def _dummy_hashes(hasher: PasswordHasher) -> str:
    return hasher.hash("junheng-no-such-user")


_RANK: dict[Role, int] = {
    Role.MINISTRY: 0,
    Role.PROVINCE: 1,
    Role.CITY: 2,
    Role.COUNTY: 3,
    Role.SCHOOL: 4,
}


def _bad_login() -> AuthenticationFailed:
    return AuthenticationFailed("wrong user name or password", zh="用户名或密码错误")


def _too_many() -> TooManyAttempts:
    return TooManyAttempts(
        f"too many failed logins for this user name; wait {LOCK_MINUTES} minutes "
        "and try again",
        zh=f"该用户名登录失败次数过多，请等待 {LOCK_MINUTES} 分钟后再试",
    )


class _UnknownNames:
    """Failure counts of user names without an active account, in memory.

    They mirror ``users.failed_logins`` and ``users.locked_until``, so an unknown
    name is locked after the same number of failures as a real one. At most
    :attr:`LIMIT` names are kept, the oldest dropped first.

    NOTE: each process keeps its own counts, so with several server workers an
    unknown name is locked later than a real one. Run one worker, or accept
    that the difference shows after ``MAX_FAILURES`` times the worker count.
    """

    LIMIT = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, tuple[int, datetime | None]] = {}

    def locked(self, name: str, now: datetime) -> bool:
        with self._lock:
            _, until = self._state.get(name, (0, None))
            return until is not None and until > now

    def fail(self, name: str, now: datetime) -> None:
        with self._lock:
            count, _ = self._state.pop(name, (0, None))
            count += 1
            if count >= MAX_FAILURES:
                self._state[name] = (0, now + timedelta(minutes=LOCK_MINUTES))
            else:
                self._state[name] = (count, None)
            while len(self._state) > self.LIMIT:
                self._state.pop(next(iter(self._state)))

    def clear(self) -> None:
        with self._lock:
            self._state.clear()


unknown_names = _UnknownNames()
"""Throttle state of the names that have no active account (see
:class:`_UnknownNames`)."""


def check_password(password: str, username: str) -> None:
    """Raise :class:`InvalidInput` unless ``password`` is acceptable.

    It needs :data:`MIN_PASSWORD_LENGTH` characters, something other than
    white space, and must be neither the user name nor one of
    :data:`COMMON_PASSWORDS` (both compared without case).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters",
            zh=f"密码太短，至少 {MIN_PASSWORD_LENGTH} 个字符",
        )
    if not password.strip():
        raise InvalidInput(
            "the password is only white space; choose one with letters or digits",
            zh="密码不能只有空白字符，请包含字母或数字",
        )
    lowered = password.strip().lower()
    if lowered == username.lower():
        raise InvalidInput(
            "the password is the user name; choose another password",
            zh="密码不能与用户名相同，请另选密码",
        )
    if lowered in COMMON_PASSWORDS:
        raise InvalidInput(
            "the password is one of the most common passwords; choose a longer, "
            "less predictable one",
            zh="该密码过于常见，请使用更长、更难猜的密码",
        )


def find_user(session: Session, username: str) -> User | None:
    """Return the account named ``username`` regardless of case, or ``None``.

    An exact match wins over one that differs in case only, which only
    accounts created before names became case-insensitive can have.
    A name with a NUL character finds nothing on either store, because the
    store guard never writes one and PostgreSQL rejects it as a parameter.
    """
    if "\x00" in username:
        return None
    users = session.scalars(
        select(User)
        .where(func.lower(User.username) == username.lower())
        .order_by(User.id)
    ).all()
    for user in users:
        if user.username == username:
            return user
    return users[0] if users else None


def _user_state(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "scope_code": user.scope_code,
        "school_code": user.school_code,
        "display_name": user.display_name,
        "email": user.email,
        "language": user.language,
        "active": user.active,
    }


EMAIL_MAX = 254
"""Maximum length of an address in characters (RFC 5321 allows a path of
256 including the angle brackets)."""


def clean_email(email: str | None) -> str | None:
    """Return ``email`` stripped, ``None`` for empty; raise
    :class:`InvalidInput` for an address the digest cannot be sent to.

    The address is checked by ``email-validator`` without SMTPUTF8, since the
    mail server need not accept it: the part before the @ must be ASCII, and a
    domain in Chinese characters is kept in its ASCII (IDNA) form.

    NOTE: this checks the address only; whether mail arrives shows with the
    first digest.
    """
    text = (email or "").strip()
    if not text:
        return None
    try:
        checked = email_validator.validate_email(
            text, check_deliverability=False, allow_smtputf8=False
        )
    except email_validator.EmailNotValidError as error:
        reason = str(error)
    else:
        if checked.ascii_email is not None and len(checked.ascii_email) <= EMAIL_MAX:
            return checked.ascii_email
        reason = f"longer than {EMAIL_MAX} characters"
    raise InvalidInput(
        f"e-mail address {text!r} is invalid ({reason}): write one address such "
        "as duban@example.org, with letters, digits and . _ - before the @, "
        f"at most {EMAIL_MAX} characters",
        zh=f"电子邮箱 {text} 无效，无法发送邮件：请填写一个地址，例如 "
        "duban@example.org；@ 前只用英文字母、数字和 . _ - 等符号，"
        f"不能有连续的点，最多 {EMAIL_MAX} 个字符",
    )


LANGUAGES = ("zh", "en")
"""Languages a user's digest can be in: Chinese and English."""


def clean_language(language: str | None) -> str | None:
    """Return ``language`` stripped and in lower case, or ``None`` when it is
    empty. Raise :class:`InvalidInput` unless it is ``zh`` or ``en``."""
    text = (language or "").strip().lower()
    if not text:
        return None
    if text not in LANGUAGES:
        raise InvalidInput(
            f"language {language!r} is not supported: write zh (Chinese) or "
            "en (English), or leave it empty to take the digest command's --lang",
            zh=f"语言 {language} 不受支持：请填写 zh（中文）或 en（英文），"
            "留空则使用摘要命令的 --lang",
        )
    return text


MANAGE_ACTIONS: dict[str, tuple[str, str]] = {
    "create": ("create", "创建"),
    "disable": ("disable", "停用"),
    "enable": ("enable", "启用"),
    "manage": ("manage", "管理"),
}
"""Verbs of :func:`_require_manage`'s messages, in English and Chinese."""


def _require_manage(
    actor: Principal, role: Role, scope: str, action: str = "create"
) -> None:
    """Raise unless ``actor`` may create or manage a user of ``role`` in ``scope``;
    ``action`` (a key of :data:`MANAGE_ACTIONS`) names the step in the message."""
    verb_en, verb_zh = MANAGE_ACTIONS[action]
    if actor.role not in ADMINISTRATIONS or not covers(actor.scope, scope):
        raise PermissionDenied(
            f"user {actor.username!r} may not {verb_en} users in scope {scope!r}",
            zh=f"用户 {actor.username} 无权在 {scope or '全国'} 范围内{verb_zh}用户",
        )
    if role in _RANK and _RANK[role] < _RANK[actor.role]:
        raise PermissionDenied(
            f"user {actor.username!r} ({actor.role}) may not {verb_en} a {role} user",
            zh=f"用户 {actor.username} 无权{verb_zh}{role}级用户",
        )
    if role == Role.EVALUATOR and actor.role not in (Role.MINISTRY, Role.PROVINCE):
        raise PermissionDenied(
            f"only the ministry or a province may {verb_en} evaluator accounts",
            zh=f"仅教育部或省级用户可以{verb_zh}第三方评估机构账号",
        )


def _check_new_user(
    session: Session,
    actor: Principal,
    role: Role,
    scope: str,
    school_code: str | None,
) -> None:
    """Raise unless ``actor`` may create a user of ``role`` in ``scope`` and the
    scope and school exist in the store."""
    _require_manage(actor, role, scope)
    length = SCOPE_LENGTH.get(role)
    fits = scope == "" or (scope.isascii() and scope.isdigit())
    if length is not None:
        fits = fits and len(scope) == length
    if not fits:
        raise InvalidInput(
            f"scope {scope!r} does not fit role {role}: give a division code "
            f"of {length if length is not None else 'up to 6'} digits",
            zh=f"范围 {scope!r} 与角色 {role} 不符，请填写相应位数的行政区划代码",
        )
    if role == Role.SCHOOL:
        if not (
            school_code
            and len(school_code) == 10
            and school_code.isascii()
            and school_code.isdigit()
        ):
            raise InvalidInput(
                f"school user needs a 10-digit school identifier code, got "
                f"{school_code!r}",
                zh=f"学校用户须提供 10 位学校标识码，收到 {school_code!r}",
            )
    elif school_code is not None:
        raise InvalidInput(
            f"only school users carry a school code; remove {school_code!r}",
            zh="只有学校用户才填写学校标识码",
        )
    if scope and session.get(Division, scope) is None:
        raise InvalidInput(
            f"scope {scope!r} is not a division code in the store; check the code "
            "or load the divisions with `junheng db load-divisions`",
            zh=f"范围 {scope} 不是数据库中的行政区划代码，请核对代码或先载入行政区划",
        )
    if role == Role.SCHOOL:
        school = session.get(School, school_code)
        if school is None:
            raise InvalidInput(
                f"school {school_code} is not in the store; import its data first, "
                "then create its account",
                zh=f"数据库中没有学校 {school_code}，请先导入该校数据再创建账号",
            )
        if not covers(scope, school.division_code):
            raise InvalidInput(
                f"school {school_code} belongs to division {school.division_code}, "
                f"outside scope {scope!r}; give --scope {school.division_code}",
                zh=f"学校 {school_code} 属于 {school.division_code}，不在范围 {scope} "
                "之内",
            )


def create_user(
    session: Session,
    actor: Principal,
    username: str,
    password: str,
    role: Role | str,
    scope: str,
    school_code: str | None = None,
    display_name: str | None = None,
    *,
    counties: Sequence[str] = (),
    email: str | None = None,
    language: str | None = None,
) -> User:
    """Create an account with an argon2 hash of ``password``.

    ``actor`` may create accounts inside its own scope at its own level or
    below; evaluators are created by the ministry or a province, and need
    ``counties``, the counties they read. A non-empty scope must be a division
    in the store, and a school user's school must exist inside its scope.
    ``email`` is the address of the warning digest and ``language`` its
    language, ``zh`` or ``en`` (both optional).
    Raises :class:`InvalidInput` for a bad name, password, scope, school code
    or address and :class:`Conflict` when the user name is taken in any case.
    """
    role = Role(role)
    email = clean_email(email)
    language = clean_language(language)
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(
            f"user name {username!r} is invalid: use 2 to 100 letters, digits or "
            "the characters _ . @ -",
            zh=f"用户名 {username!r} 无效：请使用 2–100 个字母、数字或 _ . @ -",
        )
    check_password(password, username)
    _check_new_user(session, actor, role, scope, school_code)
    if role == Role.EVALUATOR and not counties:
        raise InvalidInput(
            "an evaluator account needs at least one assigned county (--county)",
            zh="第三方评估机构账号至少需要分配一个县（--county）",
        )
    if role != Role.EVALUATOR and counties:
        raise InvalidInput(
            "only evaluator accounts are assigned counties",
            zh="只有第三方评估机构账号才分配县",
        )
    taken = find_user(session, username)
    if taken is not None:
        raise Conflict(
            f"user name {username!r} is already taken (as {taken.username!r}; "
            "names are compared without case); choose another",
            zh=f"用户名 {username} 已被占用（不区分大小写），请换一个",
        )
    user = User(
        username=username,
        password_hash=password_hasher.hash(password),
        role=role.value,
        scope_code=scope,
        school_code=school_code,
        display_name=display_name,
        email=email,
        language=language,
        active=True,
        failed_logins=0,
        locked_until=None,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.append(
        session, actor.username, "user.create", "user", user.id, None, _user_state(user)
    )
    if counties:
        assign_counties(session, actor, user.id, list(counties))
    return user


def assign_counties(
    session: Session, actor: Principal, user_id: int, counties: list[str]
) -> None:
    """Set the counties an evaluator may read, replacing earlier ones."""
    user = session.get(User, user_id)
    if user is None or user.role != Role.EVALUATOR:
        raise NotFound(
            f"no evaluator account with id {user_id}",
            zh=f"不存在 id 为 {user_id} 的第三方评估机构账号",
        )
    if actor.role not in (Role.MINISTRY, Role.PROVINCE) or not all(
        covers(actor.scope, c) for c in counties
    ):
        raise PermissionDenied(
            f"user {actor.username!r} may not assign counties {counties}",
            zh=f"用户 {actor.username} 无权分配这些县：{', '.join(counties)}",
        )
    for code in counties:
        division = session.get(Division, code)
        if division is None or division.level != "county":
            raise NotFound(
                f"county {code!r} is not in the division table; run "
                "`junheng db load-divisions` or check the code",
                zh=f"行政区划表中没有县 {code}",
            )
    before = sorted(
        session.scalars(
            select(EvaluatorAssignment.division_code).where(
                EvaluatorAssignment.user_id == user_id
            )
        )
    )
    for assignment in session.scalars(
        select(EvaluatorAssignment).where(EvaluatorAssignment.user_id == user_id)
    ):
        session.delete(assignment)
    session.flush()
    for code in sorted(set(counties)):
        session.add(EvaluatorAssignment(user_id=user_id, division_code=code))
    session.flush()
    audit.append(
        session,
        actor.username,
        "user.assign_counties",
        "user",
        user_id,
        {"counties": before},
        {"counties": sorted(set(counties))},
    )


def principal_for(user: User, session: Session | None = None) -> Principal:
    """Return the principal of ``user``.

    An evaluator's assigned counties are read through ``session`` (or the
    session ``user`` belongs to).
    """
    counties: tuple[str, ...] = ()
    if user.role == Role.EVALUATOR:
        from sqlalchemy.orm import object_session

        owner = session or object_session(user)
        if owner is not None:
            counties = tuple(
                owner.scalars(
                    select(EvaluatorAssignment.division_code)
                    .where(EvaluatorAssignment.user_id == user.id)
                    .order_by(EvaluatorAssignment.division_code)
                )
            )
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        scope=user.scope_code,
        school_code=user.school_code,
        assigned_counties=counties,
    )


def authenticate(
    session: Session, username: str, password: str, now: datetime | None = None
) -> Principal:
    """Check a password and return the user's principal.

    Raises :class:`AuthenticationFailed` for an unknown or inactive user or a
    wrong password, and :class:`TooManyAttempts` while the name is locked, with
    the same message whether or not the account exists.
    The failure count is written to ``session`` before the error is raised.
    The caller must commit the session in both cases, or throttling does not
    work.
    """
    now = now or utcnow()
    user = find_user(session, username)
    if user is None or not user.active:
        # Unknown names take the path of real ones: one hash, the same count.
        name = username.lower()
        _verify(_dummy_hash(), password)
        if unknown_names.locked(name, now):
            raise _too_many()
        unknown_names.fail(name, now)
        raise _bad_login()
    if user.locked_until is not None and user.locked_until > now:
        _verify(_dummy_hash(), password)
        raise _too_many()
    if not _verify(user.password_hash, password):
        _record_failure(session, user, now)
        raise _bad_login()
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins = 0
        user.locked_until = None
        audit.append(
            session, username, "user.login_reset", "user", user.id, None, None, at=now
        )
    if password_hasher.check_needs_rehash(user.password_hash):
        # NOTE: a rehash keeps the same password, so it adds no audit record.
        user.password_hash = password_hasher.hash(password)
    session.flush()
    return principal_for(user, session)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def _record_failure(session: Session, user: User, now: datetime) -> None:
    user.failed_logins += 1
    after: dict[str, Any] = {"failed_logins": user.failed_logins}
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0
        after = {"locked_until": user.locked_until.isoformat()}
    session.flush()
    audit.append(
        session,
        user.username,
        "user.login_failed",
        "user",
        user.id,
        None,
        after,
        at=now,
    )


def _managed_user(session: Session, actor: Principal, user_id: int) -> User:
    """Return the user ``actor`` acts on: itself, or one it could create."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(
            f"no user with id {user_id}", zh=f"不存在 id 为 {user_id} 的用户"
        )
    if actor.user_id != user_id:
        _require_manage(actor, Role(user.role), user.scope_code, "manage")
    return user


def set_password(
    session: Session,
    actor: Principal,
    user_id: int,
    password: str,
    *,
    current_password: str | None = None,
) -> None:
    """Replace a user's password and end the user's sessions.

    Users change their own (giving ``current_password`` when they do it in the
    web app), administrators those of users they could create. The new
    password must pass :func:`check_password`.
    """
    user = _managed_user(session, actor, user_id)
    if current_password is not None and not _verify(
        user.password_hash, current_password
    ):
        raise InvalidInput(
            "the current password is wrong; the password was not changed",
            zh="当前密码不正确，密码未修改",
        )
    check_password(password, user.username)
    user.password_hash = password_hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.session_epoch += 1
    session.flush()
    audit.append(
        session, actor.username, "user.set_password", "user", user_id, None, None
    )


def set_email(
    session: Session, actor: Principal, user_id: int, email: str | None
) -> User:
    """Set (or with an empty value clear) a user's digest address.

    Users change their own, administrators those of users they could create.
    """
    return _set_digest_field(session, actor, user_id, "email", clean_email, email)


def set_language(
    session: Session, actor: Principal, user_id: int, language: str | None
) -> User:
    """Set the language of a user's digest to ``zh`` or ``en``. An empty value
    clears it, so the digest takes the ``--lang`` of the command.

    Users change their own, administrators those of users they could create.
    """
    return _set_digest_field(
        session, actor, user_id, "language", clean_language, language
    )


def _set_digest_field(
    session: Session,
    actor: Principal,
    user_id: int,
    field: Literal["email", "language"],
    clean: Callable[[str | None], str | None],
    value: str | None,
) -> User:
    """Store ``clean(value)`` as the user's ``field`` with an audit record
    ``user.set_<field>`` that contains the account before and after."""
    user = _managed_user(session, actor, user_id)
    before = _user_state(user)
    setattr(user, field, clean(value))
    session.flush()
    audit.append(
        session,
        actor.username,
        f"user.set_{field}",
        "user",
        user_id,
        before,
        _user_state(user),
    )
    return user


def set_active(session: Session, actor: Principal, user_id: int, active: bool) -> User:
    """Enable or disable an account; disabling also ends its sessions.

    ``actor`` must be an education authority that could create the user, and
    may not disable its own account. A disabled account cannot log in and its
    API tokens stop working; enabling it restores both.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(
            f"no user with id {user_id}", zh=f"不存在 id 为 {user_id} 的用户"
        )
    if actor.user_id == user_id:
        raise InvalidInput(
            "you cannot disable or enable your own account; ask another administrator",
            zh="不能停用或启用自己的账号，请联系其他管理员",
        )
    action = "enable" if active else "disable"
    _require_manage(actor, Role(user.role), user.scope_code, action)
    if user.active == active:
        return user
    user.active = active
    user.session_epoch += 1
    session.flush()
    audit.append(
        session,
        actor.username,
        "user.enable" if active else "user.disable",
        "user",
        user_id,
        {"active": not active},
        {"active": active},
    )
    return user


def end_sessions(session: Session, principal: Principal) -> None:
    """End every browser session of ``principal``'s account (log out)."""
    if principal.user_id is None:
        return
    user = session.get(User, principal.user_id)
    if user is None:
        return
    user.session_epoch += 1
    session.flush()
    audit.append(
        session,
        principal.username,
        "user.logout",
        "user",
        user.id,
        None,
        {"session_epoch": user.session_epoch},
    )


def manageable_users(session: Session, actor: Principal) -> list[User]:
    """Return the accounts ``actor`` may disable or reset, by user name.

    These are the accounts in ``actor``'s scope at its level or below (the
    rule of :func:`create_user`), other than ``actor`` itself.
    """
    if actor.role not in ADMINISTRATIONS:
        return []
    query = (
        select(User)
        .where(User.scope_code.startswith(actor.scope, autoescape=True))
        .order_by(func.lower(User.username))
    )
    users = []
    for user in session.scalars(query):
        if user.id == actor.user_id:
            continue
        try:
            _require_manage(actor, Role(user.role), user.scope_code)
        except PermissionDenied:
            continue
        users.append(user)
    return users


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_token(session: Session, principal: Principal, name: str) -> str:
    """Create an API token for ``principal``'s own account and return it.

    The plaintext is returned only here; the store keeps its SHA-256 hash.
    """
    if principal.user_id is None:
        raise PermissionDenied(
            "API tokens belong to user accounts; log in as a user",
            zh="API 令牌属于用户账号，请以用户身份登录",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=principal.user_id,
        name=name,
        token_hash=_token_hash(token),
        created_at=utcnow(),
        last_used_at=None,
        revoked_at=None,
    )
    session.add(record)
    session.flush()
    audit.append(
        session,
        principal.username,
        "token.create",
        "api_token",
        record.id,
        None,
        {"user_id": principal.user_id, "name": name},
    )
    return token


def revoke_api_token(session: Session, principal: Principal, token_id: int) -> None:
    """Revoke one of ``principal``'s API tokens."""
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != principal.user_id:
        raise NotFound(
            f"no API token with id {token_id} for user {principal.username!r}",
            zh=f"用户 {principal.username} 没有 id 为 {token_id} 的 API 令牌",
        )
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        session.flush()
        audit.append(
            session,
            principal.username,
            "token.revoke",
            "api_token",
            token_id,
            None,
            {"revoked_at": record.revoked_at.isoformat()},
        )


def principal_for_token(session: Session, token: str) -> Principal | None:
    """Return the principal of a valid API token, or ``None``.

    A revoked token or one of an inactive user is not valid. Marks the token
    as used now unless its last use was marked less than
    :data:`TOKEN_USE_INTERVAL` ago.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token))
    )
    if record is None or record.revoked_at is not None:
        return None
    user = session.get(User, record.user_id)
    if user is None or not user.active:
        return None
    # NOTE: last_used_at is bookkeeping, so it is not written to the audit chain.
    now = utcnow()
    last = record.last_used_at
    if last is None or now - last >= TOKEN_USE_INTERVAL:
        record.last_used_at = now
        session.flush()
    return principal_for(user, session)
