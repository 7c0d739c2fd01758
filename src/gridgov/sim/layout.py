"""The synthetic city's shape: grids tiling the city and the regions built from them.

Grid cells are Voronoi cells of jittered lattice seeds (convex, irregular, ~330 m across). The
lattice is walked along a generalised Hilbert curve (gilbert2d) and the walk is cut into
consecutive runs: districts, streets inside them, communities inside those, so every region is a
compact, connected union of the grids below it and nesting is exact by construction. Commerce
inspection grids are runs of 5–15 community grids along the same walk.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPoint, box
from shapely.geometry.base import BaseGeometry

from gridgov.grids.geometry import metres_to_lnglat

CELL_METRES = 330.0
JITTER = 0.3
GRIDS_PER_STREET = 28
GRIDS_PER_COMMUNITY = 5.5
GRIDS_PER_OVERLAY = 11.1
REFERENCE_DISTRICTS = (
    ("420502", "西陵区"),
    ("420503", "伍家岗区"),
    ("420504", "点军区"),
    ("420505", "猇亭区"),
    ("420506", "夷陵区"),
)
PLACE_NAMES = [
    "西陵",
    "学院",
    "云集",
    "西坝",
    "葛洲坝",
    "夜明珠",
    "窑湾",
    "北苑",
    "东苑",
    "南湖",
    "大公桥",
    "宝塔河",
    "万寿桥",
    "伍家",
    "桔城",
    "紫阳",
    "沙河",
    "城东",
    "铁路坝",
    "胜利",
    "解放",
    "东山",
    "福绥",
    "珍珠",
    "隆中",
    "桃花岭",
    "杨岔路",
    "白龙岗",
    "平湖",
    "龙盘湖",
    "鸦鹊岭",
    "小溪塔",
    "东湖",
    "樵湖",
    "金缔",
    "清江",
    "联棚",
    "艾家",
    "土城",
    "桥边",
    "云池",
    "古老背",
    "虎牙",
    "长江",
    "三峡",
    "望洲",
    "绿萝",
    "黄河",
    "珠海",
    "汉宜",
    "环城",
    "峡州",
    "中南",
    "城中",
    "江南",
    "临江",
    "滨江",
    "常刘",
    "夷陵",
    "港窑",
    "磨基山",
    "花艳",
    "紫云",
    "枝江",
    "五一",
    "建设",
    "和平",
    "民主",
    "跃进",
    "红星",
    "新华",
    "光明",
    "胜景",
    "丰宝",
    "松林",
    "樵湖岭",
    "三峡坝",
    "柏临河",
    "发展",
    "前坪",
    "东站",
    "金桥",
    "牌坊",
    "夷兴",
    "运河",
    "翠柏",
]


@dataclass
class Node:
    """A region of the base layer: code, name, level, and the grid seeds (lattice cells) it holds."""

    code: str
    name: str
    level: str
    cells: list[int]
    children: list[Node] = field(default_factory=list)


@dataclass
class CityLayout:
    districts: list[Node]
    # Per lattice cell used by the city: polygon in lng/lat and lattice row/column.
    cell_polygons: dict[int, BaseGeometry]
    cell_metric: dict[int, BaseGeometry]
    overlays: list[tuple[str, str, list[int]]]

    def nodes(self) -> Iterator[Node]:
        stack = list(reversed(self.districts))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def gilbert_walk(width: int, height: int) -> list[tuple[int, int]]:
    """Generalised Hilbert curve over a width × height lattice: consecutive cells are adjacent."""
    cells: list[tuple[int, int]] = []

    def sign(v: int) -> int:
        return (v > 0) - (v < 0)

    def walk(x: int, y: int, ax: int, ay: int, bx: int, by: int) -> None:
        w, h = abs(ax + ay), abs(bx + by)
        dax, day, dbx, dby = sign(ax), sign(ay), sign(bx), sign(by)
        if h == 1:
            for _ in range(w):
                cells.append((x, y))
                x, y = x + dax, y + day
            return
        if w == 1:
            for _ in range(h):
                cells.append((x, y))
                x, y = x + dbx, y + dby
            return
        ax2, ay2, bx2, by2 = ax // 2, ay // 2, bx // 2, by // 2
        w2, h2 = abs(ax2 + ay2), abs(bx2 + by2)
        if 2 * w > 3 * h:
            if w2 % 2 and w > 2:
                ax2, ay2 = ax2 + dax, ay2 + day
            walk(x, y, ax2, ay2, bx, by)
            walk(x + ax2, y + ay2, ax - ax2, ay - ay2, bx, by)
        else:
            if h2 % 2 and h > 2:
                bx2, by2 = bx2 + dbx, by2 + dby
            walk(x, y, bx2, by2, ax2, ay2)
            walk(x + bx2, y + by2, ax, ay, bx - bx2, by - by2)
            walk(
                x + (ax - dax) + (bx2 - dbx),
                y + (ay - day) + (by2 - dby),
                -bx2,
                -by2,
                -(ax - ax2),
                -(ay - ay2),
            )

    if width >= height:
        walk(0, 0, width, 0, 0, height)
    else:
        walk(0, 0, 0, height, width, 0)
    return cells


def split_sizes(total: int, parts: int, rng: np.random.Generator, spread: float) -> list[int]:
    """``total`` split into ``parts`` positive sizes around the mean (± spread, as a share)."""
    parts = max(1, min(parts, total))
    weights = rng.uniform(1 - spread, 1 + spread, parts)
    raw = weights / weights.sum() * total
    sizes = np.maximum(1, np.floor(raw).astype(int))
    # Hand out what rounding left (or take back the excess) by largest remainder.
    remainder = raw - np.floor(raw)
    order = np.argsort(-remainder)
    i = 0
    while sizes.sum() < total:
        sizes[order[i % parts]] += 1
        i += 1
    while sizes.sum() > total:
        j = int(np.argmax(sizes))
        sizes[j] -= 1
    return [int(s) for s in sizes]


def even_sizes(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def chunks(items: Sequence[int], sizes: Sequence[int]) -> Iterator[list[int]]:
    start = 0
    for size in sizes:
        yield list(items[start : start + size])
        start += size


def lattice_shape(grids: int) -> tuple[int, int]:
    """Even width and height (the Hilbert walk then needs no diagonal step) covering ``grids``."""
    width = max(2, 2 * math.ceil(math.sqrt(grids * 1.25) / 2))
    height = max(2, 2 * math.ceil(grids / width / 2))
    return width, height


def generate_layout(*, grids: int, seed: int, city_code: str = "420500") -> CityLayout:
    if grids < 1:
        raise ValueError("a city needs at least one grid")
    rng = np.random.default_rng(seed)
    width, height = lattice_shape(grids)
    walk = gilbert_walk(width, height)

    # Seeds on a jittered lattice; row 0 is the southern edge.
    cols = np.array([c for c, _ in walk], dtype=float)
    rows = np.array([r for _, r in walk], dtype=float)
    jitter_x = rng.uniform(-JITTER, JITTER, len(walk))
    jitter_y = rng.uniform(-JITTER, JITTER, len(walk))
    frame = box(0, 0, width * CELL_METRES, height * CELL_METRES)
    metric = _voronoi_cells(cols, rows, jitter_x, jitter_y, frame)
    used = list(range(grids))  # the first cells of the walk form the city
    lnglat = metres_to_lnglat(metric[:grids])
    cell_polygons = {i: lnglat[i] for i in used}
    cell_metric = {i: metric[i] for i in used}

    # Within a community, number grids north → south, then west → east.
    def reading_order(cell: int) -> tuple[float, float]:
        return (-rows[cell], cols[cell])

    names = _NamePool(rng)
    districts: list[Node] = []
    n_districts = max(1, min(9, round(grids / 222)))
    for d, district_cells in enumerate(chunks(used, split_sizes(grids, n_districts, rng, 0.25))):
        if d < len(REFERENCE_DISTRICTS):
            code, name = REFERENCE_DISTRICTS[d]
        else:
            code, name = f"{city_code[:4]}{d + 2:02d}", f"{names.take()}区"
        district = Node(code, name, "district", district_cells)
        n_streets = max(1, round(len(district_cells) / GRIDS_PER_STREET))
        street_sizes = split_sizes(len(district_cells), n_streets, rng, 0.35)
        for s, street_cells in enumerate(chunks(district_cells, street_sizes), start=1):
            street = Node(f"{code}{s:03d}", f"{names.take()}街道", "street", street_cells)
            n_comms = max(1, round(len(street_cells) / GRIDS_PER_COMMUNITY))
            comm_sizes = split_sizes(len(street_cells), n_comms, rng, 0.4)
            for c, comm_cells in enumerate(chunks(street_cells, comm_sizes), start=1):
                comm_name = f"{names.take()}社区"
                community = Node(f"{street.code}{c:03d}", comm_name, "community", comm_cells)
                for g, cell in enumerate(sorted(comm_cells, key=reading_order), start=1):
                    community.children.append(
                        Node(f"{community.code}{g:03d}", f"{comm_name}第{g}网格", "grid", [cell])
                    )
                street.children.append(community)
            district.children.append(street)
        districts.append(district)

    n_overlays = max(1, round(grids / GRIDS_PER_OVERLAY))
    overlays = [
        (f"GS{city_code}{i:03d}", f"工商巡查网格{i:03d}", members)
        for i, members in enumerate(chunks(used, even_sizes(grids, n_overlays)), start=1)
    ]
    return CityLayout(districts, cell_polygons, cell_metric, overlays)


def _voronoi_cells(
    cols: np.ndarray,
    rows: np.ndarray,
    jitter_x: np.ndarray,
    jitter_y: np.ndarray,
    frame: BaseGeometry,
) -> np.ndarray:
    """Voronoi cells of the jittered lattice seeds, in walk order, clipped to the frame.

    Regions are runs of the walk, so each cell must share an edge with the next one; jitter
    occasionally lets two other cells squeeze between lattice neighbours. Such pairs are pulled
    back towards their lattice centres until every consecutive pair shares an edge.
    """
    jitter_x, jitter_y = jitter_x.copy(), jitter_y.copy()
    for _ in range(12):
        xs = (cols + 0.5 + jitter_x) * CELL_METRES
        ys = (rows + 0.5 + jitter_y) * CELL_METRES
        cells = shapely.get_parts(
            shapely.voronoi_polygons(
                MultiPoint(list(shapely.points(xs, ys))), extend_to=frame, ordered=True
            )
        )
        # Clip on a 1 cm precision grid: shared edges keep identical vertices.
        metric = shapely.intersection(cells, frame, grid_size=0.01)
        shared = shapely.length(shapely.intersection(metric[:-1], metric[1:], grid_size=0.01))
        apart = np.flatnonzero(shared <= 0)
        if not len(apart):
            return np.asarray(metric)
        for k in (*apart, *(apart + 1)):
            jitter_x[k] /= 2
            jitter_y[k] /= 2
    raise RuntimeError("could not make the walk's cells adjacent")


class _NamePool:
    """Place names, unique across the city (a numeral is appended once the list runs out)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def take(self) -> str:
        for _ in range(8):
            name = str(self.rng.choice(PLACE_NAMES))
            if name not in self.used:
                self.used.add(name)
                return name
        base = str(self.rng.choice(PLACE_NAMES))
        n = 2
        while f"{base}{n}" in self.used:
            n += 1
        self.used.add(f"{base}{n}")
        return f"{base}{n}"
