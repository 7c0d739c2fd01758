"""The sync contract of the field app (REFERENCE.md "Offline sync").

A batch is processed in the caller's one transaction, so a crash half-way stores nothing and the
phone's re-send finishes it. Per record:

- new UUID, valid content → stored once (``stored``, 201); its effects run (population update as
  a new version, case, task result) inside a savepoint;
- same UUID, same content → ``duplicate`` (200), nothing new;
- same UUID, different content → ``rejected`` (409), the new content is kept in the conflict
  table for review, the stored record is untouched;
- an update of a person/household/house/organisation made on an old version → ``stale`` (202):
  stored, not applied, a conflict for a supervisor to resolve; likewise a newcomer whose ID
  number is already in the base (``review: id_exists``, see ``newcomers.py``);
- content the module's rules reject → ``invalid`` (400) with the field errors; not stored.

Idempotency is enforced by the database (unique UUID, ``ON CONFLICT DO NOTHING``), so concurrent
re-sends of the same record from two connections still store it once. Resident ID numbers and
phones among the answers are stored encrypted (``personal.py``); the content hash is taken from
the record as received, so that changes nothing for a re-send.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.sync import effects, newcomers, personal
from gridgov.fieldwork.sync.repository import Stored, SubmissionRepository
from gridgov.fieldwork.sync.schemas import SyncRecord, SyncResult
from gridgov.kit.clock import utcnow
from gridgov.kit.crypto import lookup_hash, lookup_hashes
from gridgov.kit.errors import BadRequest, Conflict, Forbidden

REPORT_MAX_TEXT = 4000
SYNC_ROLES = (Role.GRID_WORKER, Role.INSPECTOR)


class NotAFieldWorker(Forbidden):
    code = "not_a_field_worker"


class UuidReused(Conflict):
    """Same UUID, other content: the stored record stands and the new content is kept for
    review, so the refusal keeps the request's writes."""

    code = "uuid_reused"
    keep_writes = True

    def __init__(self, uuid: str) -> None:
        super().__init__(
            "该 UUID 已用于不同内容，已留待核查",
            "This UUID was already used for different content; kept for review",
            uuid=uuid,
        )


class RecordInvalid(BadRequest):
    """The module's rules reject the record: nothing stored, the sync's trail entry kept."""

    code = "record_invalid"
    keep_writes = True

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("记录未通过表单校验", "The record fails the form's rules", errors=errors)


def content_hash(record: SyncRecord) -> str:
    """The keyed lookup hash of :func:`plain_digest`: stored next to answers such as the name
    and birth date, a plain digest would give the resident ID or phone away to a dictionary
    search. (Hashes stored before were re-keyed the same way by the migration
    ``20261126_field_personal``.)"""
    return lookup_hash(plain_digest(record))


def same_content(record: SyncRecord, digest: str, stored_hash: str) -> bool:
    """A re-send of the stored record: the same keyed digest, or the same under a retired data
    key (a record stored before `gridgov keys rotate`, sent again from the phone's outbox)."""
    return stored_hash == digest or stored_hash in lookup_hashes(plain_digest(record))


def plain_digest(record: SyncRecord) -> str:
    """SHA-256 of everything but the UUID (keys sorted, so the JSON key order does not matter),
    of the record as received (plain answers)."""
    content = [
        record.kind,
        record.module,
        record.module_version,
        record.subject_type,
        record.subject_id,
        record.base_version,
        record.task_id,
        record.data,
        record.lng,
        record.lat,
        record.collected_at.isoformat() if record.collected_at else None,
    ]
    if record.new_household is not None:
        # Only when present, so the hashes of records stored before the field existed still
        # match a re-send of them.
        content.append({"new_household": record.new_household.house_id})
    text = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _result(uuid: str, status: str, **kwargs: Any) -> SyncResult:
    code = {"stored": 201, "duplicate": 200, "rejected": 409, "stale": 202, "invalid": 400}[status]
    return SyncResult(uuid=uuid, status=status, code=code, **kwargs)


def _error(field: str, code: str, zh: str, en: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": zh, "message_en": en}


def check_report(record: SyncRecord) -> tuple[dict[str, Any], list[dict[str, str]]]:
    data = record.data
    errors = []
    category = data.get("category")
    if not isinstance(category, str) or not category.strip():
        errors.append(_error("category", "required", "请选择问题类别", "category is required"))
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > REPORT_MAX_TEXT:
        errors.append(
            _error(
                "description", "constraint", "描述不超过 4000 字", "description: max 4,000 chars"
            )
        )
    photos = data.get("photos", [])
    if not isinstance(photos, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) for p in photos
    ):
        errors.append(_error("photos", "type", "照片编号无效", "photos must be media ids"))
    if record.lng is None or record.lat is None:
        errors.append(_error("location", "required", "缺少位置", "lng and lat are required"))
    unknown = set(data) - {"category", "description", "photos", "address"}
    for name in sorted(unknown):
        errors.append(_error(name, "unknown", "未知字段", "unknown field"))
    clean = {
        "category": category,
        "description": description or "",
        "photos": photos or [],
        "address": data.get("address"),
    }
    return clean, errors


def sync_batch(
    session: Session, *, principal: Principal, records: Sequence[SyncRecord]
) -> list[SyncResult]:
    """Process one batch from the phone; results in the order of ``records``."""
    if principal.role not in SYNC_ROLES:
        raise NotAFieldWorker("只有网格员可以同步采集数据", "Only field staff sync field records")
    repository = SubmissionRepository(session)
    hashes = [content_hash(r) for r in records]
    stored_before = repository.existing([r.uuid for r in records])

    results: dict[int, SyncResult] = {}
    first_in_batch: dict[str, int] = {}
    candidates: list[int] = []
    conflicts: list[_Kept] = []
    for index, record in enumerate(records):
        digest = hashes[index]
        known = stored_before.get(record.uuid)
        if known is not None:
            if same_content(record, digest, known.content_hash):
                results[index] = _duplicate(record.uuid, known)
            else:
                results[index] = _result(record.uuid, "rejected", id=known.id)
                conflicts.append(_Kept(record, digest, "uuid_mismatch"))
            continue
        if record.uuid in first_in_batch:
            candidates.append(index)  # classified against the first one below
            continue
        first_in_batch[record.uuid] = index
        candidates.append(index)

    modules = registry.resolve(
        session,
        {
            (str(records[i].module), records[i].module_version)
            for i in candidates
            if records[i].module
        },
    )
    now = utcnow()
    rows: list[dict[str, Any]] = []
    row_index: dict[str, int] = {}
    households: dict[str, int] = {}
    for index in candidates:
        record = records[index]
        if first_in_batch[record.uuid] != index:
            continue
        data, errors, module = _check(session, principal, record, modules)
        if errors:
            results[index] = _result(record.uuid, "invalid", errors=errors)
            continue
        row_index[record.uuid] = index
        if record.new_household is not None:
            households[record.uuid] = record.new_household.house_id
        rows.append(
            {
                "uuid": record.uuid,
                "content_hash": hashes[index],
                "kind": record.kind,
                "module_code": module.code if module else record.module,
                "module_version": module.version if module else None,
                "user_id": principal.user_id,
                "grid_code": principal.region_code,
                "subject_type": record.subject_type,
                "subject_id": record.subject_id,
                "base_version": record.base_version,
                "task_id": record.task_id,
                "data": personal.seal(data, module),
                "lng": record.lng,
                "lat": record.lat,
                "collected_at": record.collected_at,
                "received_at": now,
                "state": "stored",
                "result_ref": None,
            }
        )

    inserted = repository.insert_new(rows)
    lost_race = [row["uuid"] for row in rows if row["uuid"] not in inserted]
    if lost_race:
        # Another connection stored the same UUID between our read and our insert.
        winners = repository.existing(lost_race)
        for uuid in lost_race:
            index = row_index.pop(uuid)
            winner = winners[uuid]
            if same_content(records[index], hashes[index], winner.content_hash):
                results[index] = _duplicate(uuid, winner)
            else:
                results[index] = _result(uuid, "rejected", id=winner.id)
                conflicts.append(_Kept(records[index], hashes[index], "uuid_mismatch"))

    fresh = [row for row in rows if row["uuid"] in row_index]
    applied = effects.apply_all(
        session,
        principal=principal,
        submission_ids=[inserted[row["uuid"]] for row in fresh],
        rows=fresh,
        modules=modules,
        households=households,
    )
    for uuid, index in row_index.items():
        row_id = inserted[uuid]
        outcome = applied.get(row_id)
        if outcome is not None and outcome.state == "conflict":
            results[index] = _result(
                uuid, "stale", id=row_id, ref=outcome.ref, review=outcome.review
            )
            conflicts.append(_Kept(records[index], hashes[index], outcome.review, outcome.reason))
        else:
            results[index] = _result(
                uuid,
                "stored",
                id=row_id,
                ref=outcome.ref if outcome else None,
                effect=_effect(outcome.state if outcome else None),
                errors=[outcome.why()] if outcome and outcome.state == "error" else [],
            )

    # Later copies of a UUID inside the same batch compare with the first copy.
    for index in candidates:
        record = records[index]
        first = first_in_batch[record.uuid]
        if first == index:
            continue
        head = results[first]
        if head.status == "invalid":
            results[index] = head
        elif hashes[index] == hashes[first]:
            # The first copy's answer, with why its effect failed if it did.
            results[index] = _result(
                record.uuid,
                "duplicate",
                id=head.id,
                ref=head.ref,
                effect=head.effect,
                errors=head.errors if head.effect == "error" else [],
            )
        else:
            results[index] = _result(record.uuid, "rejected", id=head.id)
            conflicts.append(_Kept(record, hashes[index], "uuid_mismatch"))

    repository.add_conflicts(_conflict_rows(session, principal, conflicts, modules))
    ordered = [results[i] for i in range(len(records))]
    counts = Counter(r.status for r in ordered)
    if inserted or conflicts:
        trail.record(
            session,
            action="field.sync",
            object_type="field_sync_batch",
            object_id=records[0].uuid if records else None,
            principal=principal,
            after={
                "counts": dict(counts),
                "stored": sorted(u for u in row_index if u in inserted),
                "conflicts": sorted({c.record.uuid for c in conflicts}),
            },
        )
    return ordered


def _duplicate(uuid: str, stored: Stored) -> SyncResult:
    """A re-send of a stored record: answered as the first send was, with the reason again if
    the effect failed (the first answer may never have reached the phone)."""
    why = stored.effect_error if stored.state == "error" else None
    return _result(
        uuid,
        "duplicate",
        id=stored.id,
        ref=stored.result_ref,
        effect=_effect(stored.state),
        errors=[why] if why else [],
    )


def _effect(state: str | None) -> str:
    """What became of a stored record's effect, as the phone shows it: ``applied`` (the base,
    a case or a task changed), ``error`` (stored, but the effect failed: see ``errors``),
    ``none`` (a plain form record, or kept for review)."""
    return state if state in ("applied", "error") else "none"


class _Kept(NamedTuple):
    """A record kept for review: its content, hash, kind of conflict and why."""

    record: SyncRecord
    digest: str
    kind: str
    reason: str | None = None


def _conflict_rows(
    session: Session,
    principal: Principal,
    kept: Sequence[_Kept],
    modules: dict[tuple[str, int | None], registry.ModuleRef],
) -> list[dict[str, Any]]:
    """Rows of the conflict table, answers sealed with the questions of the record's module
    (a re-used UUID's module was not looked up yet: one query for those)."""
    wanted = {(str(k.record.module), k.record.module_version) for k in kept if k.record.module}
    missing = wanted - set(modules)
    if missing:
        modules = {**modules, **registry.resolve(session, missing)}
    now = utcnow()
    return [
        {
            "uuid": k.record.uuid,
            "content_hash": k.digest,
            "kind": k.kind,
            "user_id": principal.user_id,
            "grid_code": principal.region_code,
            "record": personal.seal_record(
                k.record.model_dump(mode="json"),
                modules.get((str(k.record.module), k.record.module_version)),
            ),
            "reason": k.reason,
            "state": "open",
            "created_at": now,
        }
        for k in kept
    ]


def _check(
    session: Session,
    principal: Principal,
    record: SyncRecord,
    modules: dict[tuple[str, int | None], registry.ModuleRef],
) -> tuple[dict[str, Any], list[dict[str, Any]], registry.ModuleRef | None]:
    module = modules.get((record.module, record.module_version)) if record.module else None
    if record.module and module is None:
        return (
            {},
            [_error("module", "unknown", "采集模块不存在", f"no module {record.module!r}")],
            None,
        )
    if record.kind == "report":
        data, errors = check_report(record)
        return data, errors, module
    if record.kind == "form" and module is None:
        return {}, [_error("module", "required", "缺少采集模块", "module is required")], None
    if record.kind == "task_result":
        problem = effects.check_task(session, principal=principal, task_id=record.task_id)
        if problem:
            return {}, [problem], module
        if module is None:
            return dict(record.data), [], None
    assert module is not None
    if record.subject_type and module.target and record.subject_type != module.target:
        return (
            {},
            [
                _error(
                    "subject_type",
                    "constraint",
                    "对象类型与模块不符",
                    f"module {module.code} updates a {module.target}",
                )
            ],
            module,
        )
    clean, field_errors = module.compiled.check(record.data)
    errors = [e.to_dict() for e in field_errors]
    newcomer = newcomers.is_newcomer(record.kind, module, record.subject_id)
    if record.new_household is not None and not newcomer:
        errors.append(
            _error(
                "new_household",
                "constraint",
                "只有新居民登记可以新建户",
                "Only a newcomer's record opens a household",
            )
        )
    if errors:
        return clean, errors, module
    if newcomer:
        house_id = record.new_household.house_id if record.new_household else None
        errors = newcomers.check(
            session, principal=principal, module=module, data=clean, house_id=house_id
        )
    elif newcomers.carries_identity(module):
        errors = newcomers.identity_errors(module, clean)
    return clean, errors, module
