"""The README's run command, `auftrag serve --demo`, in a fresh directory."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support import ServerProcess, server_environment

STATUSES_SEEDED = {"collecting", "submitted", "in_progress", "completed", "rejected"}


async def _serve_demo(cwd: Path) -> dict:
    # No DATABASE_URL, REDIS_URL, SECRET_KEY or AUFTRAG_VAR_DIR: the embedded default.
    server = ServerProcess(["--demo"], cwd=cwd, env=server_environment())
    try:
        # A fresh directory applies every migration and seeds first: slow on a busy machine.
        await server.wait_until_healthy(within=120)
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
            home = await http.get("/", follow_redirects=True)
            assert home.status_code == 200, home.text[:500]
            assert home.headers["content-type"].startswith("text/html")
            assert "Musterstadt" in home.text  # the demo municipality
            demo = await http.get("/api/v1/municipalities/demo")
            assert demo.status_code == 200
            municipalities = (await http.get("/api/v1/municipalities")).json()["items"]
            mandates = (await http.get("/api/v1/municipalities/demo/mandates?limit=100")).json()
            return {
                "municipalities": [m["slug"] for m in municipalities],
                "districts": demo.json()["districts"],
                "mandates": mandates["items"],
            }
    finally:
        await server.stop()
        assert server.process.returncode is not None


async def test_serve_demo_twice_in_a_fresh_directory(tmp_path: Path) -> None:
    first = await _serve_demo(tmp_path)
    assert (tmp_path / "var" / "auftrag.sqlite3").exists()
    assert (tmp_path / "var" / "secret_key").exists()
    assert first["municipalities"] == ["bad-beispiel", "beispielhausen", "demo"]
    assert len(first["districts"]) >= 2
    statuses = {m["status"] for m in first["mandates"]}
    assert STATUSES_SEEDED <= statuses
    assert any(m["signature_count"] > 1 for m in first["mandates"])

    second = await _serve_demo(tmp_path)
    assert second["municipalities"] == ["bad-beispiel", "beispielhausen", "demo"]
    assert sorted(m["id"] for m in second["mandates"]) == sorted(m["id"] for m in first["mandates"])
    assert [m["signature_count"] for m in second["mandates"]] == [
        m["signature_count"] for m in first["mandates"]
    ]
