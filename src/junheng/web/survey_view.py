"""The numbers of a survey round page, shared by the page, its twins and the API.

:func:`round_view` returns the round, the overall rate and verdict, the tables
``groups``, ``cells`` and ``items`` (columns with Chinese and English labels,
then rows) and the chart specification that ``static/dash/dash.js`` draws from
the ``groups`` table. Rates are percentages rounded down to one decimal, so a
shown rate never passes where the exact one fails.

While the round is open, no satisfied count, valid count, rate or verdict is
shown, only the counts of respondents (``overall.open_round``). Once it is
closed, a group with fewer respondents than ``min_answers``, and a question
answered by fewer, shows no satisfied count, valid count or rate (``None``,
marked ``suppressed``). Their answers still count in the overall rate. Further
groups, the items and the overall figures are suppressed whenever the shown
figures would let a suppressed one be derived by subtraction, or would tell
what a hidden group answered (see :mod:`junheng.participation.disclosure`).
"""

from __future__ import annotations

from typing import Any

from junheng.participation.disclosure import Suppression, suppression
from junheng.participation.rates import LOWEST_ITEMS, floor_percent
from junheng.services.surveys import RoundResult


def _column(key: str, zh: str, en: str, kind: str = "text") -> dict[str, str]:
    return {"key": key, "zh": zh, "en": en, "kind": kind}


def _label(choice: Any, lang: str) -> str:
    """Return the text of a group, stratum or band in ``lang`` ("" for none)."""
    if choice is None:
        return ""
    return str(choice.zh if lang == "zh" else choice.en)


def _rate(value: Any) -> float | None:
    percent = floor_percent(value)
    return None if percent is None else float(percent)


def _group_rows(
    result: RoundResult, lang: str, hidden: Suppression
) -> list[dict[str, Any]]:
    targets: dict[str, int] = {}
    for cell in result.cells:
        targets[cell["group"]] = targets.get(cell["group"], 0) + cell["target"]
    rows = []
    for group in result.qset.groups:
        tally = result.rates.groups[group.key]
        respondents = result.rates.respondents[group.key]
        row = {
            "group": group.key,
            "label": group.zh if lang == "zh" else group.en,
            "target": targets.get(group.key, 0),
            "respondents": respondents,
            "satisfied": tally.satisfied,
            "valid": tally.valid,
            "rate": _rate(tally.rate),
            "suppressed": group.key in hidden.groups,
        }
        rows.append(_suppress(row))
    return rows


def _cell_rows(result: RoundResult, lang: str) -> list[dict[str, Any]]:
    qset = result.qset
    strata = {s.key: s for s in qset.strata}
    rows = []
    for cell in result.cells:
        group = qset.group(cell["group"])
        band = next((b for b in group.bands if b.key == cell["band"]), None)
        stratum = strata[cell["stratum"]]
        rows.append(
            {
                "group": cell["group"],
                "stratum": cell["stratum"],
                "band": cell["band"],
                "label": " · ".join(
                    part
                    for part in (
                        _label(group, lang),
                        _label(stratum, lang),
                        _label(band, lang),
                    )
                    if part
                ),
                "target": cell["target"],
                "issued": cell["issued"],
                "answered": cell["answered"],
            }
        )
    return rows


def _suppress(row: dict[str, Any]) -> dict[str, Any]:
    """Blank the counts and the rate of a row marked ``suppressed``."""
    if row["suppressed"]:
        row.update(satisfied=None, valid=None, rate=None)
    return row


def _item_rows(
    result: RoundResult, lang: str, hidden: Suppression
) -> list[dict[str, Any]]:
    rows = []
    for name, questionnaire in result.qset.questionnaires.items():
        for item in questionnaire.items:
            tally = result.rates.items[item.id]
            row = {
                "item": item.id,
                "questionnaire": name,
                "text": item.zh if lang == "zh" else item.en,
                "satisfied": tally.satisfied,
                "valid": tally.valid,
                "rate": _rate(tally.rate),
                "suppressed": item.id in hidden.items,
            }
            rows.append(_suppress(row))
    return rows


def _overall(result: RoundResult, hidden: Suppression) -> dict[str, Any]:
    """Return the overall figures; the lowest items named are shown ones only."""
    rates = result.rates
    threshold = result.qset.threshold
    if hidden.overall:
        return {
            "rate": None,
            "satisfied": None,
            "valid": None,
            "threshold": threshold,
            "passed": None,
            "lowest_items": [],
            "suppressed": True,
            "open_round": hidden.open_round,
        }
    lowest: list[str] = []
    if rates.passed is False:
        ranked = rates.lowest_items(len(rates.items))
        lowest = [key for key in ranked if key not in hidden.items][:LOWEST_ITEMS]
    return {
        "rate": _rate(rates.overall.rate),
        "satisfied": rates.overall.satisfied,
        "valid": rates.overall.valid,
        "threshold": threshold,
        "passed": rates.passed,
        "lowest_items": lowest,
        "suppressed": False,
        "open_round": False,
    }


def round_view(result: RoundResult, lang: str, min_answers: int) -> dict[str, Any]:
    """Return every number the round page shows (see the module docstring)."""
    survey = result.survey
    rates = result.rates
    hidden = suppression(
        result.qset, rates, min_answers, open_round=survey.status == "open"
    )
    return {
        "round": {
            "id": survey.id,
            "division_code": survey.division_code,
            "year": survey.year,
            "status": survey.status,
            "questionnaire_set": survey.questionnaire_set,
            "population": survey.design["population"],
            "stratum_population": survey.design["stratum_population"],
            "total": survey.design["total"],
        },
        "overall": _overall(result, hidden),
        "min_answers": min_answers,
        "formula": "rate = 100 × satisfied / (answers − excluded answers); "
        "status: unconfirmed",
        "tables": {
            "groups": {
                "columns": [
                    _column("group", "群体代码", "Group key"),
                    _column("label", "群体", "Group"),
                    _column("target", "设计样本", "Target", "count"),
                    _column("respondents", "答卷数", "Respondents", "count"),
                    _column("satisfied", "满意回答", "Satisfied answers", "count"),
                    _column("valid", "有效回答", "Valid answers", "count"),
                    _column("rate", "满意率（%）", "Satisfaction (%)", "percent"),
                ],
                "rows": _group_rows(result, lang, hidden),
            },
            "cells": {
                "columns": [
                    _column("group", "群体代码", "Group key"),
                    _column("stratum", "城乡代码", "Stratum key"),
                    _column("band", "年级段代码", "Band key"),
                    _column("label", "设计单元", "Cell"),
                    _column("target", "设计样本", "Target", "count"),
                    _column("issued", "已发链接", "Links issued", "count"),
                    _column("answered", "已回收", "Answered", "count"),
                ],
                "rows": _cell_rows(result, lang),
            },
            "items": {
                "columns": [
                    _column("item", "题号", "Item"),
                    _column("questionnaire", "问卷", "Questionnaire"),
                    _column("text", "题目", "Question"),
                    _column("satisfied", "满意回答", "Satisfied answers", "count"),
                    _column("valid", "有效回答", "Valid answers", "count"),
                    _column("rate", "满意率（%）", "Satisfaction (%)", "percent"),
                ],
                "rows": _item_rows(result, lang, hidden),
            },
        },
        "charts": [
            {
                "id": "group-rates",
                "kind": "bars",
                "table": "groups",
                "filter": {},
                "x": "label",
                "series": ["rate"],
                "limit": result.qset.threshold,
                "title": {"zh": "各群体满意率", "en": "Satisfaction by group"},
            }
        ],
    }
