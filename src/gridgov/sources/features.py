"""The columns linking compares and blocks on, derived from records and persons in bulk.

Vectorised: a city is a million persons and one and a half million department records, so
nothing here runs per row in Python. Name keys (sound, swapped characters, surname) are computed
once per distinct name; ID checks (GB 11643 check character, the birth date inside the ID) and
the comparison of that birth date with the record's own are numpy over the whole column. Only
the rare odd value (a 15-digit ID, a lower-case ``x``, a birth date not in ISO form) goes through
the per-value normalisers of :mod:`gridgov.sources.normalise`, which define what is right.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gridgov.people.text import COMPOUND_SURNAMES, name_pinyin
from gridgov.sources.normalise import (
    _char_readings,
    date_relation,
    fold_syllable,
    id_birth_date,
    name_sound_key,
    normalise_id,
    split_name,
    swapped_key,
)

COLUMNS = ("uid", "name", "sex", "birth_date", "id_number", "phone", "address_key")
PLACEHOLDER = re.compile(r"^(.{1,4}之[子女]|[大小二三]宝|[男女]婴|新生儿.*|婴儿.*)$")

_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_ID18 = r"\d{17}[\dX]"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Derived columns for comparing and blocking; ``frame`` has :data:`COLUMNS`. Text columns
    come back as pandas strings (Arrow), missing as NA; ``id_valid`` and ``id_conflict`` bool."""
    data = {c: _texts(frame[c]) for c in COLUMNS}
    names = _name_keys(data["name"])
    # An ID whose birth date contradicts the record's own birth date is a relative's (a
    # parent's ID on a child's record): it must not vouch for anyone.
    valid, conflict = _id_facts(data["id_number"], data["birth_date"])
    ids = data["id_number"].mask(conflict)
    long = ids.str.len() == 18
    out = {
        **data,
        "name": names["name"],
        "id_number": ids,
        "id_conflict": pd.Series(conflict, index=ids.index),
        "surname": names["surname"],
        "sound": names["sound"],
        "swapped": names["swapped"],
        "name_wild": names["name_wild"],
        "id_valid": pd.Series(valid & ~conflict, index=ids.index),
        "id14": ids.str.slice(0, 14).where(long),
        "id_tail": ids.str.slice(6).where(long),
        "birth_year": data["birth_date"].str.slice(0, 4),
    }
    return pd.DataFrame(out).reset_index(drop=True)


def _texts(column: pd.Series) -> pd.Series:
    """The column as strings, empty and missing as NA (numbers and dates as their text)."""
    values = column.reset_index(drop=True)
    if not isinstance(values.dtype, pd.StringDtype):
        present = values.notna()
        values = values.astype(object).where(present, None)
        values = pd.Series(
            [str(v) if v is not None else None for v in values.tolist()], dtype="str"
        )
    return values.mask(values == "")


def _name_keys(names: pd.Series) -> dict[str, pd.Series]:
    """Name (placeholders such as 王丽之子 or 大宝 say nothing about who: missing), surname,
    folded sound, swapped-characters key and ``?`` wildcard pattern, once per distinct name."""
    codes, uniques = pd.factorize(names)
    distinct = pd.Series(uniques, dtype="str")
    distinct = distinct.mask(distinct.str.fullmatch(PLACEHOLDER.pattern[1:-1]).fillna(False))
    table = _distinct_name_keys(distinct)
    table["name"] = distinct
    table["name_wild"] = distinct.str.replace("?", "_", regex=False).where(
        distinct.str.contains("?", regex=False).fillna(False)
    )
    rows = pa.array(codes, mask=codes < 0)  # code -1: missing
    return {key: _arrow_take(column, rows) for key, column in table.items()}


def _arrow_take(column: pd.Series, rows: pa.Array) -> pd.Series:
    """``column``'s values at ``rows`` (null: missing), Arrow to Arrow, as a pandas string."""
    values = pa.array(column.astype("str"), type=pa.string())
    return pd.Series(values.take(rows).to_pandas(), dtype="str")


def _distinct_name_keys(names: pd.Series) -> dict[str, pd.Series]:
    """Surname, sound and swapped key of distinct names, character by character in arrays:
    the readings are looked up once per distinct character and surname (as
    :func:`~gridgov.sources.normalise.name_sound_key` and ``swapped_key`` read them; names longer
    than :data:`_SHORT` characters, which are rare, go through those functions)."""
    present = names.notna().to_numpy(dtype=bool)
    lengths = names.str.len().fillna(0).to_numpy(dtype=np.int64)
    short = present & (lengths <= _SHORT)
    surname = pd.Series(None, index=names.index, dtype="str")
    sound = pd.Series(None, index=names.index, dtype="str")
    swapped = pd.Series(None, index=names.index, dtype="str")
    if short.any():
        text = names[short]
        width = int(lengths[short].max())
        chars = np.array(text.tolist(), dtype=f"U{width}").view(np.uint32).reshape(-1, width)
        compound = (lengths[short] > 2) & text.str.slice(0, 2).isin(COMPOUND_SURNAMES).to_numpy()
        # The given name's characters, first one in column 0 (0: no character).
        given = np.where(compound[:, None], _shift(chars, 2), _shift(chars, 1))
        family = text.str.slice(0, 1).where(~compound, text.str.slice(0, 2))
        surname[short] = family.to_numpy()
        sound[short] = _joined([_surname_sounds(family), *_char_sounds(given)], " ")
        ordered = np.sort(np.where(given == 0, np.uint32(0xFFFFFFFF), given), axis=1)
        ordered[ordered == 0xFFFFFFFF] = 0
        width_given = max(given.shape[1], 1)
        rest = (
            np.ascontiguousarray(ordered).view(f"U{width_given}").ravel() if given.shape[1] else ""
        )
        swapped[short] = (family + pd.Series(rest, index=family.index, dtype="str")).to_numpy()
    for i in np.flatnonzero(present & ~short):
        name = names.iat[i]
        surname.iat[i], sound.iat[i] = split_name(name)[0], name_sound_key(name)
        swapped.iat[i] = swapped_key(name)
    return {"surname": surname, "sound": sound, "swapped": swapped}


_SHORT = 12


def _shift(chars: np.ndarray, by: int) -> np.ndarray:
    """The characters from column ``by`` on, padded with 0 to the same width less one."""
    out = np.zeros((chars.shape[0], chars.shape[1] - 1), dtype=np.uint32)
    out[:, : chars.shape[1] - by] = chars[:, by:]
    return out


def _surname_sounds(family: pd.Series) -> pa.Array:
    """The folded reading of each surname (曾 zeng, 单 shan; ``?`` where one was unreadable)."""
    codes, distinct = pd.factorize(family)
    sounds = np.array(
        ["?" if "?" in s else fold_syllable(name_pinyin(s)[0]) for s in distinct.tolist()],
        dtype=object,
    )
    return pa.array(sounds[codes], type=pa.string())


def _char_sounds(given: np.ndarray) -> list[pa.Array]:
    """Per column of ``given``: each character's folded first reading, null where no character."""
    distinct, index = np.unique(given, return_inverse=True)
    index = index.reshape(given.shape)
    sounds = np.array(
        [None if c == 0 else fold_syllable(_char_readings(chr(c))[0]) for c in distinct.tolist()],
        dtype=object,
    )
    return [pa.array(sounds[index[:, k]], type=pa.string()) for k in range(given.shape[1])]


def _joined(columns: list[pa.Array], separator: str) -> np.ndarray:
    """Row by row, the columns' texts joined by ``separator`` (nulls left out)."""
    joined = pc.binary_join_element_wise(*columns, separator, null_handling="skip")
    return joined.to_numpy(zero_copy_only=False)


def _id_facts(ids: pd.Series, births: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(valid per GB 11643, the birth date inside contradicts the record's) for each ID."""
    n = len(ids)
    valid = np.zeros(n, dtype=bool)
    conflict = np.zeros(n, dtype=bool)
    shaped = ids.str.fullmatch(_ID18).fillna(False).to_numpy(dtype=bool)
    if shaped.any():
        raw = np.array(ids[shaped].tolist(), dtype="S18").view(np.uint8).reshape(-1, 18)
        digits = raw[:, :17].astype(np.int64) - 48
        check = _ID_CHECK[(digits @ _ID_WEIGHTS) % 11] == raw[:, 17]
        in_id = _days(*_ymd(digits[:, 6:14]))
        today = np.datetime64(date.today(), "D")
        year_ok = digits[:, 6:10] @ np.array([1000, 100, 10, 1]) >= 1880
        ok_date = ~np.isnat(in_id) & year_ok & (in_id <= today)
        valid[shaped] = check & ok_date
        own = _iso_days(births[shaped])
        conflict[shaped] = _different(in_id, own)
    odd = ~shaped & ids.notna().to_numpy(dtype=bool)
    for i in np.flatnonzero(odd):  # 15 digits, lower-case x, junk: the per-value rules
        id_number, birth = ids.iat[i], births.iat[i]
        parsed = normalise_id(id_number)
        valid[i] = bool(parsed and parsed.valid)
        conflict[i] = _contradicts(id_number, None if pd.isna(birth) else birth)
    return valid, conflict


def _ymd(digits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of rows of eight digits (YYYYMMDD)."""
    year = digits[:, 0:4] @ np.array([1000, 100, 10, 1])
    month = digits[:, 4:6] @ np.array([10, 1])
    day = digits[:, 6:8] @ np.array([10, 1])
    return year, month, day


def _days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """datetime64[D] of each (year, month, day); NaT where that is no real date."""
    real = (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1)
    months = np.where(real, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    length = ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype(int)
    real &= day <= length
    out = months.astype("datetime64[D]") + np.where(real, day - 1, 0)
    out[~real] = np.datetime64("NaT")
    return out


def _iso_days(births: pd.Series) -> np.ndarray:
    """datetime64[D] of ISO birth dates (``YYYY-MM-DD``); NaT if missing or no real date."""
    out = np.full(len(births), np.datetime64("NaT"), dtype="datetime64[D]")
    iso = births.str.fullmatch(_ISO_DATE).fillna(False).to_numpy(dtype=bool)
    if iso.any():
        text = np.array(births[iso].tolist(), dtype="S10").view(np.uint8).reshape(-1, 10)
        digits = text[:, [0, 1, 2, 3, 5, 6, 8, 9]].astype(np.int64) - 48
        out[iso] = _days(*_ymd(digits))
    for i in np.flatnonzero(~iso & births.notna().to_numpy(dtype=bool)):
        with suppress(ValueError):  # another form date.fromisoformat reads (20200101, …)
            out[i] = np.datetime64(date.fromisoformat(births.iat[i]), "D")
    return out


def _different(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``date_relation(a, b) == "different"`` over two datetime64[D] arrays (NaT: not)."""
    known = ~np.isnat(a) & ~np.isnat(b)
    ya, ma, da = _parts(a)
    yb, mb, db = _parts(b)
    same_day = (ma == mb) & (da == db)
    gap = np.abs((a - b).astype(np.int64))
    alike = (
        (a == b)
        | ((ya == yb) & (ma == db) & (da == mb))
        | ((ya == yb) & (((ma == 1) & (da == 1)) | ((mb == 1) & (db == 1))))
        | (same_day & (np.abs(ya - yb) == 1))
        | ((gap >= 20) & (gap <= 50))
    )
    return known & ~alike


def _parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    safe = np.where(np.isnat(days), np.datetime64("2000-01-01"), days)
    years = safe.astype("datetime64[Y]")
    months = safe.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day = (safe - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def _contradicts(id_number: str | None, birth: str | None) -> bool:
    if not id_number or not birth or len(id_number) != 18:
        return False
    in_id = id_birth_date(id_number)
    if in_id is None:
        return False
    try:
        own = date.fromisoformat(birth)
    except ValueError:
        return False
    return date_relation(in_id, own) == "different"
