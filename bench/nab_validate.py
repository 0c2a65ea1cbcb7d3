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
- logo: leave one group out, the threshold chosen on all other groups (with groups = data sets,
  the figure closest to "a threshold chosen on our data, used on data never seen"), beside each
  group's figure at the threshold chosen on every file (in_sample) and on its own files (own);
  with --pool, also pooled over a set of groups (e.g. the real NAB categories);

and, when several variants are given, `selected`: leave-one-file-out over the whole choice
(variant and threshold both chosen on the other files), the honest figure for a tuning sweep,
and with groups `selected_logo`: the same choice leaving one whole group out.

Speed: each file's raw NAB score is computed once at every candidate threshold (the highest
MAX_CANDIDATES distinct scores of the variant, and "never"), so choosing a threshold on any set
of files is a sum and an argmax. The in-sample and fixed-threshold figures use nab_score.py's own
sweep and evaluation, so they are exact whatever the candidate list.
"""

import argparse
import importlib.util
import json
import random
import sys

import numpy as np

PROFILES = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"]
MAX_CANDIDATES = 20000


def load_scorer(path):
    spec = importlib.util.spec_from_file_location("nab_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Run(object):
    """One variant: prepared files, and per profile each file's raw score at every candidate."""

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
        scores = np.unique(np.array([s for fd in self.files for s in fd.score if s == s]))[::-1]
        # "never fire" first, then the candidates from the highest down (ties go to the higher)
        self.candidates = np.concatenate([[np.inf], scores[:MAX_CANDIDATES]])
        self.curves = {}

    def curve(self, weights):
        """matrix [file, candidate] of raw NAB scores for one profile"""
        key = tuple(sorted(weights.items()))
        if key not in self.curves:
            self.curves[key] = np.vstack([file_curve(fd, weights, self.candidates) for fd in self.files])
        return self.curves[key]

    def null(self, subset, weights):
        return -weights["fnWeight"] * sum(len(self.files[i].scored_windows) for i in subset)

    def perfect(self, subset, weights):
        return weights["tpWeight"] * sum(self.files[i].n_windows for i in subset)


def file_curve(fd, weights, candidates):
    """raw score of one file at each candidate threshold (descending)"""
    tpw, fpw, fnw = weights["tpWeight"], weights["fpWeight"], weights["fnWeight"]
    rows = sorted((r for r in zip(fd.score, fd.win, fd.unit) if r[0] == r[0]), key=lambda r: -r[0])
    null = -fnw * len(fd.scored_windows)
    best = {}
    fp = 0.0
    win_sum = null
    at, value = [], []
    i, n = 0, len(rows)
    while i < n:
        t = rows[i][0]
        while i < n and rows[i][0] == t:
            _, g, u = rows[i]
            if g < 0:
                fp += fpw * u
            else:
                v = tpw * u
                old = best.get(g, -fnw)
                if v > old:
                    win_sum += v - old
                    best[g] = v
            i += 1
        at.append(t)
        value.append(fp + win_sum)
    if not at:
        return np.full(len(candidates), null)
    ascending = np.array(at[::-1])
    # how many of this file's distinct scores are >= each candidate
    count = len(at) - np.searchsorted(ascending, candidates, side="left")
    values = np.array(value)
    return np.where(count > 0, values[np.maximum(count - 1, 0)], null)


def normalise(run, subset, weights, raw_score):
    null = run.null(subset, weights)
    perfect = run.perfect(subset, weights)
    return 100.0 * (raw_score - null) / (perfect - null) if perfect != null else float("nan")


def finite(x):
    x = float(x)
    return None if x != x or x in (float("inf"), float("-inf")) else x


def bootstrap(run, weights, per_file, draws=1000, seed=1):
    rng = random.Random(seed)
    n = len(per_file)
    values = []
    for _ in range(draws):
        pick = [rng.randrange(n) for _ in range(n)]
        null = run.null(pick, weights)
        perfect = run.perfect(pick, weights)
        if perfect != null:
            values.append(100.0 * (sum(per_file[i] for i in pick) - null) / (perfect - null))
    values.sort()
    return [round(values[int(0.05 * len(values))], 1), round(values[int(0.95 * len(values)) - 1], 1)]


def validate(nab, run, profiles, fixed, groups, profile_names, pools):
    every = list(range(len(run.files)))
    out = {"optimised": {}, "fixed": {}, "loo": {}, "transfer": {}, "halves": {}, "logo": {}}
    for p in profile_names:
        w = profiles[p]
        m = run.curve(w)
        total = m.sum(axis=0)
        # in-sample and fixed: nab_score.py's own sweep and evaluation (exact)
        rows = sorted(((s, g, u) for fd in run.files for s, g, u in zip(fd.score, fd.win, fd.unit) if s == s),
                      key=lambda r: -r[0])
        thr, best = nab.optimise_threshold(rows, sum(len(fd.scored_windows) for fd in run.files), w)
        out["optimised"][p] = {"score": round(normalise(run, every, w, best), 2), "threshold": finite(thr)}
        if fixed is not None:
            raw_fixed, _, per = nab.evaluate_at(run.files, w, fixed)
            out["fixed"][p] = round(normalise(run, every, w, raw_fixed), 2)
            # each group, and each pool of groups, at the fixed threshold
            by_group = {}
            for name, g in list(groups.items()) + [("pool:" + k, set().union(*(groups[x] for x in v)))
                                                  for k, v in pools.items()]:
                if g:
                    by_group[name] = round(normalise(run, sorted(g), w, sum(per[i]["score"] for i in g)), 2)
            out.setdefault("fixed_by_group", {})[p] = by_group
        # leave one file out: the best candidate for the other files
        chosen = np.argmax(total[None, :] - m, axis=1)
        per_file = m[np.arange(len(every)), chosen]
        thresholds = [run.candidates[k] for k in chosen if np.isfinite(run.candidates[k])]
        by_group = {name: round(normalise(run, sorted(g), w, per_file[sorted(g)].sum()), 2)
                    for name, g in groups.items() if g}
        out["loo"][p] = {
            "score": round(normalise(run, every, w, per_file.sum()), 2),
            "interval90": bootstrap(run, w, list(per_file)),
            "thresholds": [finite(min(thresholds)) if thresholds else None,
                           finite(max(thresholds)) if thresholds else None],
            "by_group": by_group,
            "per_file": {run.keys[i]: round(float(per_file[i]), 3) for i in every},
        }

        def tuned_on(subset):
            return int(np.argmax(m[sorted(subset)].sum(axis=0)))

        def scored(subset, k):
            return round(normalise(run, sorted(subset), w, m[sorted(subset), k].sum()), 2)

        transfer = {}
        for a, ga in groups.items():
            for b, gb in groups.items():
                if a != b and ga and gb:
                    k = tuned_on(ga)
                    transfer["%s->%s" % (a, b)] = {"score": scored(gb, k), "threshold": finite(run.candidates[k])}
        out["transfer"][p] = transfer
        halves = []
        for h in (0, 1):
            train = {i for i in every if i % 2 == h}
            halves.append(scored(set(every) - train, tuned_on(train)))
        out["halves"][p] = halves
        logo = {}
        held_total = 0.0
        covered = set()
        held_raw = {}
        k_all = tuned_on(every)
        for name, g in groups.items():
            rest = set(every) - g
            if not g or not rest:
                continue
            k = tuned_on(rest)
            held_raw[name] = m[sorted(g), k].sum()
            held_total += held_raw[name]
            covered |= g
            logo[name] = {
                "score": scored(g, k),
                "threshold": finite(run.candidates[k]),
                # the same files with the threshold chosen on every file, and on their own
                "in_sample": scored(g, k_all),
                "own": scored(g, tuned_on(g)),
            }
        if logo:
            logo["pooled"] = round(normalise(run, sorted(covered), w, held_total), 2)
        for name, members in pools.items():
            files = set().union(*(groups[g] for g in members))
            logo["pool:" + name] = {
                "score": round(normalise(run, sorted(files), w, sum(held_raw[g] for g in members)), 2),
                "in_sample": scored(files, k_all),
            }
        out["logo"][p] = logo
    return out


def selected(runs, profiles, profile_names):
    """leave-one-file-out over variant and threshold together"""
    names = list(runs)
    first = runs[names[0]]
    n = len(first.files)
    out = {}
    for p in profile_names:
        w = profiles[p]
        curves = [runs[name].curve(w) for name in names]
        totals = [c.sum(axis=0) for c in curves]
        raw_sum = 0.0
        chosen = {}
        for i in range(n):
            best = None
            for name, c, t in zip(names, curves, totals):
                rest = t - c[i]
                k = int(np.argmax(rest))
                if best is None or rest[k] > best[0]:
                    best = (rest[k], name, c[i, k])
            chosen[best[1]] = chosen.get(best[1], 0) + 1
            raw_sum += best[2]
        out[p] = {"score": round(normalise(first, range(n), w, raw_sum), 2), "chosen": chosen}
    return out


def selected_logo(runs, groups, pools, profiles, profile_names):
    """leave one group out over variant and threshold together: both chosen on the other groups"""
    names = list(runs)
    first = runs[names[0]]
    every = set(range(len(first.files)))
    out = {}
    for p in profile_names:
        w = profiles[p]
        curves = {name: runs[name].curve(w) for name in names}
        held = {}
        for g, members in groups.items():
            rest = sorted(every - members)
            if not members or not rest:
                continue
            best = None
            for name in names:
                totals = curves[name][rest].sum(axis=0)
                k = int(np.argmax(totals))
                if best is None or totals[k] > best[0]:
                    best = (totals[k], name, k)
            _, name, k = best
            raw = curves[name][sorted(members), k].sum()
            held[g] = {"variant": name, "threshold": finite(runs[name].candidates[k]), "raw": float(raw),
                       "score": round(normalise(first, sorted(members), w, raw), 2)}
        pooled = {}
        for pool, gs in pools.items():
            files = sorted(set().union(*(groups[g] for g in gs)))
            pooled[pool] = round(normalise(first, files, w, sum(held[g]["raw"] for g in gs)), 2)
        out[p] = {"groups": held, "pools": pooled}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scorer", required=True, help="path of shared/tools/nab_score.py")
    ap.add_argument("--windows", required=True)
    ap.add_argument("--variant", action="append", required=True, metavar="NAME=DIR")
    ap.add_argument("--fixed", type=float, help="also score at this fixed threshold")
    ap.add_argument("--group", action="append", default=[], metavar="NAME=CAT[,CAT]",
                    help="file groups by category, for transfer between groups and per-group LOO")
    ap.add_argument("--pool", action="append", default=[], metavar="NAME=GROUP[,GROUP]",
                    help="also report the leave-one-group-out figure pooled over these groups")
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
    pools = {}
    for spec in args.pool:
        name, _, members = spec.partition("=")
        pools[name] = [g for g in members.split(",") if g]
        for g in pools[name]:
            if g not in groups:
                raise SystemExit("error: pool %s names unknown group %s" % (name, g))
    profile_names = [p for p in args.profiles.split(",") if p]
    result = {"files": len(keys), "variants": {}}
    for name, run in runs.items():
        result["variants"][name] = validate(nab, run, nab.DEFAULT_PROFILES, args.fixed, groups, profile_names, pools)
    if len(runs) > 1 and not args.no_select:
        result["selected"] = selected(runs, nab.DEFAULT_PROFILES, profile_names)
        if groups:
            result["selected_logo"] = selected_logo(runs, groups, pools, nab.DEFAULT_PROFILES, profile_names)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
