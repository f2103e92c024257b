"""Fixtures of the web tests (see site.py for the helpers)."""

from __future__ import annotations

from web.site import site

__all__ = ["site"]
