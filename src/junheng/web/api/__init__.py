"""The JSON API under ``/api/v1``, described at ``/api/v1/openapi.json``."""

from __future__ import annotations

from fastapi import APIRouter

from junheng.web.api import county, feedback, plans, records, regions, surveys
from junheng.web.errors import ERROR_RESPONSES

API_V1 = "/api/v1"

router = APIRouter(prefix=API_V1, responses=ERROR_RESPONSES)
router.include_router(regions.router)
router.include_router(records.router)
router.include_router(county.router)
router.include_router(surveys.router)
router.include_router(feedback.router)
router.include_router(plans.router)
