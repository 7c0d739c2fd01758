import random

import numpy as np

from gridgov.sim.names import random_name, random_names


def test_random_name_is_deterministic_and_chinese() -> None:
    first = [random_name(random.Random(7)) for _ in range(3)]
    again = [random_name(random.Random(7)) for _ in range(3)]
    assert first == again
    rng = random.Random(1)
    for _ in range(200):
        name = random_name(rng)
        assert 2 <= len(name) <= 4
        assert all("\u4e00" <= ch <= "\u9fff" for ch in name)


def test_random_names_keeps_given_surnames() -> None:
    names = random_names(np.random.default_rng(3), ["M", "F", "M"], [None, "欧阳", "王"])
    assert len(names) == 3
    assert names[1].startswith("欧阳")
    assert names[2].startswith("王")


def test_drawn_names_carry_the_pinyin_of_the_whole_name() -> None:
    from gridgov.people.text import given_name, name_pinyin
    from gridgov.sim.names import draw_names, name_table

    table = name_table()
    male = np.random.default_rng(5).random(20_000) < 0.5
    surname, given = draw_names(np.random.default_rng(5), male)
    names = table.surnames[surname] + table.given[given]
    pinyin = table.surname_pinyin[surname] + table.given_pinyin[given]
    initials = table.surname_initials[surname] + table.given_initials[given]
    for name, full, short, first in zip(names, pinyin, initials, table.given[given], strict=True):
        assert name_pinyin(name) == (full, short)
        assert given_name(name) == first
    assert "乐" in table.given  # read "yue" as a surname, "le" in a given name
    assert table.given_pinyin[list(table.given).index("乐")] == "le"
    assert 0.15 < float(np.mean([len(g) == 1 for g in table.given[given]])) < 0.25
    assert 0.05 < float(np.mean(table.surnames[surname] == "王")) < 0.1
