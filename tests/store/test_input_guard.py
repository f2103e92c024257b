"""The check before every statement: text with a NUL character (U+0000) and
NaN or infinite numbers are rejected with an input error on both stores, in
plain columns, inside JSON columns and in the audit chain, whether an ORM
flush, an ORM bulk insert, a Core statement or driver SQL sends them, and
nothing is written. The command line reports the same error with its
input-error exit code."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import stored_school
from sqlalchemy import (
    JSON,
    Column,
    MetaData,
    Table,
    func,
    insert,
    select,
    text,
    update,
)
from store.dbfixtures import Database

from junheng.cli import main
from junheng.errors import InputError
from junheng.governance import audit
from junheng.services.access import SYSTEM
from junheng.store.divisions import load_divisions
from junheng.store.models import (
    AuditRecord,
    PeerAssessment,
    PlanScenario,
    School,
    User,
    utcnow,
)

SCHOOL = "2141000001"


def _peer(value: float | None = 0.5, note: str | None = None) -> PeerAssessment:
    return PeerAssessment(
        author="evaluator",
        author_role="evaluator",
        year=2024,
        division_code="410102",
        school_code="",
        subject="check:S1",
        value=value,
        judgement=None,
        note=note,
        updated_at=utcnow(),
    )


def _peer_values(**changes: object) -> dict[str, object]:
    """Return the columns of a peer assessment for a Core or bulk insert."""
    row = _peer()
    values = {c.key: getattr(row, c.key) for c in PeerAssessment.__table__.columns}
    del values["id"]
    return values | changes


def _peers(number: int) -> dict[str, object]:
    """Return the columns of the ``number``-th of many distinct assessments."""
    return _peer_values(subject=f"check:S{number}", value=number / 10_000)


def _scenario(parameters: dict[str, object]) -> PlanScenario:
    return PlanScenario(
        name="甲",
        kind="adjust",
        division_code="410102",
        year=2024,
        framework_id="2017",
        parameters=parameters,
        result={},
        data_generation=0,
        created_by="zhongyuan",
        created_at=utcnow(),
    )


def _count(database: Database, model: type) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_float_column_rejects_non_finite(database: Database, number: float) -> None:
    with database.sessions() as session:
        session.add(_peer(value=number))
        with pytest.raises(InputError, match="value") as raised:
            session.flush()
        assert "有限数值" in raised.value.message_zh
    assert _count(database, PeerAssessment) == 0


def test_text_column_rejects_nul(database: Database) -> None:
    with database.sessions() as session:
        session.add(_peer(note="抽样\x00核查"))
        with pytest.raises(InputError, match="note contains a NUL") as raised:
            session.flush()
        assert "NUL 字符" in raised.value.message_zh
    assert _count(database, PeerAssessment) == 0


@pytest.mark.parametrize(
    ("parameters", "path"),
    [
        ({"hire_yuan": math.nan}, "parameters.hire_yuan"),
        ({"limits": [1.0, math.inf]}, "parameters.limits[1]"),
        ({"note": "a\x00b"}, "parameters.note"),
        ({"a\x00b": 1}, "parameters.a\x00b"),
    ],
)
def test_json_column_names_path(
    database: Database, parameters: dict[str, object], path: str
) -> None:
    with database.sessions() as session:
        session.add(_scenario(parameters))
        with pytest.raises(InputError) as raised:
            session.flush()
        assert raised.value.message_en.startswith(path)
    assert _count(database, PlanScenario) == 0


def test_changed_value_checked(database: Database) -> None:
    with database.sessions() as session:
        session.add(_peer(value=0.5))
        session.commit()
    with database.sessions() as session:
        peer = session.scalars(select(PeerAssessment)).one()
        peer.value = math.nan
        with pytest.raises(InputError, match="value"):
            session.commit()
    with database.sessions() as session:
        assert session.scalars(select(PeerAssessment.value)).one() == 0.5


def test_old_value_not_rechecked(database: Database) -> None:
    # A row that SQLite stored before the check keeps its NUL text; changing
    # another column of it still works.
    if database.backend != "sqlite":
        pytest.skip("PostgreSQL never stored such text")
    with database.sessions() as session:
        session.add(_peer(note="plain"))
        session.commit()
        session.execute(text("UPDATE peer_assessments SET note = 'a' || char(0)"))
        session.commit()
    with database.sessions() as session:
        peer = session.scalars(select(PeerAssessment)).one()
        assert peer.note == "a\x00"
        peer.value = 0.75
        session.commit()
    with database.sessions() as session:
        assert session.scalars(select(PeerAssessment.value)).one() == 0.75


def test_audit_record_rejects_non_finite(database: Database) -> None:
    with (
        database.sessions() as session,
        pytest.raises(InputError, match=r"after\.target"),
    ):
        audit.append(session, "system", "test", "test", 1, None, {"target": math.nan})
    assert _count(database, AuditRecord) == 0


def test_cli_user_add_rejects_nul(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with database.sessions.begin() as session:
        load_divisions(session, SYSTEM, 2024, within=("41",))
        session.add(stored_school(SCHOOL, "410102"))
    result = CliRunner().invoke(
        main,
        [
            "user",
            "add",
            "zy",
            "--role",
            "county",
            "--scope",
            "410102",
            "--display-name",
            "中原区\x00教育局",
            "--password-stdin",
            "--url",
            database.url,
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 3, result.output
    assert "display_name" in result.output
    assert "NUL" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _count(database, User) == 0
    assert _count(database, School) == 1


def test_core_insert_rejects_nul(database: Database) -> None:
    statement = insert(PeerAssessment).values(_peer_values(note="抽样\x00核查"))
    with database.engine.connect() as connection:
        with pytest.raises(InputError, match="note contains a NUL") as raised:
            connection.execute(statement)
        assert "NUL 字符" in raised.value.message_zh
    assert _count(database, PeerAssessment) == 0


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_core_update_rejects_non_finite(database: Database, number: float) -> None:
    with database.sessions() as session:
        session.add(_peer(value=0.5))
        session.commit()
    with database.engine.connect() as connection:
        with pytest.raises(InputError, match="value") as raised:
            connection.execute(update(PeerAssessment).values(value=number))
        assert "有限数值" in raised.value.message_zh
    with database.sessions() as session:
        assert session.scalars(select(PeerAssessment.value)).one() == 0.5


def test_core_json_names_path(database: Database) -> None:
    row = _scenario({"limits": [1.0, math.inf]})
    values = {c.key: getattr(row, c.key) for c in PlanScenario.__table__.columns}
    del values["id"]
    with database.engine.connect() as connection:
        with pytest.raises(InputError) as raised:
            connection.execute(insert(PlanScenario).values(values))
        assert raised.value.message_en.startswith("parameters.limits[1] inf")
    assert _count(database, PlanScenario) == 0


def test_bulk_insert_checks_every_row(database: Database) -> None:
    # With RETURNING, 2,500 rows go in three INSERT statements of up to 1,000
    # rows each (SQLAlchemy's insertmanyvalues) on both stores. The bad row is
    # in the last one, and nothing of the first is kept.
    rows = [_peers(i) for i in range(2_500)]
    rows[-1]["value"] = math.nan
    statement = insert(PeerAssessment).returning(PeerAssessment.id)
    with database.sessions() as session:
        with pytest.raises(InputError, match="value nan is not a finite number"):
            session.execute(statement, rows)
        session.rollback()
    assert _count(database, PeerAssessment) == 0


def test_bulk_insert_stores_good_rows(database: Database) -> None:
    rows = [_peers(i) for i in range(2_500)]
    with database.sessions() as session:
        session.execute(insert(PeerAssessment).returning(PeerAssessment.id), rows)
        session.commit()
    assert _count(database, PeerAssessment) == 2_500


def test_executemany_rejects_nul(database: Database) -> None:
    rows = [_peer_values(note="plain"), _peer_values(note="a\x00b")]
    with (
        database.engine.connect() as connection,
        pytest.raises(InputError, match="note contains a NUL"),
    ):
        connection.execute(insert(PeerAssessment), rows)
    assert _count(database, PeerAssessment) == 0


def test_driver_sql_rejects_nul(database: Database) -> None:
    placeholder = "?" if database.backend == "sqlite" else "%s"
    with (
        database.engine.connect() as connection,
        pytest.raises(InputError, match="parameter 1 contains a NUL"),
    ):
        connection.exec_driver_sql(
            f"UPDATE peer_assessments SET note = {placeholder}", ("a\x00",)
        )


def test_select_rejects_nul_on_both(database: Database) -> None:
    # PostgreSQL cannot take such a parameter, so SQLite rejects it too.
    query = select(PeerAssessment).where(PeerAssessment.note == "a\x00")
    with (
        database.sessions() as session,
        pytest.raises(InputError, match="note contains a NUL"),
    ):
        session.scalars(query).all()


@pytest.mark.parametrize(
    ("value", "fragment"),
    [(math.nan, "answers nan is not a finite number"), ("a\x00", "answers contains")],
)
def test_json_scalar_rejected(database: Database, value: object, fragment: str) -> None:
    # A JSON column may hold a bare number or string, serialized as NaN or
    # "a\u0000" on SQLite.
    table = Table("json_scalars", MetaData(), Column("answers", JSON))
    with database.engine.begin() as connection:
        table.create(connection)
    try:
        with (
            database.engine.connect() as connection,
            pytest.raises(InputError, match=fragment),
        ):
            connection.execute(insert(table).values(answers=value))
    finally:
        with database.engine.begin() as connection:
            table.drop(connection)
