"""The `auftrag` command: serve, worker, migrate, demo, token, create-user, suspend, tally,
dead-letters, operator, municipality, metrics."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from participation import db
from participation.errors import DomainError
from participation.permissions import Role
from participation.votes.tally.recount import RULES, recount
from server.settings import Settings


def _fail(message: str, code: int = 1) -> int:
    print(f"auftrag: {message}", file=sys.stderr)
    return code


T = TypeVar("T")


async def _with_db(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    await db.init(settings.database_url, settings.db_timeout)
    try:
        return await work()
    finally:
        await db.close()


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> None:
        try:
            await db.migrate(settings.database_url, settings.db_timeout)
        finally:
            await db.close()

    asyncio.run(run())
    print(f"auftrag: database is up to date ({_redact(settings.database_url)})", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from server.demo import seed

    cmd_migrate(args, settings)
    created = asyncio.run(_with_db(settings, seed))
    print("auftrag: demo data " + ("seeded" if created else "already present"), file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every other command starts faster without the web server.
    import uvicorn

    from server.announce import AnnouncingServer

    if not os.environ.get("BASE_URL"):
        # Links in emails must point at this server; never derive them from the Host header.
        # Loopback is named localhost: passkeys refuse an IP address as relying party.
        loopback = {"127.0.0.1", "::1", "0.0.0.0", "::"}
        host = "localhost" if args.host in loopback else args.host
        os.environ["BASE_URL"] = f"http://{host}:{args.port}"
    if args.demo and args.host not in {"127.0.0.1", "localhost", "::1"}:
        print(
            "auftrag: warning: --demo on a public address lets anyone read every sign-in link "
            "at /dev/mailbox and sign in as the demo council and administrator",
            file=sys.stderr,
        )
    if args.demo:
        os.environ["AUFTRAG_DEMO"] = "1"
        os.environ["AUFTRAG_DEBUG"] = "1"
        cmd_demo(args, settings)
    else:
        cmd_migrate(args, settings)
    if args.workers > 1 and not settings.is_postgres:
        return _fail("--workers > 1 needs PostgreSQL (DATABASE_URL); SQLite serves one process.", 2)
    if args.workers > 1 and not settings.redis_url:
        return _fail("--workers > 1 needs REDIS_URL so every process sees every live event.", 2)
    print(f"auftrag: serving on http://{args.host}:{args.port}", file=sys.stderr)
    options: dict[str, Any] = dict(
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info" if args.demo else "warning",
        # The same proxies the app trusts for client addresses (server/proxies.py), no others.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=[str(n) for n in settings.trusted_proxies] or None,
        timeout_graceful_shutdown=5,
        # Telling everyone which server runs here helps only those looking for its flaws.
        server_header=False,
    )
    banner = startup_banner(Settings.from_env())
    if args.workers > 1:
        # The supervisor binds, then starts the workers: say it as they start.
        print(banner, flush=True)
        uvicorn.run("server.asgi:app", **options)
    else:
        AnnouncingServer(uvicorn.Config("server.asgi:app", **options), banner).run()
    return 0


def startup_banner(settings: Settings) -> str:
    """What `auftrag serve` prints once it listens: where, and with --demo who to be."""
    from server.pages.auth import mailbox_enabled

    base = settings.base_url.rstrip("/")
    lines = [f"Auftrag is running at {base}/"]
    if settings.demo:
        from server.demo_towns import OPERATOR

        towns = demo_accounts()
        width = max(len(name) for name, _, _ in towns)
        lines.append(
            f"Demo: sign in at {base}/sign-in with one of these addresses, "
            "then open the link from the dev mailbox."
        )
        for name, slug, accounts in towns:
            lines.append(f"{name:<{width}}  {base}/m/{slug}")
            # A town's two dozen citizens as the first and the last: one line, not 24.
            lines += (
                f"  {role.value:<10} "
                + (", ".join(emails) if len(emails) < 4 else f"{emails[0]} ... {emails[-1]}")
                for role, emails in accounts.items()
            )
        lines.append(f"Operator of the deployment (founds municipalities): {OPERATOR}")
    if mailbox_enabled(settings):
        lines.append(f"Dev mailbox (every email sent, demo only): {base}/dev/mailbox")
    lines += mail_warning(settings)
    return "\n".join(lines)


def demo_accounts() -> list[tuple[str, str, dict[Role, list[str]]]]:
    """The demo's municipalities (name, slug), each with its addresses by role, as
    server/demo.py and server/demo_towns.py seed them (tests/server/test_cli_serve.py
    holds this to what they seed)."""
    from server.demo import PEOPLE, SLUG
    from server.demo_towns import TOWNS, accounts

    roles = (Role.CITIZEN, Role.COUNCIL, Role.MODERATOR, Role.ADMIN)
    towns = [
        ("Musterstadt", SLUG, {role: [e for e, _, r in PEOPLE if r == role] for role in roles})
    ]
    towns += [(town.name, town.slug, accounts(town)) for town in TOWNS]
    return towns


def mail_warning(settings: Settings) -> list[str]:
    """Without SMTP outside demo and debug mode, the banner says where the mail goes."""
    from notifications.mail import NOT_SENT

    return [] if settings.smtp_url or settings.dev_mailbox else [f"Warning: {NOT_SENT}"]


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.redis_url:
        return _fail("the worker needs REDIS_URL; without it `auftrag serve` runs jobs itself.", 2)
    from arq.worker import run_worker

    from notifications.worker import worker_settings

    run_worker(worker_settings(settings.redis_url))
    return 0


class _Now:
    """Without Redis a command's job runs here, to its end, before the command exits."""

    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx

    async def enqueue(self, name: str, **kwargs: object) -> None:
        from notifications import tasks

        await tasks.perform(tasks.registered()[name], self.ctx, dict(kwargs))


@contextlib.asynccontextmanager
async def _command_jobs(settings: Settings) -> AsyncIterator[Any]:
    """Jobs a command starts: on Redis for the worker, else done here at once."""
    from notifications.jobs import InProcessJobs, make_jobs
    from notifications.mail import make_mailer

    ctx = {"mailer": make_mailer(settings.smtp_url, settings.mail_from, settings.dev_mailbox)}
    jobs = await make_jobs(settings.redis_url, ctx)
    try:
        yield _Now(ctx) if isinstance(jobs, InProcessJobs) else jobs
    finally:
        await jobs.close()
        await ctx["mailer"].close()


def cmd_dead_letters(args: argparse.Namespace, settings: Settings) -> int:
    from notifications import deadletters

    async def retry() -> str:
        async with _command_jobs(settings) as jobs:
            letter = await deadletters.operator_retry(args.retry, jobs)
        return f"auftrag: job {letter.id} ({letter.task}) sent again"

    async def listing() -> str:
        lines = []
        for letter in await deadletters.operator_dead_letters(args.all):
            state = f"retried {letter.retried_at:%Y-%m-%d %H:%M}" if letter.retried_at else "failed"
            error = (letter.error.strip().splitlines() or [""])[-1]
            lines.append(
                f"{letter.id}\t{letter.task}\t{letter.failed_at:%Y-%m-%d %H:%M}\t{state}\t"
                f"{letter.municipality_id or '-'}\t{json.dumps(letter.kwargs)}\t{error}"
            )
        return "\n".join(lines)

    if args.retry is not None:
        print(asyncio.run(_with_db(settings, retry)), file=sys.stderr)
    else:
        shown = asyncio.run(_with_db(settings, listing))
        if shown:
            print(shown)
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from participation.accounts.identity.commands import ensure_user
    from participation.accounts.identity.sessions import API, start_session
    from server.auth import issue_token

    lifetime = timedelta(hours=args.hours or settings.api_token_hours)

    async def work() -> str:
        # One transaction: a refused token (a suspended person) leaves no role behind.
        async with in_transaction():
            user = await ensure_user(
                args.email,
                role=Role(args.role) if args.role else None,
                municipality_slug=args.municipality,
                verified=args.verified,
                declare=bool(args.municipality),
                district_slug=args.district,
            )
            started = await start_session(user.id, API, "auftrag token", lifetime)
        return issue_token(settings, user.id, started.session.id, lifetime)

    print(asyncio.run(_with_db(settings, work)))
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from participation.accounts.identity.commands import ensure_user

    async def work() -> int:
        user = await ensure_user(
            args.email,
            display_name=args.display_name,
            role=Role(args.role),
            municipality_slug=args.municipality,
            verified=True,
        )
        return user.id

    user_id = asyncio.run(_with_db(settings, work))
    print(f"auftrag: user {user_id} <{args.email}> is {args.role}", file=sys.stderr)
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    from participation.outbox.catalogue import markdown

    print(markdown(), end="")
    return 0


def cmd_tally(args: argparse.Namespace) -> int:
    try:
        counted = recount(args.file, args.rule)
    except ValueError as exc:
        return _fail(str(exc), 2)
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}", 2)
    result = counted.result
    if args.json:
        print(json.dumps({"rule": result.rule, "winners": result.winners, "rounds": result.rounds}))
        return 0
    for winner in result.winners:
        name = counted.names.get(winner)
        print(f"{winner}\t{name}" if name else winner)
    return 0


def cmd_suspend(args: argparse.Namespace, settings: Settings) -> int:
    from participation.accounts.identity.commands import suspend_user

    async def work() -> None:
        await suspend_user(args.email, suspended=not args.lift)

    asyncio.run(_with_db(settings, work))
    state = "may sign in again" if args.lift else "is suspended and signed out everywhere"
    print(f"auftrag: {args.email} {state}", file=sys.stderr)
    return 0


def cmd_operator(args: argparse.Namespace, settings: Settings) -> int:
    from participation.accounts.authorization.operators import grant_operator, revoke_operator

    async def work() -> bool:
        if args.action == "grant":
            await grant_operator(args.email)
            return True
        return await revoke_operator(args.email) is not None

    known = asyncio.run(_with_db(settings, work))
    if not known:
        return _fail(f"nobody has an account with {args.email}", 2)
    state = "is an operator" if args.action == "grant" else "is no operator any more"
    print(f"auftrag: {args.email} {state}", file=sys.stderr)
    return 0


async def create_municipality_as_operator(args: argparse.Namespace, settings: Settings) -> str:
    """`auftrag municipality create`, on an open database; returns what it says. A first
    administrator without an account is told by email, as the API's founding does."""
    from participation.accounts.authorization.actors import load_actor
    from participation.accounts.authorization.invitations import found_with_administrator
    from participation.accounts.models import User
    from participation.errors import PermissionDenied
    from participation.messages import Message
    from server.invitation_mail import invitation_mail, operator_inviter

    who = args.as_operator or os.environ.get("AUFTRAG_OPERATOR", "")
    user = await User.get_or_none(email=who.strip().lower()) if who else None
    actor = await load_actor(user.id) if user else None
    if actor is None or not actor.operator:
        raise PermissionDenied(
            Message(
                "Only an operator founds municipalities: pass --as EMAIL of one (or set "
                "AUFTRAG_OPERATOR); `auftrag operator grant EMAIL` makes one."
            )
        )
    extra = {
        name: value
        for name in ("time_zone", "population", "contact_email", "contact_phone", "contact_address")
        if (value := getattr(args, name)) is not None
    }
    municipality, appointed = await found_with_administrator(
        actor, args.slug, args.name, args.state, args.official_key, extra, args.admin
    )
    admin = ""
    if appointed is not None and appointed.pending:
        mail = invitation_mail(settings, municipality, appointed, operator_inviter(settings))
        async with _command_jobs(settings) as jobs:
            await jobs.enqueue("send_email", **mail)
        admin = (
            f"; {appointed.email} becomes its administrator at the first sign-in;"
            " the invitation email is handed to the mail jobs (one that cannot be sent"
            " shows in `auftrag dead-letters`)"
        )
    elif appointed is not None:
        admin = f"; {appointed.email} is its administrator"
    slug = municipality.slug
    return f"municipality {slug} ({municipality.name}) created at /m/{slug}{admin}"


# The founding's fields as `municipality create` spells them; others are `--field-name`.
FOUNDING_OPTIONS = {"slug": "SLUG", "admin_email": "--admin"}


def cmd_municipality(args: argparse.Namespace, settings: Settings) -> int:
    try:
        said = asyncio.run(
            _with_db(settings, lambda: create_municipality_as_operator(args, settings))
        )
    except DomainError as exc:
        if not exc.errors:
            raise
        return _fail(" ".join(f"{_option(e.field)}: {e.message}" for e in exc.errors), 2)
    print(f"auftrag: {said}", file=sys.stderr)
    return 0


def _option(field: str) -> str:
    return FOUNDING_OPTIONS.get(field) or "--" + field.replace("_", "-")


def cmd_metrics_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    from server.metrics_rebuild import rebuild_with_progress

    done = asyncio.run(_with_db(settings, lambda: rebuild_with_progress(args.municipality)))
    for town in done:
        print(
            f"{town.municipality}: {town.facts} subjects, {town.cells} cells, "
            f"{town.participants} participant-months"
        )
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _bounded(low: int, high: int) -> Callable[[str], int]:
    """An argparse type for whole numbers from `low` to `high`, with a message that says so."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auftrag",
        description="Auftrag, the civic mandate platform. Configuration comes from the "
        "environment (see README).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    roles = [r.value for r in Role]

    serve = sub.add_parser("serve", help="apply migrations and serve the web app")
    serve.add_argument("--demo", action="store_true", help="seed demo data, enable /dev/mailbox")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_bounded(1, 65535), default=8000)
    serve.add_argument(
        "--workers", type=_bounded(1, 64), default=1, help="web processes (PostgreSQL + Redis)"
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background jobs from Redis (arq)")
    worker.set_defaults(func=cmd_worker)

    dead = sub.add_parser(
        "dead-letters",
        help="list jobs that failed for good (of no municipality unless --all); --retry ID",
    )
    dead.add_argument(
        "--retry", type=_bounded(1, 2**31 - 1), metavar="ID", help="send job ID again"
    )
    dead.add_argument("--all", action="store_true", help="every municipality's too")
    dead.set_defaults(func=cmd_dead_letters)

    migrate = sub.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="seed the demo municipality (idempotent)")
    demo.set_defaults(func=cmd_demo)

    token = sub.add_parser("token", help="print a bearer token for EMAIL, creating the user")
    token.add_argument("--email", required=True)
    token.add_argument("--role", choices=roles)
    token.add_argument(
        "--municipality", help="municipality slug for the role; the person declares she lives there"
    )
    token.add_argument("--district", help="district slug of the declared residence")
    token.add_argument("--verified", action="store_true", help="mark the email as verified")
    token.add_argument(
        "--hours", type=_bounded(1, 24 * 366), help="token lifetime (default API_TOKEN_HOURS)"
    )
    token.set_defaults(func=cmd_token)

    create = sub.add_parser("create-user", help="create a verified user with a role")
    create.add_argument("--email", required=True)
    create.add_argument("--role", choices=roles, default=Role.CITIZEN.value)
    create.add_argument("--municipality", required=True, help="municipality slug")
    create.add_argument("--display-name")
    create.set_defaults(func=cmd_create_user)

    suspend = sub.add_parser("suspend", help="refuse EMAIL everywhere at once (--lift to undo)")
    suspend.add_argument("email", metavar="EMAIL")
    suspend.add_argument("--lift", action="store_true", help="end the suspension")
    suspend.set_defaults(func=cmd_suspend)

    tally = sub.add_parser(
        "tally", help="recount a Pabulib .pb or BLT file and print the winners (no database)"
    )
    tally.add_argument("file", type=Path, metavar="FILE")
    tally.add_argument(
        "--rule", choices=RULES, help="default: the .pb file's own rule; irv for a BLT file"
    )
    tally.add_argument("--json", action="store_true", help="print one JSON object")
    tally.set_defaults(func=cmd_tally)

    operator = sub.add_parser(
        "operator", help="grant or revoke the deployment-wide operator role of EMAIL"
    )
    operator.add_argument("action", choices=["grant", "revoke"])
    operator.add_argument("email", metavar="EMAIL")
    operator.set_defaults(func=cmd_operator)

    municipality = sub.add_parser("municipality", help="found a municipality (operators)")
    municipality_sub = municipality.add_subparsers(dest="action", required=True, metavar="ACTION")
    found = municipality_sub.add_parser("create", help="found a municipality at /m/SLUG")
    found.add_argument("slug", metavar="SLUG")
    found.add_argument("--name", required=True)
    found.add_argument("--state", required=True, help="Bundesland code, such as BY")
    found.add_argument(
        "--official-key", required=True, help="Amtlicher Gemeindeschlüssel, such as 09162000"
    )
    found.add_argument("--admin", metavar="EMAIL", help="its first administrator")
    found.add_argument(
        "--as", dest="as_operator", metavar="EMAIL", help="the operator (or AUFTRAG_OPERATOR)"
    )
    found.add_argument("--time-zone")
    found.add_argument("--population")
    found.add_argument("--contact-email")
    found.add_argument("--contact-phone")
    found.add_argument("--contact-address")
    found.set_defaults(func=cmd_municipality)

    events = sub.add_parser(
        "events", help="print the event catalogue as a Markdown table (no database)"
    )
    events.set_defaults(func=cmd_events)

    metrics = sub.add_parser("metrics", help="the transparency figures' summary tables")
    metrics_sub = metrics.add_subparsers(dest="action", required=True, metavar="ACTION")
    rebuild = metrics_sub.add_parser("rebuild", help="recompute them from the records")
    rebuild.add_argument("--municipality", metavar="SLUG", help="only this one")
    rebuild.set_defaults(func=cmd_metrics_rebuild)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.func in (cmd_tally, cmd_events):
        # A recount reads one file, the catalogue is code: no configuration, and no
        # ./var/secret_key created.
        return args.func(args)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        return _fail(f"bad configuration: {exc}", 2)
    try:
        return args.func(args, settings)
    except DomainError as exc:
        fields = " ".join(f"{e.field}: {e.message}" for e in exc.errors) or exc.detail
        return _fail(fields, 2)
    except (OSError, ConnectionError) as exc:
        return _fail(f"cannot reach the database ({_redact(settings.database_url)}): {exc}", 3)
    except OperationalError as exc:
        return _fail(
            f"database error ({_redact(settings.database_url)}): {exc}; "
            "if tables are missing, run `auftrag migrate` first",
            3,
        )
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
