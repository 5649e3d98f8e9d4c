"""The `schoolot` command: the demo, seeding, a production server, and Django's own commands.

    schoolot demo [--host H] [--port P] [--no-serve]   migrate, seed once, print logins, serve
    schoolot seed --size small|medium|large --seed N    a deterministic synthetic district
    schoolot serve [--bind H:P] [--workers N]           gunicorn + whitenoise (production)
    schoolot schedule generate|solve|score ...          the scheduler's command line
    schoolot <any Django management command>            migrate, createsuperuser, check, ...

Operational failures (no database, a bad DATABASE_URL, a port in use) end with one clear line
on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence

DEMO_HOST = "127.0.0.1"
DEMO_PORT = 8000


class CommandError(Exception):
    """An operational failure reported to the user as one line."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolot.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from exc


def _check_database() -> None:
    """Fail with one line when the configured database cannot be reached."""
    from django.db import connection
    from django.db.utils import Error as DatabaseError

    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CommandError(
            f"cannot reach the database ({connection.vendor}): {first_line}"
        ) from exc


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(
                f"port {port} on {host} is in use ({exc.strerror}); stop the other server "
                f"or choose another port with --port"
            ) from exc


def _gunicorn_argv(*, bind: str, workers: int, debug: bool) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "schoolot.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    if debug:
        argv += ["--log-level", "warning"]
    return argv


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def demo_logins_text(*, url: str) -> str:
    from schoolot.directory.seed import DEMO_LOGINS, DEMO_PASSWORD

    lines = [f"SchoolOT demo: {url}", f"Logins (password for all: {DEMO_PASSWORD}):"]
    width = max(len(username) for username, _, _ in DEMO_LOGINS)
    for username, _role, label in DEMO_LOGINS:
        lines.append(f"  {username.ljust(width)}  {label}")
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo is the one place DEBUG is on; set before Django reads settings. Background
    # tasks run inline there: no worker process to start.
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SCHOOLOT_TASKS", "immediate")
    _setup_django()
    _check_database()
    if not args.no_serve:
        _check_port_free(args.host, args.port)
    _migrate()

    from schoolot.directory.models import District
    from schoolot.directory.seed import district_seed

    if not District.objects.exists():
        print("Seeding the demo district (small)...", flush=True)
        district_seed(size="small", seed=1)
    url = f"http://{args.host}:{args.port}/"
    print(demo_logins_text(url=url), flush=True)
    if args.no_serve:
        return 0
    argv = _gunicorn_argv(bind=f"{args.host}:{args.port}", workers=2, debug=True)
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server
    return 0  # pragma: no cover


def cmd_seed(args: argparse.Namespace) -> int:
    _setup_django()
    _check_database()
    _migrate()
    import datetime as dt
    import time

    from schoolot.directory.seed import district_seed

    today = dt.date.fromisoformat(args.today) if args.today else None
    started = time.perf_counter()
    try:
        district = district_seed(
            size=args.size,
            seed=args.seed,
            today=today,
            name=args.name,
            history=not args.no_history,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # statistics for the planner after a bulk load
    print(
        f"Seeded {district.name} ({args.size}, seed {args.seed}) "
        f"in {time.perf_counter() - started:.1f} s."
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    _check_database()
    host, _, port = args.bind.rpartition(":")
    try:
        _check_port_free(host or "0.0.0.0", int(port))  # noqa: S104 - the bind the user asked
    except ValueError as exc:
        raise CommandError(f"--bind must be HOST:PORT, got {args.bind!r}") from exc
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    argv = _gunicorn_argv(bind=args.bind, workers=args.workers, debug=False)
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server
    return 0  # pragma: no cover


def cmd_schedule(argv: Sequence[str]) -> int:
    from schoolot.scheduling import cli as scheduling_cli

    return scheduling_cli.main(list(argv))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schoolot",
        description="SchoolOT: run a school district's occupational therapy program.",
        epilog="Any other command is passed to Django (migrate, createsuperuser, check, ...).",
    )
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="set up and serve the demo district")
    demo.add_argument("--host", default=DEMO_HOST)
    demo.add_argument("--port", type=int, default=DEMO_PORT)
    demo.add_argument("--no-serve", action="store_true", help="set up and print logins only")
    demo.set_defaults(handler=cmd_demo)

    seed = sub.add_parser("seed", help="create a deterministic synthetic district")
    seed.add_argument("--size", choices=["small", "medium", "large"], default="small")
    seed.add_argument("--seed", type=int, default=1)
    seed.add_argument("--today", help="the date the district is seeded as of (YYYY-MM-DD)")
    seed.add_argument("--name", help="the district's name")
    seed.add_argument(
        "--no-history",
        action="store_true",
        help="no weekly schedules or past sessions (people and plans only)",
    )
    seed.set_defaults(handler=cmd_seed)

    serve = sub.add_parser("serve", help="serve with gunicorn (production)")
    serve.add_argument("--bind", default=os.environ.get("SCHOOLOT_BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("SCHOOLOT_WORKERS", "3")))
    serve.set_defaults(handler=cmd_serve)

    sub.add_parser("schedule", help="build and score therapist schedules (see docs/scheduling.md)")
    return parser


OWN_COMMANDS = {"demo", "seed", "serve", "schedule", "-h", "--help"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "schedule":
            return cmd_schedule(argv[1:])
        if not argv or argv[0] in OWN_COMMANDS:
            args = _parser().parse_args(argv)
            if not getattr(args, "handler", None):
                _parser().print_help()
                return 0
            return args.handler(args)
        _setup_django()
        from django.core.management import execute_from_command_line
        from django.db.utils import OperationalError

        try:
            execute_from_command_line(["schoolot", *argv])
        except OperationalError as exc:
            raise CommandError(f"database error: {str(exc).strip().splitlines()[0]}") from exc
        return 0
    except CommandError as exc:
        print(f"schoolot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
