"""The module registry: adding XLSForm modules and finding the compiled form of a version.

A version's definition is pyxform's JSON of its workbook (:mod:`gridgov.fieldwork.forms.xlsform`).
Versions stored before that held a definition of gridgov's own making (``fields``): their stored
workbook is converted again when they are read (:func:`definition_of`, cached by content), so old
versions, and the records that name them, stay readable without a migration that would depend on
the installed pyxform.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal, system_principal
from gridgov.fieldwork.forms.repository import ModuleRepository
from gridgov.fieldwork.forms.validate import CompiledModule
from gridgov.fieldwork.forms.xlsform import parse_definition, questions
from gridgov.kit.errors import NotFound
from gridgov.models.field_module import FieldModule

DEFAULT_MODULES_DIR = Path(__file__).resolve().parents[2] / "modules"

# Versions never change once stored, so their compiled form is cached by content hash.
_COMPILED: dict[str, CompiledModule] = {}
# Parsing runs pyxform (slow); a workbook already accepted needs no second check.
_PARSED: dict[str, dict[str, Any]] = {}


# The modules gridgov ships are installed by the system (on first use, or `gridgov modules
# install-defaults`), named as such in the trail.
SHIPPED = system_principal("shipped-modules")


class ModuleNotFound(NotFound):
    code = "module_not_found"


@dataclass(frozen=True)
class ModuleRef:
    id: int
    code: str
    version: int
    target: str | None
    compiled: CompiledModule


def parse_upload(content: bytes, filename: str | None) -> dict[str, Any]:
    """The definition an XLSForm workbook holds (cached by content: the shipped modules are
    checked on every fresh database). Pure CPU: routes run it before their session begins."""
    fallback = Path(filename).stem.split("_", 1)[-1].lower() if filename else None
    return _parsed(content, fallback)


def _parsed(content: bytes, fallback_code: str | None) -> dict[str, Any]:
    key = f"{hashlib.sha256(content).hexdigest()}:{fallback_code}"
    definition = _PARSED.get(key)
    if definition is None:
        definition = parse_definition(content, fallback_code=fallback_code)
        _PARSED[key] = definition
    return definition


def is_current(definition: dict[str, Any]) -> bool:
    """Whether a stored definition is pyxform's JSON (else one from before, see the module)."""
    return definition.get("type") == "survey" and "children" in definition


def definition_of(module: FieldModule) -> dict[str, Any]:
    """The module version's definition as pyxform's JSON, whenever it was stored."""
    if is_current(module.definition):
        return module.definition
    return _parsed(module.xlsx, module.code)


def field_count(module: FieldModule) -> int:
    """How many questions the version asks (lists of modules show it)."""
    return len(questions(definition_of(module)))


def add_module(
    session: Session,
    *,
    content: bytes,
    filename: str | None = None,
    principal: Principal,
) -> tuple[FieldModule, bool]:
    """Store a new version of the module the XLSForm defines; ``(module, created)``.

    Uploading the same workbook again is a no-op; a changed workbook becomes the next version.
    """
    digest = hashlib.sha256(content).hexdigest()
    definition = parse_upload(content, filename)
    repository = ModuleRepository(session)
    latest = repository.get_version(definition["id_string"])
    if latest is not None and latest.sha256 == digest:
        return latest, False
    module = FieldModule(
        code=definition["id_string"],
        version=(latest.version + 1) if latest else 1,
        title=definition.get("title") or definition["id_string"],
        title_en=definition.get("gridgov_title_en"),
        target=definition.get("gridgov_target"),
        definition=definition,
        xlsx=content,
        sha256=digest,
        active=True,
        uploaded_by=None if principal.system else principal.user_id,
    )
    repository.add(module)
    trail.record(
        session,
        action="field.module.add",
        object_type="field_module",
        object_id=f"{module.code}@{module.version}",
        principal=principal,
        after={
            "code": module.code,
            "version": module.version,
            "sha256": digest,
            "fields": len(questions(definition)),
            "target": module.target,
        },
    )
    return module, True


def install_defaults(session: Session, *, principal: Principal = SHIPPED) -> list[FieldModule]:
    """Add the shipped modules that are not there yet, and a shipped module's newer version
    (idempotent). Versions stored before stay: the records that name them remain valid."""
    added = []
    repository = ModuleRepository(session)
    for path in sorted(DEFAULT_MODULES_DIR.glob("*.xlsx")):
        content = path.read_bytes()
        definition_code = path.stem.split("_", 1)[-1]
        installed = repository.get_version(definition_code)
        if installed is not None and not _ships_newer(content, path.name, installed):
            continue
        module, created = add_module(
            session, content=content, filename=path.name, principal=principal
        )
        if created:
            added.append(module)
    return added


def _ships_newer(content: bytes, filename: str, installed: FieldModule) -> bool:
    """Whether the shipped workbook's settings ``version`` (YYYYMMDDnn) is above the installed
    newest version's. A version that is not a number (or none) does not compare: an
    administrator's own module is never replaced by a shipped one."""
    shipped = str(parse_upload(content, filename).get("version") or "")
    current = str(definition_of(installed).get("version") or "")
    return shipped.isdigit() and current.isdigit() and int(shipped) > int(current)


def ensure_installed(session: Session) -> None:
    """A new database gets the shipped modules on first use.

    Concurrent first uses (phones syncing at once on a fresh database) queue on a transaction
    lock and look again, so only the first installs (else the others hit
    ``uq_field_modules_code_version``). SQLite transactions are serialised already."""
    repository = ModuleRepository(session)
    if repository.count() > 0:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INSTALL_LOCK})
    if repository.count() == 0:
        install_defaults(session)


# Any constant shared by every process: it names the "install the shipped modules" lock.
_INSTALL_LOCK = 0x6772_6964_6D6F64  # "gridmod"


def latest_modules(session: Session) -> list[FieldModule]:
    ensure_installed(session)
    return ModuleRepository(session).latest()


def get_module(session: Session, *, code: str, version: int | None = None) -> FieldModule:
    module = ModuleRepository(session).get_version(code, version)
    if module is None:
        raise ModuleNotFound(f"采集模块「{code}」不存在", f"No module {code!r}")
    return module


def set_active(session: Session, *, code: str, active: bool, principal: Principal) -> FieldModule:
    module = get_module(session, code=code)
    module.active = active
    trail.record(
        session,
        action="field.module.activate" if active else "field.module.retire",
        object_type="field_module",
        object_id=f"{module.code}@{module.version}",
        principal=principal,
    )
    return module


def resolve(
    session: Session, wanted: Iterable[tuple[str, int | None]]
) -> dict[tuple[str, int | None], ModuleRef]:
    """Compiled modules for (code, version) pairs (version None: the newest). One query."""
    wanted = set(wanted)
    if not wanted:
        return {}
    rows = ModuleRepository(session).versions_of(code for code, _ in wanted)
    if not rows and ModuleRepository(session).count() == 0:
        ensure_installed(session)  # under its lock: phones syncing at once on a new base
        rows = ModuleRepository(session).versions_of(code for code, _ in wanted)
    newest: dict[str, tuple[int, str, int, str, str | None]] = {}
    exact: dict[tuple[str, int], tuple[int, str, int, str, str | None]] = {}
    for row in rows:
        exact[(row[1], row[2])] = row
        if row[1] not in newest or row[2] > newest[row[1]][2]:
            newest[row[1]] = row
    found: dict[tuple[str, int | None], ModuleRef] = {}
    for code, version in wanted:
        found_row = newest.get(code) if version is None else exact.get((code, version))
        if found_row is None:
            continue
        module_id, _, number, digest, target = found_row
        key = f"{digest}:{number}"
        compiled = _COMPILED.get(key)
        if compiled is None:
            repository = ModuleRepository(session)
            definition = repository.definition(module_id)
            if not is_current(definition):
                definition = _parsed(repository.workbook(module_id), code)
            compiled = CompiledModule(definition)
            _COMPILED[key] = compiled
        found[(code, version)] = ModuleRef(module_id, code, number, target, compiled)
    return found


def summary(module: FieldModule, *, with_definition: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": module.code,
        "version": module.version,
        "title": module.title,
        "title_en": module.title_en,
        "target": module.target,
        "active": module.active,
    }
    if with_definition:
        out["definition"] = definition_of(module)
    return out
