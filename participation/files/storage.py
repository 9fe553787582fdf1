"""Where attachments' bytes live: content-addressed, behind an interface small enough to
put an object store behind later.

A key is the SHA-256 of the content in hex, so the same bytes are stored once however
often they are attached. The local store keeps them under FILES_DIR, fanned out as
`ab/cd/abcd…` so no folder grows huge; a file is written to a temporary name in the
store and renamed into place, so a reader never sees half of one and a crash leaves at
most a temporary file behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from participation.environment import var_dir

CHUNK = 1024 * 1024
_KEY = re.compile(r"^[0-9a-f]{64}$")


class Storage(Protocol):
    def put(self, data: BinaryIO | bytes) -> str:
        """Store the content (a binary file read from where it stands, or bytes); its key."""
        ...

    def open(self, key: str) -> BinaryIO:
        """The content under `key` to read; FileNotFoundError if there is none."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Forget the content under `key`; nothing happens if there is none."""
        ...


class LocalStorage:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: BinaryIO | bytes) -> str:
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, temporary = tempfile.mkstemp(dir=incoming, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, bytes):
                    digest.update(data)
                    out.write(data)
                else:
                    while chunk := data.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            key = digest.hexdigest()
            target = self.path(key)
            if target.exists():
                os.unlink(temporary)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(temporary, 0o644)
                os.replace(temporary, target)
            return key
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def clear(self) -> None:
        """Remove everything (tests only)."""
        shutil.rmtree(self.root, ignore_errors=True)


_current: Storage | None = None


def use(storage: Storage) -> None:
    """The store every command and route of this process uses from now on."""
    global _current
    _current = storage


def current() -> Storage:
    """The store in use; the local one under FILES_DIR (or ./var/files) if none was set."""
    global _current
    if _current is None:
        _current = LocalStorage(default_root())
    return _current


def default_root() -> Path:
    configured = os.environ.get("FILES_DIR")
    return Path(configured).resolve() if configured else var_dir() / "files"
