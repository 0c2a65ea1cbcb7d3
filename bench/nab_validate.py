#!/usr/bin/env python3
"""Out-of-sample NAB figures for detector score files, using the NAB rules of
shared/tools/nab_score.py (imported, not re-implemented).

    python3 bench/nab_validate.py --scorer PATH/nab_score.py --windows W.json \
        --variant NAME=DIR [--variant NAME=DIR ...] [--fixed 0.97] [--group A=cat1,cat2 ...]

Each DIR holds <category>/<file>.csv with columns timestamp,anomaly_score (the simple layout of
nab_score.py). Prints one JSON object: per variant

- optimised: NAB's own figure, one threshold chosen on every file (in-sample);
- fixed: the figures at the given fixed threshold (no tuning at all);
- loo: leave-one-file-out: the threshold is chosen on the other files and the held-out file is
  scored with it; held-out raw scores are summed and normalised as NAB normalises a whole run.
  Spread: the range of the chosen thresholds and a 90% bootstrap interval over files;
- transfer: for each ordered pair of groups, threshold chosen on one, the other scored with it;
- halves: alternate files, tuned on one half and scored on the other, both ways;

and, when several variants are given, `selected`: leave-one-file-out over the whole choice
(variant and threshold both chosen on the other files), the honest figure for a tuning sweep.
"""

import argparse
import importlib.util
import json
import random
import sys

PROFILES = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"]


def load_scorer(path):
    spec = importlib.util.spec_from_file_location("nab_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Run(object):
    """One variant: prepared files and, per profile, its rows sorted by score (for sweeps)."""

    def __init__(self, nab, root, windows):
        found = nab.discover(root, None, set(windows))
        self.files = []
        gid = 0
        for key in sorted(k for k in found if k in windows):
            ts, sc, _ = nab.read_result_csv(found[key])
            wins = [(nab.parse_ts(a), nab.parse_ts(b)) for a, b in windows[key]]
            rows_w = nab.locate_windows(key, ts, wins)
            prob = nab.probation_rows(len(sc), 0.15, 0.15 * 5000)
            fd = nab.prepare_file(key, ts, sc, rows_w, prob, gid)
            fd.n_windows = len(rows_w)
            gid = fd.next_gid
            self.files.append(fd)
        if not self.files:
            raise SystemExit("error: no labelled result files under %s" % root)
        self.keys = [f.key for f in self.files]
        rows = []
        for i, fd in enumerate(self.files):
            for s, g, u in zip(fd.score, fd.win, fd.unit):
                if s == s:
                    rows.append((s, g, u, i))
        rows.sort(key=lambda r: r[0], reverse=True)
        self.rows = rows


def tune(nab, run, subset, weights):
    """threshold maximising the raw score summed over the files in `subset` (a set of indices)"""
    rows = [(s, g, u) for (s, g, u, i) in run.rows if i in subset]
    n_sw = sum(len(run.files[i].scored_windows) for i in subset)
    return nab.optimise_threshold(rows, n_sw, weights)


def raw(nab, run, subset, weights, threshold):
    total, _, _ = nab.evaluate_at([run.files[i] for i in subset], weights, threshold)
    return total


def normalise(run, subset, weights, raw_score):
    null = -weights["fnWeight"] * sum(len(run.files[i].scored_windows) for i in subset)
    perfect = weights["tpWeight"] * sum(run.files[i].n_windows for i in subset)
    return 100.0 * (raw_score - null) / (perfect - null) if perfect != null else float("nan")


def held_out(nab, run, weights):
    """per file: (threshold chosen on the others, that file's raw score at it)"""
    every = set(range(len(run.files)))
    out = []
    for i in range(len(run.files)):
        thr, _ = tune(nab, run, every - {i}, weights)
        out.append((thr, raw(nab, run, {i}, weights, thr)))
    return out


def bootstrap(run, weights, per_file, draws=1000, seed=1):
    rng = random.Random(seed)
    n = len(per_file)
    values = []
    for _ in range(draws):
        pick = [rng.randrange(n) for _ in range(n)]
        null = -weights["fnWeight"] * sum(len(run.files[i].scored_windows) for i in pick)
        perfect = weights["tpWeight"] * sum(run.files[i].n_windows for i in pick)
        if perfect == null:
            continue
        values.append(100.0 * (sum(per_file[i] for i in pick) - null) / (perfect - null))
    values.sort()
    return [round(values[int(0.05 * len(values))], 1), round(values[int(0.95 * len(values)) - 1], 1)]


def finite(x):
    return None if x != x or x in (float("inf"), float("-inf")) else x


def validate(nab, run, profiles, fixed, groups, profile_names):
    every = set(range(len(run.files)))
    out = {"optimised": {}, "fixed": {}, "loo": {}, "transfer": {}, "halves": {}}
    for p in profile_names:
        w = profiles[p]
        thr, best = tune(nab, run, every, w)
        out["optimised"][p] = {"score": round(normalise(run, every, w, best), 2), "threshold": finite(thr)}
        if fixed is not None:
            out["fixed"][p] = round(normalise(run, every, w, raw(nab, run, every, w, fixed)), 2)
        ho = held_out(nab, run, w)
        per_file = [r for _, r in ho]
        thresholds = [t for t, _ in ho if t != float("inf")]
        by_group = {}
        for name, members in groups.items():
            if members:
                by_group[name] = round(normalise(run, members, w, sum(per_file[i] for i in members)), 2)
        out["loo"][p] = {
            "score": round(normalise(run, every, w, sum(per_file)), 2),
            "interval90": bootstrap(run, w, per_file),
            "thresholds": [finite(min(thresholds)) if thresholds else None,
                           finite(max(thresholds)) if thresholds else None],
            "by_group": by_group,
            "per_file": {run.keys[i]: round(per_file[i], 3) for i in range(len(per_file))},
        }
        transfer = {}
        for a, ma in groups.items():
            for b, mb in groups.items():
                if a == b or not ma or not mb:
                    continue
                t, _ = tune(nab, run, ma, w)
                transfer["%s->%s" % (a, b)] = {"score": round(normalise(run, mb, w, raw(nab, run, mb, w, t)), 2),
                                               "threshold": finite(t)}
        out["transfer"][p] = transfer
        halves = []
        for h in (0, 1):
            train = {i for i in every if i % 2 == h}
            test = every - train
            t, _ = tune(nab, run, train, w)
            halves.append(round(normalise(run, test, w, raw(nab, run, test, w, t)), 2))
        out["halves"][p] = halves
    return out


def selected(nab, runs, profiles, profile_names):
    """leave-one-file-out over variant and threshold together"""
    names = list(runs)
    n = len(runs[names[0]].files)
    every = set(range(n))
    out = {}
    for p in profile_names:
        w = profiles[p]
        total = 0.0
        chosen = {}
        for i in range(n):
            best = None
            for name in names:
                thr, s = tune(nab, runs[name], every - {i}, w)
                if best is None or s > best[0]:
                    best = (s, name, thr)
            _, name, thr = best
            chosen[name] = chosen.get(name, 0) + 1
            total += raw(nab, runs[name], {i}, w, thr)
        out[p] = {"score": round(normalise(runs[names[0]], every, w, total), 2), "chosen": chosen}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scorer", required=True, help="path of shared/tools/nab_score.py")
    ap.add_argument("--windows", required=True)
    ap.add_argument("--variant", action="append", required=True, metavar="NAME=DIR")
    ap.add_argument("--fixed", type=float, help="also score at this fixed threshold")
    ap.add_argument("--group", action="append", default=[], metavar="NAME=CAT[,CAT]",
                    help="file groups by category, for transfer between groups and per-group LOO")
    ap.add_argument("--profiles", default=",".join(PROFILES))
    ap.add_argument("--no-select", action="store_true", help="skip the joint variant selection")
    args = ap.parse_args(argv)
    nab = load_scorer(args.scorer)
    with open(args.windows) as fh:
        windows = json.load(fh)
    runs = {}
    for spec in args.variant:
        name, _, root = spec.partition("=")
        runs[name] = Run(nab, root, windows)
    keys = runs[next(iter(runs))].keys
    for name, run in runs.items():
        if run.keys != keys:
            raise SystemExit("error: variant %s covers other files than the first" % name)
    groups = {}
    for spec in args.group:
        name, _, cats = spec.partition("=")
        cats = set(cats.split(","))
        groups[name] = {i for i, k in enumerate(keys) if k.split("/", 1)[0] in cats}
    profile_names = [p for p in args.profiles.split(",") if p]
    result = {"files": len(keys), "variants": {}}
    for name, run in runs.items():
        result["variants"][name] = validate(nab, run, nab.DEFAULT_PROFILES, args.fixed, groups, profile_names)
    if len(runs) > 1 and not args.no_select:
        result["selected"] = selected(nab, runs, nab.DEFAULT_PROFILES, profile_names)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
