"""Bearer tokens each sent by one request only, across the warm-up and every round.

The server remembers tokens it has verified, so a token sent a second time skips the
JWT check and flatters the rate. The tokens sit one per line in a file that wrk's
scripts read from a start line; after each run the pool moves its cursor past every
line that run may have taken (`tokens_next`), and before each run it mints more —
new verified users, each with an open session and a token — if the lines left could
run out at the fastest rate seen so far.
"""

from __future__ import annotations

import math
from pathlib import Path

import asyncpg
import harness
from harness import log


class TokenPool:
    """`copies` files whose line i all belong to the same user, through different sessions:
    ballots.py votes a second time as the same people, with tokens not sent before."""

    SAFETY = 1.5

    def __init__(
        self,
        conn: asyncpg.Connection,
        secret_key: str,
        slug: str,
        workdir: Path,
        *,
        prefix: str,
        rate_guess: float,
        copies: int = 1,
    ) -> None:
        self.conn = conn
        self.secret_key = secret_key
        self.slug = slug
        self.prefix = prefix
        self.files = [workdir / f"{prefix}-tokens-{n}.txt" for n in range(copies)]
        self.fastest = rate_guess
        self.cursor = 0
        self.size = 0
        self.batches = 0

    @property
    def file(self) -> Path:
        return self.files[0]

    async def ensure(self, duration: float, connections: int) -> int:
        """Make sure a run of `duration` s can have fresh tokens; return its start line."""
        needed = math.ceil(self.fastest * duration * self.SAFETY) + 2 * connections
        missing = needed - (self.size - self.cursor)
        if missing > 0:
            await self._mint(missing)
        return self.cursor

    async def _mint(self, count: int) -> None:
        self.batches += 1
        users = await harness.create_users(self.conn, count, f"{self.prefix}{self.batches}")
        await harness.declare_residence(self.conn, users, self.slug)
        for path in self.files:
            tokens = await harness.mint_tokens(self.conn, self.secret_key, users)
            with path.open("a") as out:
                out.write("\n".join(tokens) + "\n")
        self.size += count
        log(f"minted {count:,} users with {len(self.files)} token(s) each ({self.size:,} in all)")

    def used(self, result: harness.WrkResult, start: int) -> None:
        """After a run from line `start`: skip every line it may have taken, and remember
        how fast it took them (threads that run ahead leave lines of the others unused)."""
        taken = int(result["tokens_next"])
        self.cursor = max(self.cursor, taken)
        seconds = result["duration_us"] / 1e6
        if seconds > 0:
            self.fastest = max(self.fastest, (taken - start) / seconds)
