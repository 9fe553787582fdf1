"""A discussion with 5,000 comments: reading its pages, posting into it, rendering Markdown.

Against a fresh PostgreSQL database and the real server (`auftrag serve`, production
settings, RATE_LIMITS=off, as a subprocess, migrated by its own start), one mandate is
launched and published through the API, and its thread gets --comments comments in a few
SQL statements (four in five top-level, the rest replies to them, ordinary Markdown of a
few hundred characters, its HTML from `participation.text`). Then, --rounds times:

* reading: `GET /api/v1/threads/{id}/comments` (newest first, 20 top-level comments with
  their replies) for the first page and for a deep page, whose cursor was reached by
  paging --deep-page pages from the first; and `GET /api/v1/health`, the reference: one
  trivial query through the same stack. One keep-alive connection, one request at a time,
  --requests each, alternating; p50/p99. Target: p99 < 100 ms for both pages;
* posting: --posts comments into a second mandate's thread over HTTP at --concurrency
  (50) requests in flight, each from a different verified user with a bearer token of her
  own that no other request sends, each comment a different text; comments/s counts only
  201s. The reference, right after it in the same round: the bare INSERT of the same rows
  (same authors, texts and HTML) into a third thread through asyncpg at the same
  concurrency, one autocommit statement per row, over min(concurrency, --insert-pool)
  connections. Their ratio is taken within the round;
* rendering a 10,000-character ordinary Markdown comment in this process: `render_markdown`
  (the parser alone) and `await render` (handed to the worker pool and back), --renders
  each; p50/p99. Target: < 5 ms.

The summary is the median of the rounds with the spread (min–max). The database is
dropped and the server stopped at exit.

    .venv/bin/python bench/comments.py [--rounds 3] [--comments 5000] [--posts 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import harness  # noqa: E402
import rounds  # noqa: E402
from harness import log  # noqa: E402

from participation import text  # noqa: E402

SLUG = "bench-comments"
PAGE_TARGET_P99_MS = 100.0
RENDER_TARGET_MS = 5.0
PAGE = 20

# Ordinary comments: a paragraph or two with emphasis, a link, a list, a quote.
SHORT_BODIES = [
    "Ich finde den Vorschlag **gut**, aber die Kosten für die Beleuchtung fehlen noch. "
    "Wer zahlt den Strom, und wer wartet die Lampen im Winter?",
    "Dagegen: Der Platz wird *jetzt schon* abends von Anwohnern genutzt, und eine Bühne "
    "bringt Lärm bis spät in die Nacht. Siehe auch [die Lärmkarte](https://example.org/karte).",
    "Drei Punkte, die mir wichtig sind:\n\n- sichere Wege zur Schule\n- eine `Tempo 30` "
    "Zone vor dem Kindergarten\n- mehr Licht an der Unterführung\n\nDanke fürs Anstoßen!",
    "> Die Verwaltung prüft das seit 2023.\n\nDas hören wir seit Jahren. Ich unterstütze "
    "den Auftrag, weil er eine **Frist** setzt und der Rat öffentlich antworten muss.",
    "Neutral gefragt: Gibt es Zahlen, wie viele Menschen die Strecke täglich fahren? Ohne "
    "Zählung lässt sich schwer sagen, ob sich der Umbau lohnt.",
]
STANCES = ("for", "against", "neutral")

LONG_PARAGRAPH = (
    "Die Verwaltung hat im *letzten* Jahr **drei** Anträge zur "
    "[Radverkehrsplanung](https://example.org/rad) abgelehnt, siehe auch "
    "https://www.stadt.example/beschluss?id=42 und den Bericht. Wir fordern:\n\n"
    "- sichere Wege zur Schule\n- eine `Tempo 30` Zone\n- mehr Licht\n\n"
    "> Zitat aus dem Rat: nicht vor 2027.\n\n"
)
LONG_COMMENT = (LONG_PARAGRAPH * (10_000 // len(LONG_PARAGRAPH) + 1))[:10_000]

COMMENT_COLUMNS = (
    "thread_id, parent_id, reply_to_id, depth, author_id, stance, body, body_html, official, "
    "official_role, official_department, endorsement_count, flag_count, hidden_at, "
    "hidden_reason, hidden_pending_review, review_requested_at, deleted_at, created_at, "
    "edited_at"
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Pages, posting and rendering of a discussion with 5,000 comments.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/auftrag_bench_comments",
        help="PostgreSQL URL of the benchmark database; it is DROPPED and recreated",
    )
    p.add_argument("--comments", type=int, default=5_000, help="comments in the read thread")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--requests", type=int, default=200, help="GETs per page and round")
    p.add_argument("--warmup", type=int, default=20, help="unmeasured GETs per page")
    p.add_argument("--deep-page", type=int, default=40, help="which page is the deep one")
    p.add_argument("--posts", type=int, default=1_000, help="comments posted per round")
    p.add_argument("--concurrency", type=int, default=50, help="posts in flight")
    p.add_argument("--insert-pool", type=int, default=20, help="connections for the INSERTs")
    p.add_argument("--renders", type=int, default=200, help="renders per way and round")
    p.add_argument("--keep-database", action="store_true", help="do not drop it at exit")
    return p.parse_args(argv)


@dataclass
class Round:
    first_p50: float
    first_p99: float
    deep_p50: float
    deep_p99: float
    health_p50: float
    health_p99: float
    posted_per_s: float
    post_p50: float
    post_p99: float
    not_created: int
    inserted_per_s: float
    parse_p50: float
    parse_p99: float
    pool_p50: float
    pool_p99: float

    @property
    def ratio(self) -> float:
        return self.posted_per_s / self.inserted_per_s


# --- setting up ---------------------------------------------------------------------------


async def people(conn: asyncpg.Connection, secret_key: str, count: int, prefix: str) -> list[str]:
    """`count` new verified residents of the municipality, a bearer token each."""
    users = await harness.create_users(conn, count, prefix)
    await harness.declare_residence(conn, users, SLUG)
    return await harness.mint_tokens(conn, secret_key, users, hours=3)


async def create_municipality(conn: asyncpg.Connection) -> int:
    """harness.create_municipality, with the two settings of issue 11, which have no
    database default (the other benchmarks' helper does not know them yet)."""
    return await conn.fetchval(
        "INSERT INTO municipality (slug, name, default_quorum, signature_period_days, "
        "service_promise_days, created_at, flag_threshold, new_account_hours) "
        "VALUES ($1, 'Benchmark', 30, 90, 5, now(), 3, 24) RETURNING id",
        SLUG,
    )


def thread_of(base: str, mandate_id: int) -> int:
    response = httpx.get(f"{base}/api/v1/mandates/{mandate_id}", timeout=30)
    response.raise_for_status()
    return int(response.json()["thread_id"])


async def seed_thread(conn: asyncpg.Connection, thread_id: int, comments: int) -> None:
    """`comments` comments in the thread: four in five top-level, the rest replies spread
    over them, one a minute up to now, endorsements from 0 to 49."""
    authors = await harness.create_users(conn, 500, "comment-authors")
    bodies = SHORT_BODIES
    htmls = [text.render_markdown(b) for b in bodies]
    roots = comments - comments // 5
    started = time.perf_counter()
    await conn.execute(
        f"INSERT INTO comment ({COMMENT_COLUMNS}) "
        "SELECT $1, NULL, NULL, 0, ($2::int[])[1 + g % 500], ($3::text[])[1 + g % 3], "
        "($4::text[])[1 + g % 5], ($5::text[])[1 + g % 5], false, NULL, NULL, "
        "(g * 37) % 50, 0, NULL, NULL, false, NULL, NULL, "
        "now() - ($6::int - g) * interval '1 minute', NULL "
        "FROM generate_series(1, $7::int) AS g",
        thread_id,
        authors,
        list(STANCES),
        bodies,
        htmls,
        comments,
        roots,
    )
    await conn.execute(
        f"INSERT INTO comment ({COMMENT_COLUMNS}) "
        "SELECT $1, r.ids[1 + (g * 7919) % array_length(r.ids, 1)], NULL, 1, "
        "($2::int[])[1 + g % 500], ($3::text[])[1 + g % 3], ($4::text[])[1 + g % 5], "
        "($5::text[])[1 + g % 5], false, NULL, NULL, (g * 13) % 20, 0, NULL, NULL, false, "
        "NULL, NULL, now() - (($6::int - g) % 600) * interval '1 second', NULL "
        "FROM generate_series(1, $6::int) AS g, "
        "(SELECT array_agg(id ORDER BY id) AS ids FROM comment WHERE thread_id = $1) AS r",
        thread_id,
        authors,
        list(STANCES),
        bodies,
        htmls,
        comments - roots,
    )
    await conn.execute("VACUUM (ANALYZE) comment")
    log(f"{comments:,} comments seeded in {time.perf_counter() - started:.1f}s")


def deep_cursor(client: httpx.Client, path: str, page: int) -> str:
    """The cursor of page `page`, reached by following `next` from the first page."""
    cursor: str | None = None
    for _ in range(page - 1):
        response = client.get(path, params={"cursor": cursor} if cursor else None)
        response.raise_for_status()
        cursor = response.json()["next"]
        if cursor is None:
            raise SystemExit(f"the thread has fewer than {page} pages")
    assert cursor is not None
    return cursor


# --- measuring ----------------------------------------------------------------------------


async def timed_gets(client: httpx.AsyncClient, url: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = await client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return times


@dataclass
class Posting:
    per_s: float
    p50: float
    p99: float
    not_created: int


def post_bodies(round_no: int, count: int) -> list[tuple[str, str]]:
    """(body, stance) per post: each text different, as the duplicate rule needs."""
    return [
        (
            f"{SHORT_BODIES[n % len(SHORT_BODIES)]}\n\nBeitrag {round_no}-{n}.",
            STANCES[n % 3],
        )
        for n in range(count)
    ]


async def post_comments(
    base: str, thread_id: int, tokens: list[str], posts: list[tuple[str, str]], concurrency: int
) -> Posting:
    """Every post from its own token, `concurrency` at a time."""
    queue: asyncio.Queue[tuple[str, tuple[str, str]]] = asyncio.Queue()
    for item in zip(tokens, posts, strict=True):
        queue.put_nowait(item)
    times: list[float] = []
    created = 0
    failures: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    path = f"/api/v1/threads/{thread_id}/comments"

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal created
        while not queue.empty():
            token, (body, stance) = queue.get_nowait()
            started = time.perf_counter()
            try:
                response = await client.post(
                    path,
                    json={"body": body, "stance": stance},
                    headers={"Authorization": f"Bearer {token}"},
                )
            except httpx.TransportError as error:
                failures.append(f"{type(error).__name__} {error}")
                continue
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code == 201:
                created += 1
            else:
                failures.append(f"{response.status_code} {response.text[:300]}")

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    for failure in sorted(set(failures))[:5]:
        log(f"{failures.count(failure)} posts not created: {failure}")
    return Posting(
        created / elapsed,
        harness.percentile(times, 50),
        harness.percentile(times, 99),
        len(posts) - created,
    )


async def insert_comments(
    dsn: str,
    thread_id: int,
    rows: list[tuple[int, str, str, str]],
    concurrency: int,
    pool_size: int,
) -> float:
    """The same rows by bare INSERT, one autocommit statement each; rows per second."""
    statement = (
        f"INSERT INTO comment ({COMMENT_COLUMNS}) VALUES ($1, NULL, NULL, 0, $2, $3, $4, $5, "
        "false, NULL, NULL, 0, 0, NULL, NULL, false, NULL, NULL, now(), NULL)"
    )
    size = min(concurrency, pool_size)
    pool = await asyncpg.create_pool(dsn, min_size=size, max_size=size)
    assert pool is not None
    queue: asyncio.Queue[tuple[int, str, str, str]] = asyncio.Queue()
    for row in rows:
        queue.put_nowait(row)

    async def worker() -> None:
        while not queue.empty():
            author, stance, body, html = queue.get_nowait()
            async with pool.acquire() as conn:
                await conn.execute(statement, thread_id, author, stance, body, html)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(rows) / (time.perf_counter() - started)
    finally:
        await pool.close()


async def render_times(count: int) -> tuple[list[float], list[float]]:
    """Milliseconds of `render_markdown` here and of `await render` through the pool."""
    await text.render("warm", "body")
    parse, pooled = [], []
    for _ in range(count):
        started = time.perf_counter()
        text.render_markdown(LONG_COMMENT)
        parse.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        await text.render(LONG_COMMENT, "body")
        pooled.append((time.perf_counter() - started) * 1000)
    return parse, pooled


# --- the run ------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    dsn = harness.plain_dsn(args.database_url)
    await harness.recreate_database(args.database_url)
    log(f"created database {harness.split_database_url(args.database_url)[1]}")
    server = harness.Server(args.database_url)
    results: list[Round] = []
    try:
        server.start()
        conn = await harness.connect(dsn)
        try:
            await create_municipality(conn)
            (initiator,) = await people(conn, server.secret_key, 1, "initiator")
            mandates = [
                harness.create_published_mandate(server.base, initiator, SLUG, title)
                for title in ("Gelesene Diskussion", "Beschriebene Diskussion", "Referenz")
            ]
            read_thread, post_thread, insert_thread = (thread_of(server.base, m) for m in mandates)
            await seed_thread(conn, read_thread, args.comments)
            path = f"/api/v1/threads/{read_thread}/comments"
            with httpx.Client(base_url=server.base, timeout=30) as sync_client:
                cursor = deep_cursor(sync_client, path, args.deep_page)
            variants = {
                "first": path,
                "deep": f"{path}?cursor={cursor}",
                "health": "/api/v1/health",
            }
            async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
                for url in variants.values():
                    await timed_gets(client, url, args.warmup)
            for round_no in range(1, args.rounds + 1):
                async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
                    times: dict[str, list[float]] = {k: [] for k in variants}
                    for _ in range(args.requests // 10):
                        for label, url in variants.items():
                            times[label] += await timed_gets(client, url, 10)
                tokens = await people(conn, server.secret_key, args.posts, f"poster-{round_no}")
                posts = post_bodies(round_no, args.posts)
                posting = await post_comments(
                    server.base, post_thread, tokens, posts, args.concurrency
                )
                authors = await harness.create_users(conn, args.posts, f"inserter-{round_no}")
                html = [text.render_markdown(body) for body, _ in posts]
                rows = [
                    (author, stance, body, h)
                    for author, (body, stance), h in zip(authors, posts, html, strict=True)
                ]
                inserted = await insert_comments(
                    dsn, insert_thread, rows, args.concurrency, args.insert_pool
                )
                parse, pooled = await render_times(args.renders)
                result = Round(
                    first_p50=harness.percentile(times["first"], 50),
                    first_p99=harness.percentile(times["first"], 99),
                    deep_p50=harness.percentile(times["deep"], 50),
                    deep_p99=harness.percentile(times["deep"], 99),
                    health_p50=harness.percentile(times["health"], 50),
                    health_p99=harness.percentile(times["health"], 99),
                    posted_per_s=posting.per_s,
                    post_p50=posting.p50,
                    post_p99=posting.p99,
                    not_created=posting.not_created,
                    inserted_per_s=inserted,
                    parse_p50=harness.percentile(parse, 50),
                    parse_p99=harness.percentile(parse, 99),
                    pool_p50=harness.percentile(pooled, 50),
                    pool_p99=harness.percentile(pooled, 99),
                )
                results.append(result)
                log(
                    f"round {round_no}/{args.rounds}: first p99 {result.first_p99:.1f} ms, "
                    f"deep p99 {result.deep_p99:.1f} ms, {result.posted_per_s:.0f} posts/s "
                    f"vs {result.inserted_per_s:.0f} inserts/s, render p50 "
                    f"{result.parse_p50:.1f} ms"
                )
            shown = await conn.fetchval(
                "SELECT count(*) FROM comment WHERE thread_id = $1", post_thread
            )
        finally:
            await conn.close()
    finally:
        server.stop()
        if not args.keep_database:
            await harness.drop_database(args.database_url)
    report(args, results, shown)
    return 0


def report(args: argparse.Namespace, results: list[Round], posted_rows: int) -> None:
    def figure(name: str, digits: int = 1) -> str:
        return rounds.spread([getattr(r, name) for r in results], digits)

    print(
        f"\nDiscussion of {args.comments:,} comments, PostgreSQL, `auftrag serve` over HTTP; "
        f"{args.rounds} rounds; median (min–max) of the rounds\n"
    )
    print(
        harness.table(
            ["measure", "p50 ms", "p99 ms"],
            [
                ["GET comments, first page", figure("first_p50"), figure("first_p99")],
                [
                    f"GET comments, page {args.deep_page} (cursor)",
                    figure("deep_p50"),
                    figure("deep_p99"),
                ],
                [
                    "GET /api/v1/health (reference)",
                    figure("health_p50"),
                    figure("health_p99"),
                ],
                [
                    f"POST comment at concurrency {args.concurrency}",
                    figure("post_p50"),
                    figure("post_p99"),
                ],
                ["render_markdown, 10,000 characters", figure("parse_p50"), figure("parse_p99")],
                ["await render (worker pool)", figure("pool_p50"), figure("pool_p99")],
            ],
        )
    )
    pool = min(args.concurrency, args.insert_pool)
    print(
        f"\ncomments posted/s over HTTP:  {figure('posted_per_s', 0)}"
        f"  ({args.posts:,} per round, each from its own user and token)"
        f"\nbare INSERT/s, same rows:     {figure('inserted_per_s', 0)}"
        f"  (asyncpg, {args.concurrency} in flight over {pool} connections)"
        f"\nHTTP / INSERT:                {figure('ratio', 3)}"
        f"\nposts not answered 201:       {sum(r.not_created for r in results)}"
        f" (rows in the posted thread: {posted_rows:,})"
    )
    first = rounds.median(r.first_p99 for r in results)
    deep = rounds.median(r.deep_p99 for r in results)
    parse = rounds.median(r.parse_p50 for r in results)
    pooled = rounds.median(r.pool_p50 for r in results)
    health = rounds.median(r.health_p99 for r in results)
    print(
        f"page p99 / health p99 (how much of it the machine's load explains): first "
        f"{first / health:.1f}, deep {deep / health:.1f}"
    )
    print(f"\nload average (1, 5, 15 min) at the end: {os.getloadavg()}")
    for label, value, target in (
        ("first page p99", first, PAGE_TARGET_P99_MS),
        ("deep page p99", deep, PAGE_TARGET_P99_MS),
        ("render_markdown p50", parse, RENDER_TARGET_MS),
        ("await render p50", pooled, RENDER_TARGET_MS),
    ):
        verdict = "met" if value < target else "NOT met"
        print(f"target {label} < {target:g} ms: {verdict} ({value:.1f} ms)")


if __name__ == "__main__":
    harness.run(main, parse_args())
