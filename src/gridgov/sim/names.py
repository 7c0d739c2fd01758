"""Realistic Chinese personal names for the synthetic city.

Surnames follow their approximate national frequency (the top 100 cover ~85% of people);
given names have one or two characters (about 1 in 5 single), drawn from pools that lean male
or female. ``random_name`` serves single draws (staff, fixtures); ``random_names`` draws a
batch with numpy; ``draw_names`` draws a whole population as indexes into ``name_table()``, which
holds every surname and given name with its pinyin, so pinyin is looked up once per name part
instead of once per person.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from gridgov.people.text import char_pinyin, name_pinyin

# (surname, share in per mille of the population), approximate 2020 census ranking.
# fmt: off
_SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71.5), ("李", 71.4), ("张", 68.6), ("刘", 53.8), ("陈", 45.3), ("杨", 31.0),
    ("黄", 22.8), ("赵", 22.1), ("吴", 20.5), ("周", 20.0), ("徐", 16.7), ("孙", 15.4),
    ("马", 14.4), ("朱", 13.6), ("胡", 13.1), ("郭", 11.7), ("何", 11.4), ("林", 10.4),
    ("高", 10.3), ("罗", 10.2), ("郑", 10.0), ("梁", 9.0), ("谢", 7.8), ("宋", 7.1),
    ("唐", 7.0), ("许", 6.7), ("韩", 6.5), ("邓", 6.4), ("冯", 6.4), ("曹", 6.2),
    ("彭", 6.1), ("曾", 5.9), ("肖", 5.8), ("田", 5.6), ("董", 5.4), ("潘", 5.2),
    ("袁", 5.2), ("蔡", 5.0), ("蒋", 5.0), ("余", 4.9), ("于", 4.8), ("杜", 4.7),
    ("叶", 4.6), ("程", 4.6), ("魏", 4.3), ("苏", 4.2), ("吕", 4.1), ("丁", 4.1),
    ("任", 4.0), ("卢", 3.9), ("姚", 3.9), ("沈", 3.8), ("钟", 3.7), ("姜", 3.7),
    ("崔", 3.6), ("谭", 3.6), ("陆", 3.4), ("范", 3.3), ("汪", 3.3), ("廖", 3.2),
    ("石", 3.2), ("金", 3.1), ("韦", 3.0), ("贾", 3.0), ("夏", 2.9), ("付", 2.9),
    ("方", 2.8), ("邹", 2.6), ("熊", 2.6), ("白", 2.6), ("孟", 2.5), ("秦", 2.5),
    ("邱", 2.5), ("侯", 2.4), ("江", 2.4), ("尹", 2.3), ("薛", 2.3), ("闫", 2.2),
    ("段", 2.2), ("雷", 2.2), ("龙", 2.0), ("黎", 2.0), ("史", 2.0), ("陶", 1.9),
    ("贺", 1.9), ("毛", 1.8), ("郝", 1.8), ("顾", 1.7), ("龚", 1.7), ("邵", 1.7),
    ("万", 1.7), ("覃", 1.6), ("武", 1.6), ("钱", 1.6), ("戴", 1.6), ("严", 1.5),
    ("莫", 1.5), ("孔", 1.5), ("向", 1.5), ("常", 1.4), ("欧阳", 0.3), ("司马", 0.05),
    ("诸葛", 0.03), ("上官", 0.03),
)
# fmt: on

_MALE_CHARS = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新"
    "利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐"
    "绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽"
    "晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘宇轩睿鑫"
)
_FEMALE_CHARS = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香"
    "月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓"
    "纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥"
    "筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽秀敏静"
)


@lru_cache(maxsize=1)
def _surname_table() -> tuple[tuple[str, ...], np.ndarray]:
    names = tuple(name for name, _ in _SURNAMES)
    weights = np.array([share for _, share in _SURNAMES], dtype=float)
    return names, weights / weights.sum()


@lru_cache(maxsize=1)
def _surname_cum() -> tuple[tuple[str, ...], list[float]]:
    names, weights = _surname_table()
    return names, np.cumsum(weights).tolist()


def _given(rng: random.Random, pool: str) -> str:
    if rng.random() < 0.2:
        return rng.choice(pool)
    return rng.choice(pool) + rng.choice(pool)


def random_name(rng: random.Random, sex: str | None = None) -> str:
    """One realistic name. ``sex`` is ``"M"``/``"F"``; ``None`` picks either."""
    names, cum = _surname_cum()
    surname = rng.choices(names, cum_weights=cum)[0]
    if sex is None:
        sex = "M" if rng.random() < 0.5 else "F"
    return surname + _given(rng, _MALE_CHARS if sex == "M" else _FEMALE_CHARS)


def random_names(
    gen: np.random.Generator,
    sexes: Sequence[str],
    surnames: Sequence[str | None] | None = None,
) -> list[str]:
    """Names for a whole batch at once. ``surnames[i]`` (if given and not None) is kept, so
    children can share a parent's surname."""
    n = len(sexes)
    names, weights = _surname_table()
    drawn = gen.choice(len(names), size=n, p=weights)
    single = gen.random(n) < 0.2
    male = np.frombuffer(_MALE_CHARS.encode("utf-32-le"), dtype="<U1")
    female = np.frombuffer(_FEMALE_CHARS.encode("utf-32-le"), dtype="<U1")
    first = gen.random(n)
    second = gen.random(n)
    out: list[str] = []
    for i in range(n):
        pool = male if sexes[i] == "M" else female
        given = pool[int(first[i] * len(pool))]
        if not single[i]:
            given += pool[int(second[i] * len(pool))]
        surname = surnames[i] if surnames is not None and surnames[i] else names[drawn[i]]
        out.append(str(surname) + str(given))
    return out


@dataclass(frozen=True)
class NameTable:
    """Every surname and given name ``draw_names`` can produce, with full pinyin and initials
    (object arrays, so a drawn index array turns into strings by fancy indexing). A name's pinyin
    is its surname's followed by its given name's, exactly as ``people.text.name_pinyin``
    reads the whole name."""

    surnames: np.ndarray
    surname_pinyin: np.ndarray
    surname_initials: np.ndarray
    given: np.ndarray
    given_pinyin: np.ndarray
    given_initials: np.ndarray


def _given_pool(pool: str) -> list[str]:
    """Index layout of a pool of P characters: P single-character names, then P×P pairs
    (``P + first * P + second``); duplicates in the pool keep their extra weight."""
    return list(pool) + [a + b for a in pool for b in pool]


@lru_cache(maxsize=1)
def name_table() -> NameTable:
    surnames = [name for name, _ in _SURNAMES]
    given = _given_pool(_MALE_CHARS) + _given_pool(_FEMALE_CHARS)
    surname_readings = [name_pinyin(name) for name in surnames]
    given_syllables = [[char_pinyin(ch) for ch in name] for name in given]

    def objects(values: Sequence[str]) -> np.ndarray:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out

    return NameTable(
        surnames=objects(surnames),
        surname_pinyin=objects([full for full, _ in surname_readings]),
        surname_initials=objects([initials for _, initials in surname_readings]),
        given=objects(given),
        given_pinyin=objects(["".join(s) for s in given_syllables]),
        given_initials=objects(["".join(x[0] for x in s if x) for s in given_syllables]),
    )


def draw_names(gen: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Surname and given-name indexes (into ``name_table()``) for people of the given sexes,
    with the same frequencies as ``random_names``."""
    n = len(male)
    _, weights = _surname_table()
    surname = gen.choice(len(weights), size=n, p=weights)
    single = gen.random(n) < 0.2
    first, second = gen.random(n), gen.random(n)
    size = np.where(male, len(_MALE_CHARS), len(_FEMALE_CHARS))
    offset = np.where(male, 0, len(_MALE_CHARS) * (len(_MALE_CHARS) + 1))  # female names follow
    a = (first * size).astype(np.int64)
    b = (second * size).astype(np.int64)
    given = np.where(single, offset + a, offset + size + a * size + b)
    return surname, given
