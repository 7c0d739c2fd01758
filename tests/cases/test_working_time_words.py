"""Working time in words: one working day is singular in English, Chinese has one form."""

from __future__ import annotations

import pytest

from gridgov.cases.vocabulary import working_time


@pytest.mark.parametrize(
    ("minutes", "english", "chinese"),
    [
        (420, "1 working day", "1 个工作日"),
        (3 * 420, "3 working days", "3 个工作日"),
        (60, "1 working hour", "1 个工作小时"),
        (90, "1.5 working hours", "1.5 个工作小时"),
        (240, "4 working hours", "4 个工作小时"),
    ],
)
def test_working_time_reads_as_people_say_it(minutes: int, english: str, chinese: str) -> None:
    assert working_time(minutes, "en") == english
    assert working_time(minutes, "zh-CN") == chinese
