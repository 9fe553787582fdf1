"""Uvicorn's server, saying once where it listens: `auftrag serve` prints its banner here."""

from __future__ import annotations

import socket

import uvicorn


class AnnouncingServer(uvicorn.Server):
    """Uvicorn's server, printing `banner` to stdout once, when the socket listens."""

    def __init__(self, config: uvicorn.Config, banner: str) -> None:
        super().__init__(config)
        self.banner = banner

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(self.banner, flush=True)
