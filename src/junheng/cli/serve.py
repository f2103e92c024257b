"""``junheng serve``: run the web platform with uvicorn."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from pydantic import ValidationError


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 listens on every interface.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="TCP port to listen on.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Build a SQLite database of SYNTHETIC data with a demo account for every "
    "role, print the accounts and serve it. Never use the demo accounts for real "
    "data.",
)
@click.option(
    "--demo-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for the demo database (default: a new temporary folder).",
)
def serve(host: str, port: int, demo: bool, demo_dir: Path | None) -> None:
    """Serve the web platform: pages, approval workflow and the /api/v1 API.

    Settings come from JUNHENG_* environment variables (see docs/platform.md);
    outside --demo, JUNHENG_SECRET_KEY is required and the database must have
    been created with `junheng db upgrade`.
    """
    import uvicorn
    from rich.console import Console

    from junheng.web.app import create_app
    from junheng.web.settings import WebSettings

    console = Console(stderr=True)
    try:
        if demo:
            settings = _demo_settings(demo_dir, console)
        else:
            settings = WebSettings()
            _check_schema(settings)
    except ValidationError as error:
        messages = "; ".join(str(e["msg"]) for e in error.errors())
        raise click.UsageError(messages) from error
    app = create_app(settings)
    console.print(f"Junheng: http://{host}:{port}/", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="info")


def _demo_settings(demo_dir: Path | None, console: object) -> object:
    raise NotImplementedError
