"""Objects kept on the application for the life of the process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from junheng.standards.model import Framework

T = TypeVar("T")


def app_object(request: Request, name: str, build: Callable[[], T]) -> T:
    """Return the object ``name`` of the app, building it on first use.

    Two requests that arrive first at the same time may each build one, and
    the last one stored is kept, so ``build`` must be cheap and its object
    must hold nothing that another copy needs.
    """
    state = request.app.state
    found: T | None = getattr(state, name, None)
    if found is None:
        found = build()
        setattr(state, name, found)
    return found


def platform_framework(request: Request) -> Framework:
    """Return the framework of ``JUNHENG_FRAMEWORK`` that the app evaluates against."""
    framework: Framework = request.app.state.framework
    return framework


PlatformFramework = Annotated[Framework, Depends(platform_framework)]
