"""Rules of public feedback that need no store: categories, routing, deadlines,
escalation and tracking numbers.

Categories, their routing and their deadlines are data
(``feedback-rules.yaml``, or the file named by ``JUNHENG_FEEDBACK_RULES``).
Deadlines count working days of mainland China with the ``holidays`` package's
calendar, which includes the make-up working days (调休) of the State Council's
yearly holiday notice. Dates are those of Beijing time (UTC+8, no daylight
saving).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import holidays
import yaml

from junheng.errors import InputError

Level = Literal["county", "city", "province"]
LEVELS: tuple[Level, ...] = ("county", "city", "province")
CODE_LENGTH: dict[Level, int] = {"county": 6, "city": 4, "province": 2}
LEVEL_OF_LENGTH: dict[int, Level] = {n: level for level, n in CODE_LENGTH.items()}

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
"""Beijing time; mainland China has kept UTC+8 without daylight saving since 1992."""

DEFAULT_RULES = Path(__file__).with_name("feedback-rules.yaml")
RULES_VARIABLE = "JUNHENG_FEEDBACK_RULES"

TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base-32 symbols: no I, L, O or U, which read like 1, 1, 0 and V."""
TRACKING_RANDOM = 11
"""Random symbols in a tracking number: 11 × 5 = 55 bits from :mod:`secrets`."""
TRACKING_LENGTH = TRACKING_RANDOM + 1
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class Category:
    """A kind of feedback: its names, the level that answers it first, and the
    working days that level has to answer."""

    key: str
    zh: str
    en: str
    route: Level
    deadline_days: int

    def name(self, lang: str) -> str:
        """Return the category's name in ``lang`` (``zh`` or ``en``)."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Rules:
    """The categories of feedback, in the order forms list them."""

    categories: dict[str, Category]

    def category(self, key: str) -> Category:
        """Return the category ``key``; raise :class:`KeyError` when unknown."""
        return self.categories[key]


def _rules_error(path: Path, problem: str) -> InputError:
    return InputError(
        f"feedback rules {path}: {problem}; see the shipped feedback-rules.yaml "
        "for the layout",
        zh=f"意见反馈规则文件 {path}：{problem}；格式见随附的 feedback-rules.yaml",
    )


def load_rules(path: Path | None = None) -> Rules:
    """Return the categories, routing and deadlines of ``path``, by default of
    the file named by ``JUNHENG_FEEDBACK_RULES`` or else the shipped one."""
    if path is None:
        configured = os.environ.get(RULES_VARIABLE)
        path = Path(configured) if configured else DEFAULT_RULES
    return _read_rules(path)


@cache
def _read_rules(path: Path) -> Rules:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise _rules_error(path, f"cannot be read ({error})") from error
    entries = raw.get("categories") if isinstance(raw, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise _rules_error(path, "no 'categories' mapping")
    categories: dict[str, Category] = {}
    for key, entry in entries.items():
        if not isinstance(entry, dict):
            raise _rules_error(path, f"category {key!r} is not a mapping")
        route = entry.get("route")
        days = entry.get("deadline")
        if route not in LEVELS:
            raise _rules_error(
                path,
                f"category {key!r} has route {route!r}; use county, city or province",
            )
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
            raise _rules_error(
                path,
                f"category {key!r} has deadline {days!r}; use 1 to 90 working days",
            )
        categories[str(key)] = Category(
            str(key), str(entry.get("zh", key)), str(entry.get("en", key)), route, days
        )
    return Rules(categories)


def beijing_date(moment: dt.datetime) -> dt.date:
    """Return the calendar date in Beijing at ``moment`` (a time-zone aware time)."""
    return moment.astimezone(BEIJING).date()


@cache
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=year)


def is_working_day(day: dt.date) -> bool:
    """Return whether ``day`` is a working day in mainland China.

    Weekends are days off except the make-up working days, and public holidays
    are days off. NOTE: for a year whose holiday notice the installed
    ``holidays`` release does not have yet, only the fixed-date holidays count.
    """
    return bool(_calendar(day.year).is_working_day(day))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """Return the ``days``-th working day after ``start`` (``start`` not counted)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def route(division_code: str, level: Level, city_level: bool) -> str:
    """Return the code of the body at ``level`` responsible for a county.

    ``city_level`` is whether the county belongs to a city. A county without
    one sends its city-level items to its province.
    """
    if level == "city" and not city_level:
        level = "province"
    return division_code[: CODE_LENGTH[level]]


def level_above(responsible_code: str, division_code: str, city_level: bool) -> str:
    """Return the body one level above ``responsible_code`` for items of the
    county ``division_code``, or ``""`` when the province is already responsible.

    The chain is county → city → province, and county → province where there
    is no city level.
    """
    length = len(responsible_code)
    if length == CODE_LENGTH["county"] and city_level:
        return division_code[: CODE_LENGTH["city"]]
    if length > CODE_LENGTH["province"]:
        return division_code[: CODE_LENGTH["province"]]
    return ""


def _luhn_check_symbol(payload: str) -> str:
    """Return the Luhn mod N check symbol of ``payload`` over the tracking
    alphabet (N = 32). It detects every single changed symbol and most swaps of
    two neighbours."""
    base = len(TRACKING_ALPHABET)
    total = 0
    double = True
    for symbol in reversed(payload):
        addend = TRACKING_ALPHABET.index(symbol) * (2 if double else 1)
        total += addend // base + addend % base
        double = not double
    return TRACKING_ALPHABET[(base - total % base) % base]


def new_tracking_code() -> str:
    """Return a fresh tracking number: 11 random symbols and a check symbol."""
    payload = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_RANDOM))
    return payload + _luhn_check_symbol(payload)


def normalize_tracking_code(text: str) -> str | None:
    """Return the stored form of a typed tracking number, or ``None`` when it is
    not one (wrong length, foreign symbols or a wrong check symbol).

    Case, spaces and hyphens are ignored, and O, I and L are read as 0, 1 and 1.
    """
    code = "".join(text.split()).replace("-", "").upper().translate(_LOOKALIKES)
    if len(code) != TRACKING_LENGTH or any(c not in TRACKING_ALPHABET for c in code):
        return None
    if _luhn_check_symbol(code[:-1]) != code[-1]:
        return None
    return code


def format_tracking_code(code: str) -> str:
    """Return a tracking number in groups of four, as shown to people."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
