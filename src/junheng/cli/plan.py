"""``junheng plan``: least-cost adjustment plans, teacher rotation plans,
school pairing and saved plan scenarios.

Plans read data and never change it. Each subcommand lives in a module of its
own and is imported only when it runs.
"""

from __future__ import annotations

from typing import ClassVar

import click

from junheng.cli import _LazyGroup


class _PlanGroup(_LazyGroup):
    lazy_commands: ClassVar[dict[str, tuple[str, str]]] = {
        "adjust": ("junheng.cli.plan_adjust", "adjust"),
        "rotate": ("junheng.cli.plan_people", "rotate"),
        "pair": ("junheng.cli.plan_people", "pair"),
        "scenarios": ("junheng.cli.plan_scenarios", "scenarios"),
    }


@click.group(cls=_PlanGroup)
def plan() -> None:
    """Work out plans that would make a county meet the standard.

    Plans never change stored data; results can be written as JSON, Excel or a
    terminal table and saved as named scenarios to compare.
    """
