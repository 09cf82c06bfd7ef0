"""Extraction throughput: documents/s and characters/s over the bundled corpus.

    .venv/bin/python bench/extract_corpus.py [--repeat N] [--workers W]

Prints one line per setting. Each worker process extracts every bundled document `repeat`
times; the first pass (vocabulary and gazetteer loading) is timed separately as start-up.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor

from policykg.data import corpus_files


def _work(args: tuple[list[str], int]) -> int:
    from policykg.loaders.extract import extract_file

    paths, repeat = args
    for _ in range(repeat):
        for path in paths:
            extract_file(path)
    return repeat * len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    paths = [str(f) for f in corpus_files()]
    sizes = [len(open(p, encoding="utf-8").read()) for p in paths]

    t0 = time.perf_counter()
    _work((paths, 1))
    startup = time.perf_counter() - t0
    print(f"corpus: {len(paths)} documents, {sum(sizes)} characters (mean {sum(sizes) // len(paths)})")
    print(f"first pass incl. vocabulary/gazetteer loading: {startup:.2f} s")

    for workers in sorted({1, args.workers}):
        t0 = time.perf_counter()
        if workers == 1:
            docs = _work((paths, args.repeat))
        else:
            with ProcessPoolExecutor(workers) as pool:
                results = list(pool.map(_work, [(paths, args.repeat)] * workers))
            docs = sum(results)
        elapsed = time.perf_counter() - t0
        chars = sum(sizes) * docs // len(paths)
        print(
            f"workers={workers}: {docs} documents in {elapsed:.2f} s = {docs / elapsed:.1f} docs/s, "
            f"{chars / elapsed / 1000:.0f} k characters/s"
        )


if __name__ == "__main__":
    main()
