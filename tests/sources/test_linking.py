"""The linker on a synthetic town with real families: relatives are never merged."""

from __future__ import annotations

from datetime import date

import pandas as pd

from gridgov.people.identifiers import make_resident_id
from gridgov.sources import linking
from gridgov.sources.normalise import normalise_id
from gridgov.sources.reconcile import stored_model

FLAT = "解放路12号5栋2单元1203"
FATHER = make_resident_id("420502", date(1960, 5, 1), 11)
TWIN1 = make_resident_id("420502", date(1990, 8, 8), 13)
TWIN2 = make_resident_id("420502", date(1990, 8, 8), 15)


def _from_15(old: str) -> str:
    """What the loader makes of a 15-digit ID (GB 11643 conversion)."""
    parsed = normalise_id(old)
    assert parsed is not None and parsed.from_15
    return parsed.value


def _frame(rows: list[tuple[str, str, str, str, str | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "uid": u,
                "name": n,
                "sex": s,
                "birth_date": b,
                "id_number": i,
                "phone": p,
                "address_key": FLAT,
            }
            for u, n, s, b, i, p in rows
        ]
    )


def test_family_members_are_not_merged_and_the_right_one_is_found() -> None:
    base = _frame(
        [
            ("p1", "刘建国", "M", "1960-05-01", FATHER, "13800001234"),
            ("p2", "刘明", "M", "1990-08-08", TWIN1, "13800001234"),
            ("p3", "刘亮", "M", "1990-08-08", TWIN2, "13800001234"),
        ]
    )
    records = _frame(
        [
            # The son's record with the father's ID and phone (a relative's ID).
            ("r1", "刘明", "M", "1990-08-08", FATHER, "13800001234"),
            # A twin without ID, no name the model can use: either twin — must not be auto-linked.
            ("r2", "大宝", "M", "1990-08-08", None, "13800001234"),
            # The father in traditional characters with a 15-digit ID.
            ("r3", "劉建國", "M", "1960-05-01", _from_15(FATHER[:6] + FATHER[8:17]), None),
            # The other twin, name in dialect spelling, ID with two digits swapped.
            (
                "r4",
                "牛亮",
                "M",
                "1990-08-08",
                TWIN2[:12] + TWIN2[13] + TWIN2[12] + TWIN2[14:],
                None,
            ),
        ]
    )
    result = linking.link(
        linking.prepare(base), linking.prepare(records), model=stored_model(), train=False
    )
    links = {row["uid"]: row for row in result.links.to_dict("records")}
    assert links["r1"]["person_uid"] == "p2" and links["r1"]["probability"] >= linking.AUTO_LINK
    assert "r2" not in links or links["r2"]["probability"] < linking.AUTO_LINK
    assert (links["r3"]["person_uid"], links["r3"]["rule"]) == ("p1", "exact_id")
    assert links["r4"]["person_uid"] == "p3"
    levels = {e["comparison"]: e["level"] for e in links["r4"]["explanation"]}
    assert levels["id_number"] == "one_typo" and levels["name"] == "same_sound"
    assert links["r3"]["explanation"] == [
        {"comparison": "id_number", "level": "exact_valid", "weight": None}
    ]
