"""The 13 statutory days off, fixed by the national holiday regulation (全国年节及纪念日放假办法,
as amended in 2024, in force from 2025) and computable for any year: 元旦 1 Jan; 春节 lunar New
Year's Eve and the 1st–3rd of the first lunar month; 清明 the day of the Qingming solar term;
劳动节 1–2 May; 端午 5/5 lunar; 中秋 15/8 lunar; 国庆 1–3 Oct.

What the State Council announces each autumn on top (make-up working days, bridged weekends)
cannot be computed: a year without an entered schedule counts these days off and warns about
the rest. Lunar dates and solar terms come from ``lunar-python`` (a maintained calendar library).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar


@lru_cache(maxsize=64)
def statutory_days_off(year: int) -> frozenset[date]:
    def solar(lunar: Lunar) -> date:
        day = lunar.getSolar()
        return date(day.getYear(), day.getMonth(), day.getDay())

    new_year = solar(Lunar.fromYmd(year, 1, 1))
    qingming = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    days = {
        date(year, 1, 1),
        new_year - timedelta(days=1),
        new_year,
        new_year + timedelta(days=1),
        new_year + timedelta(days=2),
        date(qingming.getYear(), qingming.getMonth(), qingming.getDay()),
        date(year, 5, 1),
        date(year, 5, 2),
        solar(Lunar.fromYmd(year, 5, 5)),
        solar(Lunar.fromYmd(year, 8, 15)),
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
    }
    return frozenset(days)
