"""Plans on the platform: run a planner on approved data, save named scenarios.

:func:`run_plan` loads the approved data of one county and school year and
calls the planner of a kind (least-cost adjustment, teacher rotation, school
pairing), imported only when it runs. A planner returns a
:class:`~junheng.planning.result.PlanResult` and never changes stored data.

A result can be saved as a scenario (:func:`save_scenario`), listed, read,
renamed, deleted and compared with another scenario of the same kind and
county (:func:`compare_scenarios`). Saving, renaming and deleting append to
the audit chain in the caller's transaction. A scenario keeps the data
generation it was computed on, and :func:`is_stale` returns whether approved
data have changed since.

Who may do what: education authorities (county, city, province, ministry)
run plans and save, rename or delete scenarios of the counties in their
scope. A pairing plan may also cover a city or a province and pair across its
counties (:data:`REGION_KINDS`); only city, province and ministry users may
run one (:data:`REGION_ROLES`). Evaluators read the scenarios of their
assigned counties. School and public users have no access to plans.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from junheng.errors import (
    Conflict,
    InvalidInput,
    JunhengError,
    NotFound,
    PermissionDenied,
)
from junheng.governance import audit
from junheng.planning.result import KINDS, PlanResult
from junheng.services.access import ADMINISTRATIONS, Principal, Role, can_read, covers
from junheng.services.records import (
    approved_county_items,
    approved_frame,
    data_generation,
)
from junheng.standards.loader import DEFAULT_FRAMEWORK
from junheng.store.models import Division, PlanScenario, utcnow

K = TypeVar("K")

NAME_MAX = 200
"""Maximum length of a scenario name, in characters (the column's length)."""

NOTE_MAX = 2000
"""Maximum length of a scenario note, in characters."""

KIND_NAMES: dict[str, tuple[str, str]] = {
    "adjust": ("最低成本调整方案", "least-cost adjustment"),
    "rotation": ("教师交流轮岗方案", "teacher rotation"),
    "pairing": ("学校结对帮扶方案", "school pairing"),
}
"""Chinese and English names of the planner kinds."""


class PlannerUnavailable(JunhengError):
    """The planner module of a kind is not installed in this build."""

    status = 501
    code = "planner_unavailable"


@dataclass(frozen=True)
class Planner:
    """The module, function and options class of a planner.

    ``options`` is the class whose ``from_mapping`` builds the planner's
    options from plain form values, passed as the keyword ``option_arg``.
    A planner with ``needs_roster`` reads an uploaded teacher roster first.
    """

    module: str
    function: str
    options: str
    option_arg: str
    needs_roster: bool = False


PLANNERS: dict[str, Planner] = {
    "adjust": Planner(
        "junheng.planning.adjust", "plan_adjustment", "AdjustCosts", "costs"
    ),
    "rotation": Planner(
        "junheng.planning.rotation",
        "plan_rotation",
        "RotationRule",
        "rule",
        needs_roster=True,
    ),
    "pairing": Planner(
        "junheng.planning.pairing", "plan_pairing", "PairingOptions", "options"
    ),
}
"""The planner of each kind in :data:`~junheng.planning.result.KINDS`."""

REGION_KINDS: frozenset[str] = frozenset({"pairing"})
"""Kinds whose plan may cover a city or a province (a 4- or 2-digit division
code) as well as a county: pairing within each of its counties or, with the
option ``cross_county``, across them, as `junheng plan pair` does."""

REGION_ROLES: frozenset[Role] = frozenset({Role.CITY, Role.PROVINCE, Role.MINISTRY})
"""Roles that may plan a city or a province and pair across counties."""


# ------------------------------------------------------------------ access


def may_plan(principal: Principal, division_code: str = "") -> bool:
    """Return whether ``principal`` may run plans and change scenarios of a
    county (any county in scope when ``division_code`` is empty)."""
    return principal.role in ADMINISTRATIONS and covers(principal.scope, division_code)


def may_read_plans(principal: Principal) -> bool:
    """Return whether ``principal`` may see any scenario at all."""
    return principal.role in ADMINISTRATIONS or principal.role == Role.EVALUATOR


def _denied(
    principal: Principal, target: str, action_en: str, action_zh: str
) -> PermissionDenied:
    return PermissionDenied(
        f"user {principal.username!r} ({principal.role}) may not {action_en} the "
        f"plans of {target or 'the whole country'}; plans are for the education "
        "authorities of that region and its assigned evaluators",
        zh=f"用户 {principal.username} 无权{action_zh} {target or '全国'} 的规划方案，"
        "规划方案仅对该地区的教育行政部门和受委托的评估机构开放",
    )


def require_plan(principal: Principal, division_code: str) -> None:
    """Raise :class:`PermissionDenied` unless ``principal`` may plan for the
    county ``division_code``."""
    if not may_plan(principal, division_code):
        raise _denied(principal, division_code, "run or change", "编制或修改")


def require_region_plan(principal: Principal, division_code: str) -> None:
    """Raise :class:`PermissionDenied` unless ``principal`` may plan across the
    counties of ``division_code`` (a city or province, or any division with the
    pairing option ``cross_county``): a city, province or ministry user whose
    scope covers it."""
    if principal.role not in REGION_ROLES:
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not plan across "
            f"counties (division {division_code}): a plan of a city or a province, "
            "or pairing across counties, is for city, province and ministry users; "
            f"plan one county of your scope {principal.scope or '—'} without "
            "cross_county",
            zh=f"用户 {principal.username} 无权编制跨县规划（区划 {division_code}）："
            "按市、省编制或跨县结对仅对市级、省级和教育部用户开放；"
            f"请在本辖区 {principal.scope or '—'} 内按县编制，且不选跨县结对",
        )
    require_plan(principal, division_code)


def region_choices(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """Return the current provinces and cities within the scope of
    ``principal`` as ``(code, name)`` in code order: the divisions a pairing
    plan may cover besides a county. Empty for a user outside
    :data:`REGION_ROLES`."""
    if principal.role not in REGION_ROLES:
        return []
    query = (
        select(Division.code, Division.name)
        .where(
            Division.level.in_(("province", "city")),
            Division.valid_to.is_(None),
            Division.code.startswith(principal.scope, autoescape=True),
        )
        .order_by(Division.code)
    )
    return [(code, name) for code, name in session.execute(query)]


def _crosses(kind: str, division_code: str, options: Any) -> bool:
    """Return whether a plan spans more than one county."""
    return kind in REGION_KINDS and (
        len(division_code) < 6 or bool(getattr(options, "cross_county", False))
    )


def _require_read(principal: Principal, division_code: str) -> None:
    if not may_read_plans(principal) or not can_read(principal, division_code):
        raise _denied(principal, division_code, "read", "查看")


# ------------------------------------------------------------------ running


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        known = ", ".join(KINDS)
        raise InvalidInput(
            f"unknown plan kind {kind!r}; use one of: {known}",
            zh=f"未知的规划类型 {kind}，可用：{known}",
        )


def _check_county(division_code: str) -> None:
    if len(division_code) != 6 or not (
        division_code.isascii() and division_code.isdigit()
    ):
        raise InvalidInput(
            f"division code {division_code!r} is not a county code; plans are made "
            "for one county, so give its 6-digit division code",
            zh=f"行政区划代码 {division_code} 不是县级代码；规划按县编制，"
            "请填写 6 位县级行政区划代码",
        )


def _check_division(kind: str, division_code: str) -> None:
    """Check the division of a plan: a county, or for :data:`REGION_KINDS` a
    city or province as well."""
    if kind not in REGION_KINDS:
        _check_county(division_code)
        return
    if len(division_code) not in (2, 4, 6) or not (
        division_code.isascii() and division_code.isdigit()
    ):
        raise InvalidInput(
            f"division code {division_code!r} is not a province (2 digits), city "
            "(4 digits) or county (6 digits) code; give the code of the region "
            "to pair schools in",
            zh=f"行政区划代码 {division_code} 不是省级（2 位）、地市（4 位）或"
            "县级（6 位）代码，请填写结对范围的行政区划代码",
        )


def _planner_module(kind: str) -> Any:
    planner = PLANNERS[kind]
    try:
        return importlib.import_module(planner.module)
    except ModuleNotFoundError as error:
        # Only the planner module itself missing means "not installed"; a
        # module missing inside it is a broken installation and surfaces.
        if error.name != planner.module:
            raise
        en, zh = KIND_NAMES[kind][1], KIND_NAMES[kind][0]
        raise PlannerUnavailable(
            f"the {en} planner ({planner.module}) is not installed on this server; "
            "install a Junheng release that includes it",
            zh=f"本服务器未安装{zh}编制模块（{planner.module}），"
            "请安装包含该模块的均衡平台版本",
        ) from error


def planner_options(kind: str) -> type[Any]:
    """Return the options class of the planner of ``kind`` (such as
    ``AdjustCosts``); :class:`PlannerUnavailable` when it is not installed."""
    _check_kind(kind)
    options: type[Any] = getattr(_planner_module(kind), PLANNERS[kind].options)
    return options


@dataclass(frozen=True)
class ParameterField:
    """One parameter of a planner's options, for a form: its name, the type
    the form converts to, and its default (``None`` when it has none)."""

    name: str
    kind: str
    default: Any


def parameter_fields(kind: str) -> list[ParameterField]:
    """Return the fields of the options of ``kind`` with their defaults.

    The fields are read from the options dataclass, so a form always offers
    exactly what the installed planner accepts.
    """
    options = planner_options(kind)
    if not dataclasses.is_dataclass(options):
        return []
    found: list[ParameterField] = []
    for item in dataclasses.fields(options):
        if not item.init or item.name.startswith("_"):
            continue
        default: Any = None
        if item.default is not dataclasses.MISSING:
            default = item.default
        elif item.default_factory is not dataclasses.MISSING:
            default = item.default_factory()
        found.append(
            ParameterField(item.name, _field_kind(item.type, default), default)
        )
    return found


def _field_kind(annotation: Any, default: Any) -> str:
    text = str(annotation)
    if isinstance(default, bool) or text.startswith("bool"):
        return "bool"
    if isinstance(default, int) or text.startswith("int"):
        return "int"
    if isinstance(default, float) or text.startswith("float"):
        return "float"
    return "text"


def _options(kind: str, params: Mapping[str, Any]) -> Any:
    options = planner_options(kind)
    try:
        return options.from_mapping(dict(params))
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidInput(
            f"invalid {KIND_NAMES[kind][1]} parameters: {error}; correct the value "
            "or leave the field empty to use its default",
            zh=f"{KIND_NAMES[kind][0]}参数无效：{error}；请更正该值，或留空以使用默认值",
        ) from error


def run_plan(
    session: Session,
    principal: Principal,
    kind: str,
    division_code: str,
    year: int,
    params: Mapping[str, Any],
    upload: Path | None = None,
    framework: str = DEFAULT_FRAMEWORK,
    max_schools: int | None = None,
) -> PlanResult:
    """Run the planner of ``kind`` on the approved data of one county (or, for
    :data:`REGION_KINDS`, one city or province) and year.

    ``params`` are plain values (as a form or JSON sends them) that the
    planner's ``from_mapping`` turns into its options; an empty mapping uses
    every default. ``upload`` is the teacher roster file that a rotation
    plan reads, and ``framework`` the id or file of the framework to plan
    for. Raises :class:`NotFound` when the division has no approved school data
    for ``year``, :class:`InvalidInput` when a pairing plan would cover more
    than ``max_schools`` schools (no limit when ``None``), and
    :class:`PlannerUnavailable` when the planner is not installed. Nothing is
    written to the store.
    """
    _check_kind(kind)
    _check_division(kind, division_code)
    if len(division_code) < 6:
        require_region_plan(principal, division_code)
    require_plan(principal, division_code)
    planner = PLANNERS[kind]
    module = _planner_module(kind)
    options = _options(kind, params)
    if _crosses(kind, division_code, options):
        require_region_plan(principal, division_code)
    schools = approved_frame(session, year, division_code)
    if schools.is_empty():
        raise NotFound(
            f"division {division_code} has no approved school data for {year}; a "
            "plan reads approved data only, so finish the approval chain first",
            zh=f"{division_code} 在 {year} 年没有已审定的学校数据；"
            "规划只读取已审定数据，请先完成审核",
        )
    if kind == "pairing" and max_schools is not None:
        _check_pairing_size(schools, division_code, year, options, max_schools)
    from junheng.standards.loader import load_framework

    loaded = load_framework(framework)
    function: Callable[..., PlanResult] = getattr(module, planner.function)
    keywords: dict[str, Any] = {
        "division_code": division_code,
        "year": year,
        planner.option_arg: options,
    }
    if kind == "adjust":
        keywords["county_items"] = approved_county_items(session, year, division_code)
    # NOTE: pairing runs without school locations, because the store keeps
    # none; the planner then pairs by its own rule for missing locations.
    if planner.needs_roster:
        if upload is None:
            raise InvalidInput(
                "a teacher rotation plan needs the teacher roster; upload it as an "
                "Excel or CSV file",
                zh="教师交流轮岗方案需要教师名册，请上传 Excel 或 CSV 文件",
            )
        roster: pl.DataFrame = module.read_roster(upload)
        result = function(roster, schools, loaded, **keywords)
    else:
        result = function(schools, loaded, **keywords)
    # The warnings of the framework file come first, as the command line
    # prints them before the plan. The plan is stored and read by other
    # accounts, so they name the file without the server's folders.
    for warning in reversed(loaded.shared_warnings()):
        result.prepend_message(warning.zh, warning.en)
    return result


def _check_pairing_size(
    schools: pl.DataFrame,
    division_code: str,
    year: int,
    options: Any,
    max_schools: int,
) -> None:
    """Raise :class:`InvalidInput` when a pairing plan covers more than
    ``max_schools`` schools, naming the command that pairs any number.

    A plan runs inside the web request, and a province of 5,200 schools took
    about 30 s, long enough for a proxy to time out and to hold a worker.
    """
    count = schools["school_code"].n_unique()
    if count <= max_schools:
        return
    cross = " --cross-county" if getattr(options, "cross_county", False) else ""
    command = f"junheng plan pair SCHOOL_FILES --division {division_code}{cross}"
    raise InvalidInput(
        f"division {division_code} has approved data of {count:,} schools for "
        f"{year}, more than the {max_schools:,} that a pairing plan on the web "
        "may cover, because a larger plan would hold the request for tens of "
        "seconds; plan each city or county on its own, or pair the whole region "
        f"on the command line with the school data files: {command}",
        zh=f"{division_code} 在 {year} 年有 {count} 所学校的已审定数据，超过网页结对"
        f"方案的上限 {max_schools} 所（更大的方案会让请求占用数十秒）；请按地市或"
        f"县区分别制定方案，或用学校数据文件在命令行处理整个地区：{command}",
    )


def label_synthetic(result: PlanResult, files: Sequence[Path]) -> None:
    """Mark ``result`` as synthetic when one of the input ``files`` was saved by
    ``junheng demo``, and put a notice naming those files first in its messages.

    A roster or locations file that ``junheng demo --save-roster`` writes
    carries the notice in its note column (see
    :func:`junheng.planning.synthetic.mark`); :func:`junheng.demo.is_synthetic`
    finds it there and in the demo's Parquet and Excel datasets.
    """
    from junheng.demo import is_synthetic

    marked = [path.name for path in files if is_synthetic(path)]
    if not marked:
        return
    result.synthetic = True
    result.prepend_message(
        f"合成数据：上传的文件 {'、'.join(marked)} 由 junheng demo 随机生成，"
        "不对应任何真实教师或学校；本方案仅供演示和测试。",
        f"SYNTHETIC DATA: the uploaded file {', '.join(marked)} was generated at "
        "random by junheng demo and describes no real teacher or school; this "
        "plan is for demonstration and testing only.",
    )


# ------------------------------------------------------------------ scenarios


def scenario_state(scenario: PlanScenario) -> dict[str, Any]:
    """Return the fields of a scenario that its audit records keep."""
    return {
        "name": scenario.name,
        "kind": scenario.kind,
        "division_code": scenario.division_code,
        "year": scenario.year,
        "framework_id": scenario.framework_id,
        "parameters": scenario.parameters,
        "data_generation": scenario.data_generation,
        "note": scenario.note,
    }


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_MAX:
        raise InvalidInput(
            f"scenario name {name!r} is empty or longer than {NAME_MAX} characters; "
            "give a short name such as 'hire 20 teachers'",
            zh=f"方案名称“{name}”为空或超过 {NAME_MAX} 个字符，请填写简短的名称",
        )
    return cleaned


def _clean_note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            f"the note has {len(note)} characters; shorten it to at most {NOTE_MAX}",
            zh=f"备注共 {len(note)} 个字符，请缩短到 {NOTE_MAX} 个以内",
        )
    return note.strip()


def _check_unique(
    session: Session, division_code: str, kind: str, name: str, own_id: int | None
) -> None:
    found = session.scalar(
        select(PlanScenario.id).where(
            PlanScenario.division_code == division_code,
            PlanScenario.kind == kind,
            PlanScenario.name == name,
        )
    )
    if found is not None and found != own_id:
        raise Conflict(
            f"county {division_code} already has a {kind} scenario named {name!r} "
            f"(id {found}); choose another name or rename that one",
            zh=f"{division_code} 已有名为“{name}”的同类方案（编号 {found}），"
            "请换一个名称或先重命名原方案",
        )


def save_scenario(
    session: Session,
    principal: Principal,
    result: PlanResult,
    name: str,
    note: str | None = None,
) -> PlanScenario:
    """Save ``result`` as a scenario called ``name`` and audit it.

    The name must be unique among the scenarios of the same kind and county
    (:class:`Conflict` otherwise). The scenario records the current data
    generation, so later pages can tell when approved data have moved on.
    """
    _check_kind(result.kind)
    _check_division(result.kind, result.division_code)
    options = result.parameters.get("options")
    cross = isinstance(options, dict) and options.get("cross_county") is True
    if cross or _crosses(result.kind, result.division_code, None):
        require_region_plan(principal, result.division_code)
    require_plan(principal, result.division_code)
    cleaned = _clean_name(name)
    _check_unique(session, result.division_code, result.kind, cleaned, None)
    scenario = PlanScenario(
        name=cleaned,
        kind=result.kind,
        division_code=result.division_code,
        year=result.year,
        framework_id=result.framework_id,
        parameters=dict(result.parameters),
        result=result.to_dict(),
        data_generation=data_generation(session),
        created_by=principal.username,
        created_at=utcnow(),
        note=_clean_note(note),
    )
    session.add(scenario)
    session.flush()
    audit.append(
        session,
        principal.username,
        "plan.save",
        "plan_scenario",
        scenario.id,
        None,
        scenario_state(scenario),
    )
    return scenario


def list_scenarios(
    session: Session,
    principal: Principal,
    *,
    kind: str | None = None,
    year: int | None = None,
    division_code: str | None = None,
) -> list[PlanScenario]:
    """List the scenarios ``principal`` may read, newest first.

    County users see their county's, cities and provinces their region's, the
    ministry every one, and evaluators those of their assigned counties.
    ``kind``, ``year`` and ``division_code`` (a code prefix) narrow the list.
    School and public users get :class:`PermissionDenied`.
    """
    if not may_read_plans(principal):
        raise _denied(principal, division_code or "", "read", "查看")
    query = select(PlanScenario).order_by(
        PlanScenario.created_at.desc(), PlanScenario.id.desc()
    )
    if principal.role == Role.EVALUATOR:
        if not principal.assigned_counties:
            return []
        query = query.where(PlanScenario.division_code.in_(principal.assigned_counties))
    elif principal.scope:
        query = query.where(
            PlanScenario.division_code.startswith(principal.scope, autoescape=True)
        )
    if division_code:
        query = query.where(
            PlanScenario.division_code.startswith(division_code, autoescape=True)
        )
    if kind is not None:
        _check_kind(kind)
        query = query.where(PlanScenario.kind == kind)
    if year is not None:
        query = query.where(PlanScenario.year == year)
    return list(session.scalars(query))


def get_scenario(
    session: Session, principal: Principal, scenario_id: int
) -> PlanScenario:
    """Return one scenario; :class:`NotFound` or :class:`PermissionDenied`."""
    if not may_read_plans(principal):
        raise _denied(principal, "", "read", "查看")
    scenario = session.get(PlanScenario, scenario_id)
    if scenario is None:
        raise NotFound(
            f"no plan scenario with id {scenario_id}; the list at /plans shows the "
            "scenarios you may open",
            zh=f"没有编号为 {scenario_id} 的规划方案，可在 /plans 查看可打开的方案",
        )
    _require_read(principal, scenario.division_code)
    return scenario


def find_scenario(
    session: Session,
    principal: Principal,
    reference: str,
    *,
    division_code: str | None = None,
    kind: str | None = None,
) -> PlanScenario:
    """Return the scenario ``reference`` names: its id, or its name among the
    scenarios ``principal`` may read (narrowed by ``division_code``, a code
    prefix, and ``kind``).

    Raises :class:`NotFound` naming the closest names when none matches, and
    :class:`InvalidInput` listing the matches when a name is used by several
    counties or kinds.
    """
    if reference.isascii() and reference.isdigit():
        return get_scenario(session, principal, int(reference))
    name = " ".join(reference.split())
    readable = list_scenarios(
        session, principal, kind=kind, division_code=division_code
    )
    found = [s for s in readable if s.name == name]
    if len(found) == 1:
        return found[0]
    if not found:
        close = difflib.get_close_matches(
            name, sorted({s.name for s in readable}), n=3, cutoff=0.4
        )
        hint_en = f"; did you mean {', '.join(close)}?" if close else ""
        hint_zh = f"；是否要找：{'、'.join(close)}？" if close else ""
        raise NotFound(
            f"no plan scenario named {name!r} that you may read{hint_en} "
            "`junheng plan scenarios list` shows the names and ids",
            zh=f"没有可查看的名为“{name}”的规划方案{hint_zh}"
            "`junheng plan scenarios list` 列出名称和编号",
        )
    listed = ", ".join(f"{s.id} ({s.kind}, {s.division_code})" for s in found)
    raise InvalidInput(
        f"{len(found)} plan scenarios are named {name!r}: {listed}; give the id, "
        "or narrow with --county and --kind",
        zh=f"有 {len(found)} 个名为“{name}”的规划方案：{listed}；请填写编号，"
        "或用 --county 和 --kind 缩小范围",
    )


def rename_scenario(
    session: Session, principal: Principal, scenario_id: int, name: str
) -> PlanScenario:
    """Give a scenario a new name, unique within its kind and county; audited."""
    scenario = get_scenario(session, principal, scenario_id)
    require_plan(principal, scenario.division_code)
    cleaned = _clean_name(name)
    if cleaned == scenario.name:
        return scenario
    _check_unique(session, scenario.division_code, scenario.kind, cleaned, scenario.id)
    before = scenario_state(scenario)
    scenario.name = cleaned
    session.flush()
    audit.append(
        session,
        principal.username,
        "plan.rename",
        "plan_scenario",
        scenario.id,
        before,
        scenario_state(scenario),
    )
    return scenario


def delete_scenario(session: Session, principal: Principal, scenario_id: int) -> None:
    """Delete a scenario and audit it; stored data are not touched."""
    scenario = get_scenario(session, principal, scenario_id)
    require_plan(principal, scenario.division_code)
    before = scenario_state(scenario)
    session.delete(scenario)
    session.flush()
    audit.append(
        session,
        principal.username,
        "plan.delete",
        "plan_scenario",
        scenario_id,
        before,
        None,
    )


def scenario_result(scenario: PlanScenario) -> PlanResult:
    """Return the stored result of ``scenario`` as a :class:`PlanResult`."""
    return PlanResult.from_dict(scenario.result)


def is_stale(session: Session, scenario: PlanScenario) -> bool:
    """Return whether approved data have changed since ``scenario`` was computed."""
    return scenario.data_generation != data_generation(session)


# ------------------------------------------------------------------ comparison


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return float(value)


def _difference(a: Any, b: Any) -> float | None:
    """Return ``b - a`` when both are numbers, else ``None``."""
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return None
    return y - x


def _ordered_union(first: list[K], second: list[K]) -> list[K]:
    return first + [key for key in second if key not in first]


def _key_columns(columns: list[dict[str, Any]]) -> list[str]:
    """Return the leading text columns of a table, which identify its rows."""
    keys: list[str] = []
    for column in columns:
        if column.get("kind", "text") != "text":
            break
        keys.append(column["key"])
    return keys


def _keyed_rows(
    rows: list[dict[str, Any]], keys: list[str]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Map each row to its key plus its occurrence number among equal keys.

    The n-th row with a repeated key is thus compared with the n-th such row
    of the other table.
    """
    keyed: dict[tuple[Any, ...], dict[str, Any]] = {}
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        base = tuple(row.get(k) for k in keys) if keys else (index,)
        count = seen.get(base, 0)
        seen[base] = count + 1
        keyed[(*base, count)] = row
    return keyed


def _compare_table(
    name: str, first: dict[str, Any] | None, second: dict[str, Any] | None
) -> dict[str, Any]:
    reference = first or second or {}
    columns = list(reference.get("columns", []))
    if first and second:
        known = {c["key"] for c in columns}
        columns += [c for c in second["columns"] if c["key"] not in known]
    keys = _key_columns(columns)
    values = [c for c in columns if c["key"] not in keys]
    rows_a = _keyed_rows(first["rows"] if first else [], keys)
    rows_b = _keyed_rows(second["rows"] if second else [], keys)
    differences: list[dict[str, Any]] = []
    unchanged = 0
    for key in _ordered_union(list(rows_a), list(rows_b)):
        row_a, row_b = rows_a.get(key), rows_b.get(key)
        if row_a is not None and row_b is not None:
            changed = [
                c["key"] for c in values if row_a.get(c["key"]) != row_b.get(c["key"])
            ]
            if not changed:
                unchanged += 1
                continue
            status = "changed"
        else:
            status = "removed" if row_b is None else "added"
        cells = {
            c["key"]: {
                "a": None if row_a is None else row_a.get(c["key"]),
                "b": None if row_b is None else row_b.get(c["key"]),
                "difference": _difference(
                    None if row_a is None else row_a.get(c["key"]),
                    None if row_b is None else row_b.get(c["key"]),
                ),
            }
            for c in values
        }
        source = row_a if row_a is not None else row_b
        assert source is not None
        differences.append(
            {
                "key": {k: source.get(k) for k in keys},
                "status": status,
                "values": cells,
            }
        )
    return {
        "name": name,
        "title_zh": reference.get("title_zh", name),
        "title_en": reference.get("title_en", name),
        "key_columns": [c for c in columns if c["key"] in keys],
        "value_columns": values,
        "rows": differences,
        "unchanged": unchanged,
    }


def compare_results(first: PlanResult, second: PlanResult) -> dict[str, Any]:
    """Compare two results: headline figures side by side, then the rows of
    each table that differ.

    Rows are matched by the table's leading text columns (by position when a
    table has none). A row only in ``first`` is ``removed``, one only in
    ``second`` is ``added``, and one whose other values differ is ``changed``
    with ``b - a`` for each numeric value. ``unchanged`` counts the rows that
    are equal in both.
    """
    summary_a, summary_b = first.summary, second.summary
    headline = [
        {
            "key": key,
            "a": summary_a.get(key),
            "b": summary_b.get(key),
            "difference": _difference(summary_a.get(key), summary_b.get(key)),
        }
        for key in _ordered_union(list(summary_a), list(summary_b))
    ]
    tables_a = {t.name: dataclasses.asdict(t) for t in first.tables}
    tables_b = {t.name: dataclasses.asdict(t) for t in second.tables}
    return {
        "kind": first.kind,
        "division_code": first.division_code,
        "feasible": {"a": first.feasible, "b": second.feasible},
        "summary": headline,
        "tables": [
            _compare_table(name, tables_a.get(name), tables_b.get(name))
            for name in _ordered_union(list(tables_a), list(tables_b))
        ],
    }


def compare_scenarios(
    session: Session, principal: Principal, first_id: int, second_id: int
) -> dict[str, Any]:
    """Compare two scenarios of the same kind and county (see
    :func:`compare_results`); each must be readable by ``principal``."""
    first = get_scenario(session, principal, first_id)
    second = get_scenario(session, principal, second_id)
    if (first.kind, first.division_code) != (second.kind, second.division_code):
        raise InvalidInput(
            f"scenarios {first_id} ({first.kind}, {first.division_code}) and "
            f"{second_id} ({second.kind}, {second.division_code}) differ in kind or "
            "county; compare two scenarios of the same kind and county",
            zh=f"方案 {first_id}（{first.kind}，{first.division_code}）与方案 "
            f"{second_id}（{second.kind}，{second.division_code}）的类型或县不同，"
            "只能比较同一县的同类方案",
        )
    compared = compare_results(scenario_result(first), scenario_result(second))
    compared["a"] = {"id": first.id, "name": first.name, "year": first.year}
    compared["b"] = {"id": second.id, "name": second.name, "year": second.year}
    return compared
