"""The numbers of a survey round page, shared by the page, its twins and the API.

:func:`round_view` returns the round, the overall rate and verdict, the tables
``groups``, ``cells`` and ``items`` (columns with Chinese and English labels,
then rows) and the chart specification that ``static/dash/dash.js`` draws from
the ``groups`` table. Rates are percentages rounded down to one decimal, so a
shown rate never passes where the exact one fails.

A group with fewer respondents than ``min_answers``, and a question answered by
fewer, shows no satisfied count, valid count or rate (``None``, marked
``suppressed``). Their answers still count in the overall rate.
"""

from __future__ import annotations

from typing import Any

from junheng.participation.rates import floor_percent
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
    result: RoundResult, lang: str, min_answers: int
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
            "suppressed": 0 < respondents < min_answers,
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


def _item_respondents(result: RoundResult) -> dict[str, int]:
    """Return the respondents of each question: those of every group asked it."""
    counts: dict[str, int] = {}
    for group in result.qset.groups:
        for item in result.qset.items_of(group.key):
            counts[item.id] = (
                counts.get(item.id, 0) + result.rates.respondents[group.key]
            )
    return counts


def _item_rows(
    result: RoundResult, lang: str, min_answers: int
) -> list[dict[str, Any]]:
    respondents = _item_respondents(result)
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
                "suppressed": 0 < respondents.get(item.id, 0) < min_answers,
            }
            rows.append(_suppress(row))
    return rows


def round_view(result: RoundResult, lang: str, min_answers: int) -> dict[str, Any]:
    """Return every number the round page shows (see the module docstring)."""
    survey = result.survey
    rates = result.rates
    overall = rates.overall
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
        "overall": {
            "rate": _rate(overall.rate),
            "satisfied": overall.satisfied,
            "valid": overall.valid,
            "threshold": result.qset.threshold,
            "passed": rates.passed,
            "lowest_items": rates.lowest_items() if rates.passed is False else [],
        },
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
                "rows": _group_rows(result, lang, min_answers),
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
                "rows": _item_rows(result, lang, min_answers),
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
