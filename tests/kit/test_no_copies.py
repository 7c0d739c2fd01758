"""No copied blocks (issue "One mechanism each", Proof): six or more consecutive identical lines
may not stand twice inside one domain folder, nor anywhere in the generic pieces web/ and kit/.

The detector reads the source as text, like the library's `duplicates` tool: white space is
folded, and blank lines, comments, import lines, lone punctuation, lone keywords and closing tags
are passed over (they are not code anyone copies). Where two places share a run, the second is a
copy with, at best, a small variation: make the generic piece instead (web/, kit/ or the
domain's own helper) and call it from both.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "gridgov"
RUN = 6
SOURCE_ENDINGS = {".py", ".html", ".js", ".css"}
# Copied from npm, not ours to fold.
SKIPPED = ("web/static/vendor/",)

# Runs that may stand twice, and why: (file, file, the first line of the run).
ALLOWED: set[tuple[str, str, str]] = set()

_TRIVIAL = re.compile(
    r"""^(
        [\W_]*                                  # lone punctuation: ) ], }: ...
      | (\#|//|\{\#).*                          # comments
      | (import|from)\s.*\simport\s.*|import\s.*  # imports
      | (else|try|finally|pass|return|break|continue|\*\*kwargs|\*args)[:,]?
      | </[\w-]+>                               # closing tags
      | \{%-?\s*(end\w*|else)\s*-?%\}           # closing Jinja tags
    )$""",
    re.VERBOSE,
)


def _code_lines(path: Path) -> list[tuple[int, str]]:
    kept = []
    in_import = False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = " ".join(raw.split())
        if in_import or (line.startswith(("import ", "from ")) and line.endswith("(")):
            in_import = not line.startswith(")")  # the names of a parenthesised import
            continue
        if line and not _TRIVIAL.match(line):
            kept.append((number, line))
    return kept


def _groups() -> dict[str, list[Path]]:
    """One group per domain folder (with its subfolders); web/ and kit/ are one group."""
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(SRC.rglob("*")):
        relative = path.relative_to(SRC).as_posix()
        if path.suffix not in SOURCE_ENDINGS or relative.startswith(SKIPPED):
            continue
        top = relative.split("/")[0] if "/" in relative else "(top)"
        groups["web+kit" if top in {"web", "kit"} else top].append(path)
    return groups


def _copies(files: list[Path], root: Path = SRC) -> list[tuple[str, int, str, int, str]]:
    """(file, line, file, line, first line) for each maximal run shared by two places."""
    lines = {path: _code_lines(path) for path in files}
    places: dict[tuple[str, ...], list[tuple[Path, int]]] = defaultdict(list)
    for path, kept in lines.items():
        texts = [text for _, text in kept]
        for start in range(len(texts) - RUN + 1):
            places[tuple(texts[start : start + RUN])].append((path, start))
    pairs = {
        (first, a, second, b)
        for spots in places.values()
        for index, (first, a) in enumerate(spots)
        for second, b in spots[index + 1 :]
        if first != second or abs(a - b) >= RUN  # overlapping: a run repeating itself
    }
    return sorted(
        (
            first.relative_to(root).as_posix(),
            lines[first][a][0],
            second.relative_to(root).as_posix(),
            lines[second][b][0],
            lines[first][a][1],
        )
        for first, a, second, b in pairs
        if (first, a - 1, second, b - 1) not in pairs  # the start of a run, not its middle
    )


def test_no_copied_blocks_inside_a_domain_or_the_generic_pieces() -> None:
    found = [
        copy
        for files in _groups().values()
        for copy in _copies(files)
        if (copy[0], copy[2], copy[4]) not in ALLOWED
    ]
    assert not found, f"blocks of {RUN}+ identical lines standing twice (make one piece):\n" + (
        "\n".join(f"  {a}:{la} ~ {b}:{lb}  {text[:60]}" for a, la, b, lb, text in found)
    )


def test_the_detector_finds_a_copy(tmp_path: Path) -> None:
    block = "\n".join(f"total = total + value_{n} * {n}" for n in range(RUN))
    (tmp_path / "one.py").write_text(f"def one():\n{block}\n", encoding="utf-8")
    (tmp_path / "two.py").write_text(f"# two\n\ndef two():\n{block}\n", encoding="utf-8")
    (tmp_path / "three.py").write_text(block.replace("total", "sum", 1) + "\n", encoding="utf-8")
    found = _copies(sorted(tmp_path.glob("*.py")), tmp_path)
    assert [(a, la, b, lb) for a, la, b, lb, _ in found] == [("one.py", 2, "two.py", 4)]
