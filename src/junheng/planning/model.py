"""A small builder of sparse mixed-integer programs solved by HiGHS.

The planners add variables and constraints by name-free index; :meth:`solve`
hands them to :func:`scipy.optimize.milp`, which runs the HiGHS solver. HiGHS
is deterministic for a given model and options when no time limit stops it,
so the same input gives the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

MIP_REL_GAP = 1e-6
"""Relative optimality gap at which HiGHS stops (its default is 1e-4)."""


@dataclass
class Solution:
    """The outcome of one HiGHS run: ``status`` 0 is optimal, 2 infeasible."""

    status: int
    message: str
    x: npt.NDArray[np.float64] | None
    objective: float | None
    gap: float | None


@dataclass
class Program:
    """A minimisation problem ``min c·x`` under ``lo ≤ A·x ≤ hi`` and bounds."""

    cost: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    coefs: list[float] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)

    def variable(
        self, cost: float, lower: float, upper: float, *, integer: bool
    ) -> int:
        """Add a variable and return its index."""
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(1 if integer else 0)
        return len(self.cost) - 1

    def constrain(
        self, terms: list[tuple[int, float]], lower: float, upper: float
    ) -> None:
        """Add ``lower ≤ Σ coef·x[index] ≤ upper`` for ``terms`` of (index, coef)."""
        row = len(self.row_lower)
        for index, coef in terms:
            self.rows.append(row)
            self.cols.append(index)
            self.coefs.append(coef)
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def solve(self, *, time_limit: float | None = None) -> Solution:
        """Solve with HiGHS; ``time_limit`` in seconds (none by default)."""
        n = len(self.cost)
        options: dict[str, float | bool] = {"mip_rel_gap": MIP_REL_GAP}
        if time_limit is not None:
            options["time_limit"] = time_limit
        constraints = []
        if self.row_lower:
            matrix = coo_array(
                (self.coefs, (self.rows, self.cols)), shape=(len(self.row_lower), n)
            ).tocsr()
            constraints.append(LinearConstraint(matrix, self.row_lower, self.row_upper))
        result = milp(
            np.asarray(self.cost, dtype=np.float64),
            integrality=np.asarray(self.integer),
            bounds=Bounds(self.lower, self.upper),
            constraints=constraints,
            options=options,
        )
        x = None if result.x is None else np.asarray(result.x, dtype=np.float64)
        return Solution(
            status=int(result.status),
            message=str(result.message),
            x=x,
            objective=None if result.fun is None else float(result.fun),
            gap=getattr(result, "mip_gap", None),
        )
