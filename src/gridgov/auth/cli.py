"""``gridgov user create|list|disable|enable|reset-password|unlock``.

The command line is the security administrator's tool of last resort (it needs access to the
server and the database); every change is written to the trail with channel ``cli``.
"""

from __future__ import annotations

import typer
from pydantic import ValidationError
from rich.console import Console

from gridgov.auth import service
from gridgov.auth.passwords import generate_password
from gridgov.auth.repository import UserRepository
from gridgov.auth.schemas import UserCreate
from gridgov.authz.principal import Role
from gridgov.config import get_settings
from gridgov.kit.context import channel_var
from gridgov.kit.db import job_session
from gridgov.kit.errors import GridgovError

user_app = typer.Typer(
    help="Accounts: create, list, disable, enable, reset passwords.", no_args_is_help=True
)
console = Console()


def _cli_context() -> None:
    channel_var.set("cli")


@user_app.command("create")
def create(
    username: str = typer.Option(..., help="Unique user name (letters, digits, _ . -)"),
    role: Role = typer.Option(..., help="Role"),
    region: str = typer.Option(None, "--region", help="Region code (grid … district, or overlay)"),
    department: str = typer.Option(None, "--department", help="Department code"),
    staff_id: int = typer.Option(None, "--staff-id", help="Linked staff record"),
    display_name: str = typer.Option(None, "--name", help="Display name"),
    password: str = typer.Option(
        None, help="Initial password (default: a random one, printed once)"
    ),
) -> None:
    """Create an account with an initial password that must be changed at first sign-in."""
    _cli_context()
    initial = password or generate_password()
    try:
        with job_session() as session:
            user = service.create_user(
                session,
                user_in=UserCreate(
                    username=username,
                    role=role,
                    password=initial,
                    region_code=region,
                    department_code=department,
                    staff_id=staff_id,
                    display_name=display_name,
                ),
                settings=get_settings(),
            )
            service.check_region_exists(session, user=user)
            name = user.username
    except GridgovError as exc:
        console.print(f"[red]{exc.message_en}[/red] / {exc.message}")
        raise typer.Exit(code=1) from exc
    except ValidationError as exc:
        for error in exc.errors():
            console.print(f"[red]{'.'.join(map(str, error['loc']))}: {error['msg']}[/red]")
        raise typer.Exit(code=1) from exc
    console.print(f"created [bold]{name}[/bold] ({role.value})")
    if not password:
        console.print(
            f"initial password: [bold]{initial}[/bold] (must be changed at first sign-in)"
        )


@user_app.command("list")
def list_users() -> None:
    """Every account with its role, scope and state."""
    columns = ("username", "role", "region", "department", "active", "locked_until", "must_change")
    typer.echo("\t".join(columns))
    with job_session() as session:
        for user in UserRepository(session).list_all():
            row = (
                user.username,
                user.role,
                user.region_code or "-",
                user.department_code or "-",
                "yes" if user.active else "no",
                str(user.locked_until or "-"),
                "yes" if user.must_change_password else "no",
            )
            typer.echo("\t".join(row))


def _set_active(username: str, active: bool) -> None:
    _cli_context()
    try:
        with job_session() as session:
            user = service.get_user(session, username=username)
            service.set_active(session, user=user, active=active)
    except GridgovError as exc:
        console.print(f"[red]{exc.message_en}[/red]")
        raise typer.Exit(code=1) from exc
    console.print(f"{username}: {'enabled' if active else 'disabled (sessions revoked)'}")


@user_app.command("disable")
def disable(username: str = typer.Argument(...)) -> None:
    """Disable an account and end its sessions."""
    _set_active(username, False)


@user_app.command("enable")
def enable(username: str = typer.Argument(...)) -> None:
    """Enable a disabled account."""
    _set_active(username, True)


@user_app.command("reset-password")
def reset_password(
    username: str = typer.Argument(...),
    password: str = typer.Option(None, help="New initial password (default: random, printed)"),
) -> None:
    """Set a new initial password (must be changed at next sign-in); unlocks the account."""
    _cli_context()
    initial = password or generate_password()
    try:
        with job_session() as session:
            user = service.get_user(session, username=username)
            service.reset_password(
                session, user=user, new_password=initial, settings=get_settings()
            )
    except GridgovError as exc:
        console.print(f"[red]{exc.message_en}[/red]")
        raise typer.Exit(code=1) from exc
    console.print(f"{username}: password reset, sessions revoked")
    if not password:
        console.print(f"initial password: [bold]{initial}[/bold]")
