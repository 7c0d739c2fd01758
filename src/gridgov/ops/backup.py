"""Backups an operator can trust: a consistent snapshot of the database and the photos,
encrypted with the data key, verified by restoring it into a fresh database.

* SQLite: SQLite's online backup API (a consistent copy while the server keeps writing).
* PostgreSQL: ``pg_dump --format=custom`` of a snapshot exported by a transaction that counts
  every table's rows in that same snapshot (exact counts on a live server); restored with
  ``pg_restore`` into an empty database.
* Photos: the media directory, copied after the database snapshot (files are written before
  the rows that name them, so every photo the snapshot names is in the copy).

The archive (tar: ``manifest.json``, ``database.*``, ``media/``) is encrypted in 1 MiB chunks with
AES-256-GCM under a key derived from ``GRIDGOV_DATA_KEY`` (each chunk authenticated with its
number and whether it is the last: a truncated or reordered file is refused). The manifest holds
the row count of every table and the trail's head; verifying restores into a fresh database and
checks both, and runs the trail verification.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine, create_engine, func, inspect, make_url, select, text

from gridgov.audit.chain import head, seal_engine, verify_engine
from gridgov.kit.db import make_engine
from gridgov.kit.models import Base

MAGIC = b"GGBAK1\n"
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    pass


# One data key, or the ring of them (current and retired) when opening a backup.
DataKeys = str | Sequence[str]


# -- encryption -------------------------------------------------------------------------------
def _key(data_key: str) -> bytes:
    return hashlib.sha256(b"gridgov-backup|" + data_key.encode()).digest()


def encrypt_stream(source: IO[bytes], target: IO[bytes], *, data_key: str) -> None:
    aead = AESGCM(_key(data_key))
    prefix = os.urandom(8)
    target.write(MAGIC + prefix)
    number = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        nonce = prefix + struct.pack(">I", number)
        sealed = aead.encrypt(nonce, chunk, struct.pack(">I?", number, last))
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, number = following, number + 1


def decrypt_stream(source: IO[bytes], target: IO[bytes], *, data_key: DataKeys) -> None:
    """``data_key``: the key, or the ring (a backup made before a rotation opens with the
    retired key that sealed it; the first chunk tells which)."""
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("not a gridgov backup")
    ring = [data_key] if isinstance(data_key, str) else list(data_key)
    candidates = [AESGCM(_key(key)) for key in ring]
    aead = candidates[0]
    prefix = source.read(8)
    number = 0
    while True:
        header = source.read(4)
        if len(header) < 4:
            raise BackupError("the backup is truncated")
        sealed = source.read(struct.unpack(">I", header)[0])
        nonce = prefix + struct.pack(">I", number)
        # The first chunk picks the key of the ring that sealed the backup.
        keys = candidates if number == 0 else [aead]
        for option, last in [(key, last) for key in keys for last in (False, True)]:
            try:
                target.write(option.decrypt(nonce, sealed, struct.pack(">I?", number, last)))
            except Exception:  # InvalidTag: wrong key, altered, or not this position
                continue
            aead = option
            if last:
                return
            break
        else:
            raise BackupError("the backup cannot be decrypted (other data key, or altered)")
        number += 1


# -- snapshot ---------------------------------------------------------------------------------
@dataclass
class Manifest:
    kind: str
    created_at: str
    tables: dict[str, int]
    trail_head: list[Any]
    media_files: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return _counts(conn)


def _counts(conn: Connection) -> dict[str, int]:
    """Rows of every table of the models that this database has: a backup made before a
    migration added a table is counted (and verified) by the code of after it."""
    present = set(inspect(conn).get_table_names())
    return {
        table.name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
        for table in Base.metadata.sorted_tables
        if table.name in present
    }


def _pg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(
    engine: Engine, *, database_url: str, media_dir: Path, out: Path, data_key: str
) -> Manifest:
    seal_engine(engine)
    with engine.connect() as conn:  # before the snapshot: the snapshot holds at least this
        seq, chain_hash = head(conn)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        if database_url.startswith("sqlite"):
            kind, snapshot = "sqlite", folder / "database.sqlite"
            source = sqlite3.connect(make_url(database_url).database or "")
            target = sqlite3.connect(snapshot)
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            kind, snapshot = "postgresql", folder / "database.pgdump"
            counts = _pg_dump_with_counts(engine, _pg_url(database_url), snapshot)
        manifest = Manifest(
            kind=kind,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            tables=_sqlite_counts(snapshot) if kind == "sqlite" else counts,
            trail_head=[seq, chain_hash],
        )
        archive = folder / "archive.tar"
        with tarfile.open(archive, "w") as tar:
            tar.add(snapshot, arcname=snapshot.name)
            if media_dir.exists():
                for path in sorted(p for p in media_dir.rglob("*") if p.is_file()):
                    tar.add(path, arcname="media/" + str(path.relative_to(media_dir)))
                    manifest.media_files += 1
            data = json.dumps(manifest.__dict__, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(out.suffix + ".partial")
        with open(archive, "rb") as source_file, open(partial, "wb") as target_file:
            encrypt_stream(source_file, target_file, data_key=data_key)
        partial.replace(out)
    return manifest


def _pg_dump_with_counts(engine: Engine, url: str, target: Path) -> dict[str, int]:
    """``pg_dump`` of one exported snapshot, and every table's row count in that same snapshot:
    the counts are exact however many rows the server writes meanwhile (counted before or after
    the dump they would differ on any live server)."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            exported = str(conn.scalar(text("SELECT pg_export_snapshot()")))
            _run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={exported}",
                  "-f", str(target), url])  # fmt: skip
            return _counts(conn)


def _sqlite_counts(snapshot: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{snapshot}")
    try:
        return row_counts(engine)
    finally:
        engine.dispose()


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")


# -- restore ----------------------------------------------------------------------------------
@dataclass
class Restored:
    manifest: Manifest
    database_url: str
    media_files: int


def _open(backup_file: Path, data_key: DataKeys, folder: Path) -> Manifest:
    archive = folder / "archive.tar"
    with open(backup_file, "rb") as source, open(archive, "wb") as target:
        decrypt_stream(source, target, data_key=data_key)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "x", filter="data")
    archive.unlink()
    return Manifest(**json.loads((folder / "x" / "manifest.json").read_text()))


def restore(
    backup_file: Path, *, database_url: str, media_dir: Path, data_key: DataKeys
) -> Restored:
    """Into an empty database (a SQLite file that does not exist yet, or an empty PostgreSQL
    database) and the media directory."""
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        manifest = _open(backup_file, data_key, folder)
        extracted = folder / "x"
        if manifest.kind == "sqlite":
            if not database_url.startswith("sqlite"):
                raise BackupError("a SQLite backup restores into a SQLite database")
            target = Path(make_url(database_url).database or "")
            if target.exists():
                raise BackupError(f"{target} exists: restore into a new file")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(extracted / "database.sqlite", target)
        else:
            if database_url.startswith("sqlite"):
                raise BackupError("a PostgreSQL backup restores into PostgreSQL")
            _run(["pg_restore", "--no-owner", "--exit-on-error", "-d", _pg_url(database_url),
                  str(extracted / "database.pgdump")])  # fmt: skip
        copied = 0
        media = extracted / "media"
        if media.exists():
            for path in media.rglob("*"):
                if path.is_file():
                    destination = media_dir / path.relative_to(media)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, destination)
                    copied += 1
    return Restored(manifest=manifest, database_url=database_url, media_files=copied)


# -- verification -----------------------------------------------------------------------------
@dataclass
class Verification:
    ok: bool
    problems: list[str]
    tables: int
    rows: int
    trail_entries: int


def verify_backup(
    backup_file: Path, *, data_key: DataKeys, postgres_admin_url: str | None
) -> Verification:
    """Restore into a fresh database (a temporary SQLite file, or a temporary PostgreSQL
    database next to ``postgres_admin_url``), then compare row counts and verify the trail."""
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        with open(backup_file, "rb") as source:
            kind = (
                "postgresql" if _peek_kind(source, data_key, folder) == "postgresql" else "sqlite"
            )
        created: str | None = None
        if kind == "sqlite":
            url = f"sqlite:///{folder / 'verify.sqlite'}"
        else:
            if not postgres_admin_url:
                raise BackupError("verifying a PostgreSQL backup needs a server to restore into")
            name = f"gridgov_verify_{uuid.uuid4().hex[:12]}"
            admin = make_engine(postgres_admin_url).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            created = name
            url = (
                make_url(postgres_admin_url)
                .set(database=name)
                .render_as_string(hide_password=False)
            )
        try:
            restored = restore(backup_file, database_url=url, media_dir=folder / "media",
                               data_key=data_key)  # fmt: skip
            engine = make_engine(url)
            counts = row_counts(engine)
            report = verify_engine(engine, seal_first=False)
            with engine.connect() as conn:
                anchored = conn.scalar(
                    text("SELECT chain_hash FROM audit_entries WHERE seq = :seq"),
                    {"seq": restored.manifest.trail_head[0]},
                )
            engine.dispose()
        finally:
            if created:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)'))
                admin.dispose()
    problems = [str(p) for p in report.problems]
    expected = restored.manifest.tables
    # Backups made before the counts were taken in pg_dump's own snapshot counted the live
    # database afterwards: for those, only the table's presence can be checked.
    counted_apart = restored.manifest.extra.get("counts_are_lower_bounds", False)
    for table, count in expected.items():
        found = counts.get(table)
        if found is None or (found != count and not counted_apart):
            problems.append(f"table {table}: {found} rows restored, {count} in the manifest")
    seq, chain_hash = restored.manifest.trail_head
    if seq and anchored != chain_hash:
        problems.append(f"trail entry seq {seq} does not hold the hash recorded at backup time")
    if restored.media_files != restored.manifest.media_files:
        problems.append(
            f"{restored.media_files} photos restored, {restored.manifest.media_files} expected"
        )
    return Verification(
        ok=not problems,
        problems=problems,
        tables=len(counts),
        rows=sum(counts.values()),
        trail_entries=report.checked,
    )


def _peek_kind(source: IO[bytes], data_key: DataKeys, folder: Path) -> str:
    archive = folder / "peek.tar"
    with open(archive, "wb") as target:
        decrypt_stream(source, target, data_key=data_key)
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        kind = json.loads(member.read())["kind"] if member else "sqlite"
    archive.unlink()
    return str(kind)
