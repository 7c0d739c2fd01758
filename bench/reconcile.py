"""Reconciliation bench: gridgov's linking beside plain Splink and an exact-ID join, same data.

    python bench/reconcile.py --persons 100000

A synthetic city of N persons in real families (``gridgov.sim.feeds``), its five department
feeds with realistic noise and the truth. Half the newborns of the last year are not in the base
yet (the hospital's record is the first the city hears of them). Every method links the feeds'
records to the base; printed per method: pairwise precision / recall / F1 over the clusters
(base person + its records), family false merges (a record linked to a relative: same
household, other person), newborn-to-mother link recall, wall time and peak memory (RSS).

Each method runs in a fresh process of its own (reading the city from parquet files), so its
peak memory is its own and not the building's; ``--data DIR`` keeps the built city for the next
run. gridgov's time is the whole linkage: preparing both sides, the exact rule, training (the
first run of a city) or the stored model, Splink's predictions, the newborns' mothers; each step
is printed beside the totals.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
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


def newborn_recall(found: pd.DataFrame, mothers: dict[str, str]) -> float:
    """Share of hospital births whose mother was found as the truth names her."""
    got = dict(zip(found["uid"], found["mother_uid"], strict=True)) if len(found) else {}
    return sum(got.get(u) == m for u, m in mothers.items()) / len(mothers) if mothers else 1.0


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
    # DuckDB's memory capped (it spills to disk beyond, outside the checkout): the machine is
    # shared.
    spill = tempfile.mkdtemp(prefix="gridgov-bench-spill-")
    con = duckdb.connect(config={"memory_limit": "8GB", "temp_directory": spill})
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
    base: pd.DataFrame,
    records: pd.DataFrame,
    phases: dict[str, float],
    stored: bool = False,
    engine: str = "duckdb",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trained on this data (the first run of a city), or with the shipped model (every later,
    incremental run): (automatic links, mothers found). ``phases``: seconds of each step."""
    from gridgov.sources.reconcile import stored_model

    start = time.perf_counter()
    prepared_base, prepared = linking.prepare(base), linking.prepare(records)
    phases["prepare"] = time.perf_counter() - start
    model = stored_model() if stored else None
    result = linking.link(prepared_base, prepared, model=model, train=not stored, engine=engine)
    phases.update(result.seconds)
    start = time.perf_counter()
    mothers = linking.mother_links(prepared_base, records[records["source"] == "hospital_births"])
    phases["mothers"] = time.perf_counter() - start
    links = result.links
    return links[links["probability"] >= linking.AUTO_LINK][["uid", "person_uid"]], mothers


METHODS = ("exact ID join", "gridgov", "gridgov stored", "plain Splink")


def run_method(name: str, folder: str, engine: str) -> dict[str, Any]:
    """One method in a process of its own (``spawn``: nothing inherited), on the city kept in
    ``folder``: its links (and mothers) written beside it; returns wall time, the steps' times,
    and the process's peak memory (RSS, the frames read in included) and after reading them."""
    here = Path(folder)
    base = pd.read_parquet(here / "base.parquet")
    records = pd.read_parquet(here / "records.parquet")
    inputs = _peak_mb()
    phases: dict[str, float] = {}
    mothers = pd.DataFrame({"uid": [], "mother_uid": []})
    start = time.perf_counter()
    if name == "exact ID join":
        links = exact_id_join(base, records)
    elif name == "plain Splink":
        links = plain_splink(base, records)
    else:
        links, mothers = gridgov_link(base, records, phases, name == "gridgov stored", engine)
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    links.loc[:, ["uid", "person_uid"]].to_parquet(here / "links.parquet")
    mothers.loc[:, ["uid", "mother_uid"]].to_parquet(here / "mothers.parquet")
    return {"seconds": seconds, "peak": peak, "inputs": inputs, "phases": phases}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measured(name: str, folder: Path, engine: str) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(run_method, name, str(folder), engine).result()


City = tuple[pd.DataFrame, pd.DataFrame, dict[str, str], dict[str, str], dict[str, str]]


def city(folder: Path, persons: int, seed: int) -> City:
    """(base, records, truth record → person, family person → household, birth → mother):
    built, and kept in ``folder`` for the methods' processes (and the next run, with ``--data``:
    a city of a million takes minutes to build)."""
    meta = folder / "city.json"
    if not (meta.exists() and json.loads(meta.read_text()) == {"persons": persons, "seed": seed}):
        base, records, truth, feeds = build(persons, seed)
        family = {f"p{r.person_id}": r.household_no for r in feeds.residents}
        mothers = {
            f"hospital_births:{t['record_key']}": f"p{t['mother_person_id']}"
            for t in feeds.truth
            if t["source"] == "hospital_births"
        }
        folder.mkdir(parents=True, exist_ok=True)
        base.to_parquet(folder / "base.parquet")
        records.to_parquet(folder / "records.parquet")
        for label, mapping in (("truth", truth), ("family", family), ("mothers", mothers)):
            frame = pd.DataFrame({"key": list(mapping), "value": list(mapping.values())})
            frame.to_parquet(folder / f"{label}-map.parquet")
        meta.write_text(json.dumps({"persons": persons, "seed": seed}))
    maps = []
    for label in ("truth", "family", "mothers"):
        frame = pd.read_parquet(folder / f"{label}-map.parquet")
        maps.append(dict(zip(frame["key"].tolist(), frame["value"].tolist(), strict=True)))
    base = pd.read_parquet(folder / "base.parquet")
    records = pd.read_parquet(folder / "records.parquet")
    return base, records, maps[0], maps[1], maps[2]


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
    parser.add_argument("--data", type=Path, help="keep the built city here (reused if there)")
    parser.add_argument("--load-url", help="measure loading into this (empty) database instead")
    args = parser.parse_args()
    if args.load_url:
        load_rate(args.load_url, args.persons)
        return
    linking.check_engine(args.engine)
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-") as scratch:
        folder = args.data or Path(scratch)
        base, records, truth, family, mothers = city(folder, args.persons, args.seed)
        print(
            f"persons {args.persons:,} · base {len(base):,} · records {len(records):,} "
            f"({', '.join(f'{s} {n:,}' for s, n in Counter(records['source']).items())}) · "
            f"ready in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        methods = [
            m
            for m in METHODS
            if not (args.skip_train and m == "gridgov")
            and not (args.skip_plain and m == "plain Splink")
        ]
        print(
            f"{'method':<14} {'precision':>9} {'recall':>8} {'F1':>8} {'family':>7} "
            f"{'newborn':>8} {'time s':>7} {'peak MB':>8} {'inputs MB':>9}"
        )
        for name in methods:
            run = measured(name, folder, args.engine)
            links = pd.read_parquet(folder / "links.parquet")
            s = score(links, base, records, truth, family)
            found = pd.read_parquet(folder / "mothers.parquet")
            newborn = newborn_recall(found, mothers) if name.startswith("gridgov") else float("nan")
            steps = " · ".join(f"{k} {v:.1f}" for k, v in run["phases"].items())
            print(
                f"{name:<14} {s['precision']:>9.4f} {s['recall']:>8.4f} {s['f1']:>8.4f} "
                f"{s['family_false']:>7,} {newborn:>8.3f} {run['seconds']:>7.1f} "
                f"{run['peak']:>8,.0f} {run['inputs']:>9,.0f} (load average "
                f"{os.getloadavg()[0]:.1f}{'; ' + steps if steps else ''})",
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
