"""Helpers shared by the plan pages and the plan API: the JSON twin of a
scenario, its chart specifications, its CSV and Excel files, and the signature
that ties a computed result to the caller until it is saved.

A result is computed by one request and saved by the next. The save request
sends the result back, so the first one signs it (HMAC with the app's
signing key, bound to the user name) and the save checks that signature.
A client therefore cannot save numbers that no planner computed.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from fastapi import Request
from itsdangerous import Signer
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from junheng.errors import InvalidInput, NotFound
from junheng.governance.audit import canonical_json
from junheng.planning.result import PlanResult, PlanTable, write_xlsx
from junheng.services import plans
from junheng.services.access import Principal
from junheng.standards.loader import DEFAULT_FRAMEWORK
from junheng.store.models import PlanScenario
from junheng.web.i18n import MESSAGES, Language, translate
from junheng.web.uploads import saved_upload

SIGNATURE_HEADER = "X-Plan-Signature"
"""Response header of ``POST /api/v1/plans/run`` with the result's signature."""

_SALT = "junheng.plan-result"

CHART_KINDS = ("money", "float", "int")
"""Column kinds a chart can draw, the one it prefers first."""

CHART_ROWS = 40
"""Maximum number of rows a chart draws; the table below it lists every row."""

CHART_SERIES = 4
"""Maximum number of columns a chart draws as bars side by side."""

MAX_CHARTS = 4
"""Maximum number of charts on a scenario page."""

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FILE_OPTIONS: dict[str, str] = {"pairing": "locations"}
"""The planner option of a kind that the form and the API take as an uploaded
file instead of a field: the school locations of a pairing plan. The file's
rows go in as the option because ``run_plan`` hands a planner its options and
the roster only."""


# ------------------------------------------------------------------ running


def form_fields(
    kind: str, fields: list[plans.ParameterField]
) -> list[plans.ParameterField]:
    """Return the parameter fields a form offers for ``kind``: all but the
    option that comes as a file."""
    return [field for field in fields if field.name != FILE_OPTIONS.get(kind)]


def _uploaded(upload: Any) -> bool:
    return isinstance(upload, UploadFile) and bool(upload.filename)


def with_locations(kind: str, params: dict[str, Any], path: Path) -> dict[str, Any]:
    """Return ``params`` with the school locations of the file at ``path``.

    The file is read all or nothing by
    :func:`junheng.planning.roster.read_locations`, whose
    :class:`~junheng.errors.InputError` lists every invalid cell. Only a
    pairing plan takes locations, and only one way: as a file or in ``params``.
    """
    option = FILE_OPTIONS.get(kind)
    if option is None:
        raise InvalidInput(
            f"a {kind} plan takes no school locations file; upload locations "
            "for a pairing plan only",
            zh="只有学校结对帮扶方案读取学校位置文件，本类方案不需要上传",
        )
    if option in params:
        raise InvalidInput(
            f"school locations came both as a file and as the parameter {option!r}; "
            "send them one way",
            zh=f"学校位置同时以文件和参数 {option} 提交，请只用一种方式",
        )
    from junheng.planning.roster import read_locations

    places = read_locations(path)
    return {**params, option: places.to_dicts()}


def run_uploaded(
    session: Session,
    principal: Principal,
    kind: str,
    division_code: str,
    year: int,
    params: dict[str, Any],
    roster: Any = None,
    locations: Any = None,
    framework: str = DEFAULT_FRAMEWORK,
    max_schools: int | None = None,
) -> PlanResult:
    """Run a plan with its uploaded files, each saved only while the plan runs.

    ``roster`` is the teacher roster of a rotation plan and ``locations`` the
    school locations of a pairing plan; an absent or unnamed upload is ignored.
    ``framework`` is the id or file of the framework to plan for, and
    ``max_schools`` the most schools a pairing plan may cover.
    The uploads are closed afterwards, since a page parses its form itself.
    """
    try:
        with ExitStack() as files:
            roster_path = None
            sources: list[Path] = []
            if _uploaded(roster):
                roster_path = files.enter_context(saved_upload(roster))
                sources.append(roster_path)
            if _uploaded(locations):
                path = files.enter_context(saved_upload(locations))
                params = with_locations(kind, params, path)
                sources.append(path)
            result = plans.run_plan(
                session,
                principal,
                kind,
                division_code,
                year,
                params,
                roster_path,
                framework=framework,
                max_schools=max_schools,
            )
            plans.label_synthetic(result, sources)
            return result
    finally:
        for upload in (roster, locations):
            if isinstance(upload, UploadFile):
                upload.file.close()


# ------------------------------------------------------------------ signature


def _normal(value: Any) -> Any:
    """Return ``value`` with whole floats as ints, so that a result sent back
    by a client that writes ``2.0`` as ``2`` (JavaScript does) still matches."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value


def _signer(request: Request) -> Signer:
    return Signer(request.app.state.settings.signing_key(), salt=_SALT)


def _signed_text(principal: Principal, data: dict[str, Any]) -> str:
    return principal.username + "\n" + canonical_json(_normal(data))


def sign_result(request: Request, principal: Principal, data: dict[str, Any]) -> str:
    """Return the signature of the result ``data`` for ``principal``."""
    return _signer(request).get_signature(_signed_text(principal, data)).decode()


def verified_result(
    request: Request, principal: Principal, data: Any, signature: str
) -> PlanResult:
    """Return ``data`` as a :class:`PlanResult` if ``signature`` is the one
    :func:`sign_result` gave ``principal`` for it; else :class:`InvalidInput`."""
    valid = isinstance(data, dict) and _signer(request).verify_signature(
        _signed_text(principal, data), signature
    )
    if not valid:
        raise InvalidInput(
            "the plan result does not match its signature: it was changed after it "
            "was computed, or computed for another user; run the plan again and "
            "save the new result",
            zh="规划结果与其签名不符：结果在计算后被改动，或属于其他用户；"
            "请重新编制后再保存",
        )
    try:
        return PlanResult.from_dict(data)
    except (TypeError, KeyError) as error:
        raise InvalidInput(
            f"the plan result is not in the shape a planner returns: {error}",
            zh=f"规划结果的格式不正确：{error}",
        ) from error


# ------------------------------------------------------------------ labels


def kind_name(kind: str, lang: Language) -> str:
    """Return the name of a planner kind in ``lang``."""
    zh, en = plans.KIND_NAMES.get(kind, (kind, kind))
    return zh if lang == "zh" else en


def catalogue_label(group: str, key: str, lang: Language) -> str:
    """Return the catalogue's ``plans.GROUP.KEY`` in ``lang`` when there is
    one, else ``key`` itself.

    Headline figures (group ``summary``) and planner parameters (group
    ``param``) are named by the planners, so a key the catalogue lacks is
    shown as it is.
    """
    # tests/planning/test_plan_labels.py fails when a planner adds a key
    # without a catalogue label.
    full = f"plans.{group}.{key}"
    return translate(full, lang) if full in MESSAGES else key


def cell_text(value: Any, column: dict[str, Any], lang: Language) -> str:
    """Return a table cell as the page shows it, formatted by the column kind."""
    if value is None:
        return "—"
    kind = column.get("kind", "text")
    if kind == "bool" or isinstance(value, bool):
        return translate("plans.yes" if value else "plans.no", lang)
    decimals = int(column.get("decimals", 0))
    if kind == "money" and isinstance(value, int | float):
        return f"{value:,.{decimals}f}"
    if kind in ("int", "float") and isinstance(value, int | float):
        return f"{value:.{decimals}f}"
    return str(value)


def figure_text(value: Any, lang: Language) -> str:
    """Return a headline figure as text; floats get at most 4 decimals."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return translate("plans.yes" if value else "plans.no", lang)
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# ------------------------------------------------------------------ twins


def chart_specs(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the charts of a result: per table, its numeric columns of one
    kind (money if any, else floats, else counts) and the same decimals, as
    bars over the last of its leading text columns.

    Each chart names its table, so the page's table is its text equivalent,
    and draws at most :data:`CHART_ROWS` rows.
    """
    charts: list[dict[str, Any]] = []
    for table in result.get("tables", []):
        columns = table["columns"]
        leading = []
        for column in columns:
            if column["kind"] != "text":
                break
            leading.append(column)
        numeric = [c for c in columns if c["kind"] in CHART_KINDS]
        if not leading or not numeric or not table["rows"]:
            continue
        # Prefer money columns, then rates such as CVs, then counts.
        first = min(numeric, key=lambda c: CHART_KINDS.index(c["kind"]))
        series = [
            c["key"]
            for c in numeric
            if (c["kind"], c["decimals"]) == (first["kind"], first["decimals"])
        ]
        charts.append(
            {
                "id": f"chart-{len(charts)}",
                "table": table["name"],
                "x": leading[-1]["key"],
                "series": series[:CHART_SERIES],
                "rows": min(len(table["rows"]), CHART_ROWS),
                "title_zh": table["title_zh"],
                "title_en": table["title_en"],
            }
        )
    return charts[:MAX_CHARTS]


def scenario_meta(scenario: PlanScenario, stale: bool) -> dict[str, Any]:
    """Return the fields of a scenario other than its result."""
    return {
        "id": scenario.id,
        **plans.scenario_state(scenario),
        "stale": stale,
        "synthetic": bool(scenario.result.get("synthetic", False)),
        "created_by": scenario.created_by,
        "created_at": scenario.created_at.isoformat(),
    }


def with_action_table(result: dict[str, Any]) -> dict[str, Any]:
    """Return ``result`` with an empty ``actions`` table when it is an
    infeasible adjustment plan without one.

    An infeasible adjustment plan has no actions, and its result has no such
    table, so the scenario page would offer no actions CSV while a feasible
    one does. The empty table (with its header) keeps the downloads of every
    adjustment scenario alike, including scenarios saved before.
    """
    tables = result.get("tables", [])
    if (
        result.get("kind") != "adjust"
        or result.get("feasible")
        or any(t["name"] == "actions" for t in tables)
    ):
        return result
    from junheng.planning.adjust_report import ACTION_COLUMNS

    empty = PlanTable("actions", "调整措施", "Actions", ACTION_COLUMNS, [])
    return {**result, "tables": [dataclasses.asdict(empty), *tables]}


def scenario_twin(session: Session, scenario: PlanScenario) -> dict[str, Any]:
    """Return the JSON twin of a scenario page: the scenario, its result (see
    :func:`with_action_table`) and the chart specifications the page draws."""
    result = with_action_table(scenario.result)
    return {
        "scenario": scenario_meta(scenario, plans.is_stale(session, scenario)),
        "result": result,
        "charts": chart_specs(result),
    }


def table_of(result: dict[str, Any], name: str | None) -> dict[str, Any]:
    """Return the table ``name`` of a result (the first when ``None``)."""
    tables = result.get("tables", [])
    for table in tables:
        if name is None or table["name"] == name:
            return dict(table)
    known = ", ".join(t["name"] for t in tables) or "—"
    raise NotFound(
        f"this plan has no table {name!r}; use one of: {known}",
        zh=f"该方案没有名为 {name} 的表格，可用：{known}",
    )


def xlsx_bytes(result: dict[str, Any], lang: Language) -> bytes:
    """Return a result as an Excel workbook (see
    :func:`junheng.planning.result.write_xlsx`)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.xlsx"
        write_xlsx(PlanResult.from_dict(result), path, lang)
        return path.read_bytes()
