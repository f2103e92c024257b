"""Schemathesis fuzzes every /api/v1 operation against a live uvicorn server.

Bounded to a few examples per operation so the run stays under a minute. The
checks: no server error, and status codes, content types and bodies (the error
shape too) that match the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from web.live import live_server
from web.site import SCHOOL_A, SCHOOL_B, Site

EXAMPLES = 4
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def fuzz(operation: Any, base: str, headers: dict[str, str]) -> None:
    """Run the checks on a few generated calls of ``operation``."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(base_url=base, headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_api_conforms_to_openapi(site: Site) -> None:
    site.advance(site.save(SCHOOL_A), "zhongyuan")
    site.save(SCHOOL_B)
    headers = site.token("henan")
    failures: dict[str, str] = {}
    with live_server(site.app) as base:
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 15
        for operation in operations:
            try:
                fuzz(operation, base, headers)
            except Exception as error:  # every failing operation is reported below
                failures[operation.label] = f"{type(error).__name__}: {error}"
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
