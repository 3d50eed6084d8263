"""The speed section of bench/RESULTS.md: a header block (how to run, the machine) and
one block per part (when and by which command it last ran, its targets, its tables),
each between its own markers, so a part run alone rewrites only its block. Re-render
every part from bench/out/speed/results.json without measuring:

    .venv/bin/python bench/speed.py report
"""

from __future__ import annotations

import speed_cold
import speed_encode
import speed_incremental
import speed_latency
import speed_ratio
import speed_scale
from speed_common import fmt, fmt_load, write_blocks

# in the order they run and appear
PARTS = {m.PART: m for m in (speed_ratio, speed_encode, speed_latency, speed_cold, speed_incremental,
                             speed_scale)}


def write_report(res: dict, parts: list[str]) -> None:
    """The header block, and the blocks of `parts` (and their plots), from results.json."""
    blocks = {"header": _header(res)}
    for part in parts:
        if part in PARTS:
            blocks[part] = _block(part, res[part])
    write_blocks(blocks)


def _header(res: dict) -> str:
    m = res.get("machine", {})
    return "\n".join([
        "## Speed and scale (issues 5 and 14)\n",
        "Every figure in this section comes from one command, run from the repository root:\n",
        "```\n.venv/bin/python bench/speed.py\n```\n",
        "which runs every part; each part also runs alone (`.venv/bin/python bench/speed_latency.py`, say, "
        "or `bench/speed.py latency`) and rewrites only its own block below. Each block says when its part "
        "last ran, by which command, and how busy the machine was.\n",
        f"Machine: {m.get('cpus')} cores ({m.get('processor')}), Python {m.get('python')}, {m.get('platform')}. "
        "Raw numbers: `bench/out/speed/results.json`. The machine is shared with other sessions, so each "
        "part records the load average (`uptime`, 1/5/15 min) before and after it; "
        f"{m.get('cpus')}.0 means every core was already busy.\n",
        "How this scales past one machine: [docs/scaling.md](../docs/scaling.md).",
    ])


def _block(part: str, numbers: dict) -> str:
    lines: list[str] = []
    add = lines.append
    PARTS[part].report(numbers, add)
    meta = numbers.get("_meta")
    if meta:
        at = 1 if lines and lines[0].startswith("###") else 0
        lines.insert(at, f"Part `{part}`: `{meta.get('command', '?')}`, {meta['when']}, "
                         f"{fmt(meta['seconds'], 0)} s, load {fmt_load(meta['load_before'])} -> "
                         f"{fmt_load(meta['load_after'])}.\n")
    rows = PARTS[part].summary(numbers)
    if rows:
        table = ["| target | wanted | this run |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
        at = 2 if lines and lines[0].startswith("###") else 1
        lines[at:at] = table + [""]
    return "\n".join(lines)
