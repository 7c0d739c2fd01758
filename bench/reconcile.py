"""Reconciliation bench: gridgov's linking beside plain Splink and an exact-ID join, same data.

    python bench/reconcile.py --persons 100000

A synthetic city of N persons in real families (``gridgov.sim.feeds``), its five department
feeds with realistic noise and the truth. Half the newborns of the last year are not in the base
yet (the hospital's record is the first the city hears of them). Every method links the feeds'
records to the base; printed per method: pairwise precision / recall / F1 over the clusters
(base person + its records), family false merges (a record linked to a relative: same
household, other person), newborn-to-mother link recall, wall time and peak memory (RSS).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gridgov.sim.feeds import FEED_FILES, Feeds, make_feeds, synthetic_population
from gridgov.sources import linking
from gridgov.sources.mapping import Mapping, RowError, apply_mapping, parse_mapping

MAPPINGS = Path(__file__).resolve().parents[1] / "src" / "gridgov" / "sources" / "mappings"


def build(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], Feeds]:
    """(base frame, records frame, truth uid → person uid, feeds)."""
    today = date.today()
    residents = synthetic_population(n, seed=seed, today=today)
    feeds = make_feeds(residents, seed=seed + 1, today=today)
    recent = today - timedelta(days=365)
    base_rows = [
        {"uid": f"p{r.person_id}", "name": r.name, "sex": r.sex, "birth_date": r.birth_date.isoformat(),
         "id_number": r.id_number, "phone": r.phone,
         "address_key": r.address.split("区", 1)[1] if "区" in r.address else r.address}
        for r in residents
        if not (r.birth_date >= recent and r.person_id % 2 == 0)
    ]  # fmt: skip
    base = pd.DataFrame(base_rows)
    rows = []
    for source in FEED_FILES:
        mapping = Mapping.from_dict(
            parse_mapping((MAPPINGS / f"{source}.toml").read_text(encoding="utf-8")).as_dict()
        )
        for raw in feeds.files[source]:
            try:
                key, norm = apply_mapping(mapping, raw)
            except RowError:
                continue
            rows.append(
                {"uid": f"{source}:{key}", "source": source, "name": norm.get("name"),
                 "sex": norm.get("sex"), "birth_date": norm.get("birth_date"),
                 "id_number": norm.get("id_number"), "phone": norm.get("phone"),
                 "address_key": norm.get("current_address_key") or norm.get("registered_address_key"),
                 "mother_name": norm.get("mother_name"), "mother_id_number": norm.get("mother_id_number")}
            )  # fmt: skip
    records = pd.DataFrame(rows)
    truth = {f"{t['source']}:{t['record_key']}": f"p{t['person_id']}" for t in feeds.truth}
    return base, records, truth, feeds


def score(
    links: pd.DataFrame,
    base: pd.DataFrame,
    records: pd.DataFrame,
    truth: dict[str, str],
    family: dict[str, str],
) -> dict[str, float]:
    """Pairwise precision/recall/F1 over clusters and family false merges."""
    linked = dict(zip(links["uid"], links["person_uid"], strict=True))
    predicted: Counter[str] = Counter(base["uid"])
    true_sizes: Counter[str] = Counter(base["uid"])
    both: Counter[tuple[str, str]] = Counter((u, u) for u in base["uid"])
    family_false = 0
    for uid in records["uid"]:
        cluster = linked.get(uid, uid)
        real = truth[uid]
        predicted[cluster] += 1
        true_sizes[real] += 1
        both[(cluster, real)] += 1
        if uid in linked and cluster != real and family.get(cluster) == family.get(real):
            family_false += 1

    def pairs(counter: Counter[Any]) -> int:
        return sum(c * (c - 1) // 2 for c in counter.values())

    tp, p, t = pairs(both), pairs(predicted), pairs(true_sizes)
    precision, recall = tp / p if p else 1.0, tp / t if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "family_false": family_false}


def newborn_recall(found: pd.DataFrame, feeds: Feeds) -> float:
    want = {
        f"hospital_births:{t['record_key']}": f"p{t['mother_person_id']}"
        for t in feeds.truth
        if t["source"] == "hospital_births"
    }
    got = dict(zip(found["uid"], found["mother_uid"], strict=True)) if len(found) else {}
    return sum(got.get(u) == m for u, m in want.items()) / len(want) if want else 1.0


def exact_id_join(base: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    pairs = records.dropna(subset=["id_number"]).merge(
        base[["uid", "id_number"]], on="id_number", suffixes=("", "_p")
    )
    return pd.DataFrame({"uid": pairs["uid"], "person_uid": pairs["uid_p"]}).drop_duplicates("uid")


def plain_splink(base: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Splink with its library comparisons and the usual blocking, same EM procedure."""
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from splink import comparison_library as cl

    cols = ["uid", "name", "sex", "birth_date", "id_number", "phone", "address_key"]
    con = duckdb.connect()
    con.register("b", base[cols])
    con.register("r", records[cols])
    con.execute("create table base as select * from b")
    con.execute("create table records as select * from r")
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=[
            cl.ExactMatch("id_number"),
            cl.NameComparison("name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("address_key"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("birth_date"),
            block_on("phone"),
        ],
        max_iterations=10,
    )
    linker = Linker(
        ["records", "base"],
        settings,
        DuckDBAPI(con),
        set_up_basic_logging=False,
        input_table_aliases=["records", "base"],
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_number")], recall=0.9
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in (block_on("birth_date"), block_on("id_number")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    frame = linker.inference.predict(threshold_match_probability=0.99).as_pandas_dataframe()
    con.close()
    left = frame["source_dataset_l"] == "records"
    frame["record"] = frame["uid_l"].where(left, frame["uid_r"])
    frame["person"] = frame["uid_r"].where(left, frame["uid_l"])
    frame = frame.sort_values("match_probability", ascending=False).drop_duplicates("record")
    return pd.DataFrame({"uid": frame["record"], "person_uid": frame["person"]})


def gridgov_link(
    base: pd.DataFrame, records: pd.DataFrame, stored: bool = False, engine: str = "duckdb"
) -> pd.DataFrame:
    """Trained on this data (the first run of a city), or with the shipped model (every later,
    incremental run)."""
    from gridgov.sources.reconcile import stored_model

    model = stored_model() if stored else None
    result = linking.link(
        linking.prepare(base),
        linking.prepare(records),
        model=model,
        train=not stored,
        engine=engine,
    )
    links = result.links
    return links[links["probability"] >= linking.AUTO_LINK][["uid", "person_uid"]]


def timed(fn: Callable[[], pd.DataFrame]) -> tuple[pd.DataFrame, float, float]:
    start = time.perf_counter()
    out = fn()
    return (
        out,
        time.perf_counter() - start,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-plain", action="store_true", help="skip plain Splink")
    parser.add_argument(
        "--skip-train", action="store_true", help="skip gridgov trained on this data"
    )
    parser.add_argument(
        "--engine", default="duckdb", choices=linking.ENGINES, help="where gridgov's Splink runs"
    )
    parser.add_argument("--load-url", help="measure loading into this (empty) database instead")
    args = parser.parse_args()
    if args.load_url:
        load_rate(args.load_url, args.persons)
        return
    linking.check_engine(args.engine)
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    start = time.perf_counter()
    base, records, truth, feeds = build(args.persons, args.seed)
    family = {f"p{r.person_id}": r.household_no for r in feeds.residents}
    print(
        f"persons {args.persons:,} · base {len(base):,} · records {len(records):,} "
        f"({', '.join(f'{s} {n:,}' for s, n in Counter(records['source']).items())}) · "
        f"built in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    births = records[records["source"] == "hospital_births"]
    methods: list[tuple[str, Callable[[], pd.DataFrame]]] = [
        ("exact ID join", lambda: exact_id_join(base, records)),
        ("gridgov", lambda: gridgov_link(base, records, engine=args.engine)),
        ("gridgov stored", lambda: gridgov_link(base, records, stored=True, engine=args.engine)),
    ]
    if args.skip_train:
        methods.pop(1)
    if not args.skip_plain:
        methods.append(("plain Splink", lambda: plain_splink(base, records)))
    print(
        f"{'method':<14} {'precision':>9} {'recall':>8} {'F1':>8} {'family':>7} {'newborn':>8} {'time s':>7} {'peak MB':>8}"
    )
    prepared_base = linking.prepare(base)
    for name, fn in methods:
        links, seconds, peak = timed(fn)
        s = score(links, base, records, truth, family)
        newborn = (
            newborn_recall(
                linking.mother_links(
                    prepared_base,
                    births.assign(address_key=births["address_key"]),
                ),
                feeds,
            )
            if name.startswith("gridgov")
            else float("nan")
        )
        print(
            f"{name:<14} {s['precision']:>9.4f} {s['recall']:>8.4f} {s['f1']:>8.4f} "
            f"{s['family_false']:>7,} {newborn:>8.3f} {seconds:>7.1f} {peak:>8.0f} "
            f"(load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )


def load_rate(url: str, persons: int) -> None:
    """Records/s of ``load_rows`` (mapping, normalisation, versioning, COPY on PostgreSQL) on a
    fresh database, beside a bare executemany of the same rows as JSON into a scratch table, in
    the same run. Wall-clock rates, and the loader's own CPU seconds (the machine is shared: under
    load the wall clock mostly measures waiting for a core)."""

    from sqlalchemy import JSON, Column, Integer, MetaData, Table, create_engine, insert
    from sqlalchemy.orm import Session

    from gridgov.authz.principal import system_principal
    from gridgov.kit.migrations import upgrade
    from gridgov.sim.feeds import iter_rows
    from gridgov.sources.service import add_source, load_rows

    upgrade(url)
    residents = synthetic_population(persons, seed=3)
    rows = make_feeds(residents, seed=4).files["police_hukou"]
    engine = create_engine(url)
    scratch = Table(
        "bench_raw", MetaData(), Column("id", Integer, primary_key=True), Column("raw", JSON)
    )
    scratch.create(engine, checkfirst=True)
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    def clock() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def rate(count: int, since: tuple[float, float]) -> str:
        wall, cpu = (now - then for now, then in zip(clock(), since, strict=True))
        return f"{count / wall:,.0f}/s wall ({count / cpu:,.0f}/s of loader CPU)"

    with Session(engine) as session:
        start = clock()
        session.execute(insert(scratch), [{"raw": r} for r in rows])
        session.commit()
        bare = rate(len(rows), start)
    with Session(engine) as session:
        system = system_principal("bench")
        text = (MAPPINGS / "police_hukou.toml").read_text(encoding="utf-8")
        source, _ = add_source(session, principal=system, name=f"bench_{int(time.time())}",
                               mapping_text=text, department=None)  # fmt: skip
        start = clock()
        load = load_rows(
            session, principal=system, source=source, rows=iter_rows(rows), channel="file"
        )
        session.commit()
        new = rate(load.created, start)
        start = clock()
        again = load_rows(
            session, principal=system, source=source, rows=iter_rows(rows), channel="file"
        )
        session.commit()
        unchanged = rate(again.unchanged, start)
    print(f"load {len(rows):,} police records: new {new}; unchanged (same file again) {unchanged}")
    print(f"bare JSON executemany of the same rows: {bare}")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
