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
