"""The `zabota` command: serve, migrate, worker, users, tokens, demo data."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rich.console import Console

from zabota.config import ConfigurationError, Settings, get_settings
from zabota.db import Database
from zabota.errors import DomainError
from zabota.events.actions import Actor

app = typer.Typer(help="Zabota: customer care and retention platform.", no_args_is_help=True, add_completion=False)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _settings() -> Settings:
    try:
        return get_settings()
    except ConfigurationError as exc:
        err.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from None


def _database(settings: Settings) -> Database:
    return Database(settings.database_url, pool_size=settings.db_pool_size)


def _pending_migrations(database: Database) -> bool:
    from zabota.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(database.url))
    with database.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) != set(script.get_heads())


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from zabota.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    console.print(f"Database is up to date ({settings.database_url.split('://')[0]}).")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Web processes (needs PostgreSQL for more than one).")] = 1,
    jobs: Annotated[bool, typer.Option(help="Process background jobs in this process too.")] = True,
    log_level: Annotated[str, typer.Option(help="debug, info, warning…")] = "info",
) -> None:
    """Serve the API (and run background jobs in-process unless --no-jobs)."""
    import os

    from zabota.serving import ServeOptions
    from zabota.serving import serve as serve_processes

    settings = _settings()
    database = _database(settings)
    try:
        if _pending_migrations(database):
            err.print("[red]The database schema is not up to date:[/red] run `zabota migrate` first.")
            raise typer.Exit(2)
    finally:
        database.dispose()
    os.environ["RUN_JOBS_IN_PROCESS"] = "true" if jobs else "false"
    get_settings.cache_clear()
    console.print(f"Zabota is serving on [bold]http://{host}:{port}[/bold]  (API docs: /api/v1/docs)")
    try:
        serve_processes(ServeOptions(host=host, port=port, log_level=log_level), workers)
    except OSError as exc:
        err.print(f"[red]Cannot listen on {host}:{port}:[/red] {exc.strerror or exc}")
        raise typer.Exit(1) from None


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs run at once by this process.")] = 2,
    lease: Annotated[float, typer.Option(help="Seconds before a silent worker's job is taken over.")] = 60.0,
) -> None:
    """Run background jobs (outbound delivery, timers) in a separate process."""
    from zabota.jobs.worker import main as worker_main

    settings = _settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    raise typer.Exit(worker_main(settings.database_url, concurrency=concurrency, lease_seconds=lease))


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(prompt=True)],
    name: Annotated[str, typer.Option(prompt=True)],
    role: Annotated[str, typer.Option(help="admin, supervisor, operator, marketer or analyst")] = "operator",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
    language: Annotated[str, typer.Option(help="ru or en")] = "ru",
) -> None:
    """Create a staff account."""
    from zabota.auth.actions import create_user as do_create_user

    settings = _settings()
    database = _database(settings)
    try:
        with database.transaction() as session:
            user = do_create_user(
                session, Actor.system(), email=email, name=name, role=role, password=password, language=language
            )
            console.print(f"Created {user.role} {user.email} (@{user.handle}, id {user.id}).")
    except DomainError as exc:
        err.print(f"[red]Not created:[/red] {exc.translated(settings.default_language)}")
        raise typer.Exit(1) from None
    except ValueError as exc:
        err.print(f"[red]Not created:[/red] {exc}")
        raise typer.Exit(1) from None


@app.command("api-token")
def api_token(
    email: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    scope: Annotated[str, typer.Option(help="read or write")] = "write",
) -> None:
    """Issue an API token for a user; it is printed once."""
    from sqlalchemy import func, select

    from zabota.auth.actions import create_api_token
    from zabota.auth.models import User

    settings = _settings()
    database = _database(settings)
    with database.transaction() as session:
        user = session.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if user is None:
            err.print(f"[red]No user with the email {email}.[/red]")
            raise typer.Exit(1)
        try:
            new = create_api_token(session, Actor.system(), user, name=name, scope=scope)
        except DomainError as exc:
            err.print(f"[red]Not created:[/red] {exc.translated(settings.default_language)}")
            raise typer.Exit(1) from None
    console.print(new.plaintext)


@app.command("demo-data")
def demo_data(
    conversations: Annotated[int, typer.Option(help="How many conversations to generate.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    base_url: Annotated[
        str, typer.Option(help="Where Zabota will be served, for the printed widget snippet.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Load reproducible demo data: staff, departments, inboxes, customers, conversations."""
    from zabota.demo.generate import DemoSpec, load_demo

    settings = _settings()
    database = _database(settings)
    try:
        summary = load_demo(database, DemoSpec(conversations=conversations, seed=seed), console=console)
    except DomainError as exc:
        err.print(f"[red]Demo data not loaded:[/red] {exc.translated(settings.default_language)}")
        raise typer.Exit(1) from None
    console.print(summary)
    from zabota.widget.actions import first_widget_inbox

    with database.transaction() as session:
        key = first_widget_inbox(session)
    if key:
        base = base_url.rstrip("/")
        console.print(f"Chat widget: {base}/widget/demo; embed it on a site with", highlight=False)
        console.print(
            f'  <script src="{base}/widget.js" data-inbox="{key}" async></script>', highlight=False, markup=False
        )


def main() -> None:
    try:
        app()
    except ConfigurationError as exc:
        err.print(f"Configuration error: {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
