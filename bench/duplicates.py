"""Benchmark of the duplicate finder (``dialogue/questions/similarity.py``) against a bare fuzzy match.

On the labelled pairs of ``tests/data/duplicate_pairs.json`` (the set the threshold is chosen on) and
``tests/data/duplicate_pairs_holdout.json`` (written after, never tuned on), it prints, for the finder and for the
baseline (rapidfuzz's ``token_set_ratio`` on the folded text, what the moderation page used before, at its old
cutoff of 80 and at its own best cutoff on the set), precision, recall and F1; then the time per comparison, the
cost of loading pyvi, and the time of a moderation page's suggestions at a session's scale. Everything runs in
this process, on this machine, in the same run.

    .venv/bin/python bench/duplicates.py
    .venv/bin/python bench/duplicates.py --misses          # also list the pairs the finder gets wrong
    .venv/bin/python bench/duplicates.py --json /tmp/duplicates.json

"Session" weighs the words over every text of the set (as a session's submissions weigh them in the app);
"alone" over the two texts of the pair only (a session with two submissions): the worst case for the weights.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from dialogue.core.text import fold  # noqa: E402
from dialogue.questions import similarity  # noqa: E402

SETS = {"labelled": "tests/data/duplicate_pairs.json", "held out": "tests/data/duplicate_pairs_holdout.json"}
OLD_CUTOFF = 80
MODES = {"session": "the whole set (a session)", "alone": "the pair alone"}
RUNS = 5


def load(path: str) -> list[dict]:
    return json.loads((ROOT / path).read_text(encoding="utf-8"))["pairs"]


def prf(scores: list[tuple[float, bool]], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for s, dup in scores if s >= threshold and dup)
    fp = sum(1 for s, dup in scores if s >= threshold and not dup)
    fn = sum(1 for s, dup in scores if s < threshold and dup)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_cutoff(scores: list[tuple[float, bool]], grid) -> float:
    return max(grid, key=lambda t: (prf(scores, t)[2], -t))


def finder_scores(pairs: list[dict], mode: str) -> list[tuple[float, bool]]:
    corpus = similarity.Corpus(sorted({t for p in pairs for t in (p["a"], p["b"])})) if mode == "session" else None
    return [(similarity.similarity(p["a"], p["b"], corpus), p["duplicate"]) for p in pairs]


def baseline_scores(pairs: list[dict]) -> list[tuple[float, bool]]:
    return [(fuzz.token_set_ratio(fold(p["a"]), fold(p["b"])) / 100, p["duplicate"]) for p in pairs]


def row(name: str, scores, threshold: float) -> dict:
    p, r, f = prf(scores, threshold)
    print(f"| {name} | {threshold:.2f} | {p:.2f} | {r:.2f} | {f:.2f} |")
    return {"name": name, "threshold": threshold, "precision": p, "recall": r, "f1": f}


def quality(report: dict, show_misses: bool) -> None:
    grid = [t / 100 for t in range(5, 96)]
    base_cutoff = best_cutoff(baseline_scores(load(SETS["labelled"])), grid)  # fair to it: its own best
    for set_name, path in SETS.items():
        pairs = load(path)
        dup = sum(p["duplicate"] for p in pairs)
        print(f"\n### {set_name}: {len(pairs)} pairs ({dup} duplicates) — {path}\n")
        print("| finder | threshold | precision | recall | F1 |\n|---|---:|---:|---:|---:|")
        rows = []
        for mode in ("session", "alone"):
            scores = finder_scores(pairs, mode)
            rows.append(row(f"similarity.py, weighted over {MODES[mode]}", scores, similarity.THRESHOLD))
            if show_misses:
                misses = [
                    (s, p) for (s, _dup), p in zip(scores, pairs, strict=True) if (s >= similarity.THRESHOLD) != _dup
                ]
                for s, p in misses:
                    print(
                        f"|  {'missed' if p['duplicate'] else 'false'} {s:.2f} {p['kind']}: {p['a'][:50]} / {p['b'][:50]} | | | | |"
                    )
        base = baseline_scores(pairs)
        rows.append(row("baseline token_set_ratio, old cutoff", base, OLD_CUTOFF / 100))
        rows.append(row("baseline token_set_ratio, its best cutoff on the labelled set", base, base_cutoff))
        report.setdefault("quality", {})[set_name] = rows
        by_kind: dict[str, list[float]] = {}
        for (s, _d), p in zip(finder_scores(pairs, "session"), pairs, strict=True):
            by_kind.setdefault(p["kind"], []).append(s)
        print(
            "\nmedian score by kind (session): "
            + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in by_kind.items())
        )


def threshold_choice(report: dict) -> None:
    """The rule: on the labelled set only, the cutoff whose lower F1 (session, alone) is highest."""
    pairs = load(SETS["labelled"])
    session, alone = finder_scores(pairs, "session"), finder_scores(pairs, "alone")
    grid = [t / 100 for t in range(20, 46)]
    chosen = max(grid, key=lambda t: (min(prf(session, t)[2], prf(alone, t)[2]), -t))
    print("\n### Threshold (labelled set only; rule: the highest lower F1 of 'session' and 'alone')\n")
    print("| threshold | session P / R / F1 | alone P / R / F1 |\n|---:|---|---|")
    for t in grid[6:18]:
        s, a = prf(session, t), prf(alone, t)
        mark = " ←" if abs(t - chosen) < 1e-9 else ""
        print(f"| {t:.2f}{mark} | {s[0]:.2f} / {s[1]:.2f} / {s[2]:.2f} | {a[0]:.2f} / {a[1]:.2f} / {a[2]:.2f} |")
    print(f"\nchosen by the rule: {chosen:.2f}; in use (similarity.THRESHOLD): {similarity.THRESHOLD:.2f}")
    report["threshold"] = {"chosen": chosen, "in_use": similarity.THRESHOLD}


def timed(fn, repeat: int) -> float:
    """Median seconds of ``repeat`` runs of ``fn``."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed(report: dict) -> None:
    pairs = load(SETS["labelled"]) + load(SETS["held out"])
    n = len(pairs)
    similarity.terms("Đề nghị tập huấn")  # pyvi loaded before timing (its cost is measured apart)

    def cold():
        similarity.features.cache_clear()
        for p in pairs:
            similarity.similarity(p["a"], p["b"])

    def warm():
        for p in pairs:
            similarity.similarity(p["a"], p["b"])

    def bare():
        for p in pairs:
            fuzz.token_set_ratio(fold(p["a"]), fold(p["b"]))

    t_cold, t_bare = timed(cold, RUNS), timed(bare, RUNS)
    warm()
    t_warm = timed(warm, RUNS)
    print(f"\n### Time per comparison ({n} pairs, median of {RUNS} runs)\n")
    print("| | µs per pair | ratio to baseline |\n|---|---:|---:|")
    for name, t in (
        ("baseline: fold + token_set_ratio", t_bare),
        ("similarity.py, texts new (pyvi cuts both)", t_cold),
        ("similarity.py, texts seen (cached words)", t_warm),
    ):
        print(f"| {name} | {t / n * 1e6:.1f} | {t / t_bare:.1f}× |")
    report["speed_us"] = {"baseline": t_bare / n * 1e6, "cold": t_cold / n * 1e6, "warm": t_warm / n * 1e6}

    texts = sorted({t for p in pairs for t in (p["a"], p["b"])})
    print("\n### A moderation page: suggestions for 50 submissions among a session's open ones\n")
    print(
        "| open submissions | first time (pyvi cuts them) | again (cached) | baseline (old finder) |\n|---:|---:|---:|---:|"
    )
    report["page_s"] = {}
    for size in (200, 2000):
        candidates = {i: f"{texts[i % len(texts)]} (Chi bộ ấp {i})" for i in range(size)}
        wanted = {i: candidates[i] for i in range(50)}

        def page_cold(wanted=wanted, candidates=candidates):
            similarity.features.cache_clear()
            similarity.duplicates(wanted, candidates)

        def page_warm(wanted=wanted, candidates=candidates):
            similarity.duplicates(wanted, candidates)

        def page_bare(wanted=wanted, candidates=candidates):
            from rapidfuzz import process

            choices = {k: fold(v) for k, v in candidates.items()}
            for text in wanted.values():
                process.extract(fold(text), choices, scorer=fuzz.token_set_ratio, score_cutoff=OLD_CUTOFF, limit=4)

        c = timed(page_cold, 3)
        page_warm()
        w, b = timed(page_warm, 3), timed(page_bare, 3)
        print(f"| {size:,} | {c * 1000:.0f} ms | {w * 1000:.0f} ms | {b * 1000:.0f} ms |")
        report["page_s"][size] = {"cold": c, "warm": w, "baseline": b}


LOAD_PROBE = """
import sys, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
sys.path.insert(0, {root!r})
import dialogue.questions.similarity as similarity
{before}
gc_base = rss(); start = time.perf_counter()
{load}
print(rss() - gc_base, time.perf_counter() - start, "sklearn" in sys.modules)
"""


def loading(report: dict) -> None:
    """What pyvi costs a process, in a fresh interpreter each: as the app loads it, and as pyvi loads itself."""
    variants = {
        "as the app loads it (without scikit-learn)": ("", "similarity.terms('Đề nghị tập huấn')"),
        "pyvi's own import (scikit-learn and all)": (
            "",
            "from pyvi import ViTokenizer; ViTokenizer.tokenize('Đề nghị')",
        ),
    }
    print("\n### Loading pyvi (a fresh process each, RSS growth)\n")
    print("| | MiB | seconds | scikit-learn loaded |\n|---|---:|---:|---|")
    report["load"] = {}
    for name, (before, load_code) in variants.items():
        code = LOAD_PROBE.format(root=str(ROOT), before=before, load=load_code)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
        mib, seconds, sklearn = out.stdout.split()
        print(f"| {name} | {float(mib):.1f} | {float(seconds):.2f} | {sklearn} |")
        report["load"][name] = {"mib": float(mib), "seconds": float(seconds), "sklearn": sklearn == "True"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the pairs the finder gets wrong")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    report: dict = {}
    print("## Duplicate finder: similarity.py against rapidfuzz token_set_ratio on the folded text")
    print(f"load average before the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    quality(report, args.misses)
    threshold_choice(report)
    speed(report)
    loading(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
