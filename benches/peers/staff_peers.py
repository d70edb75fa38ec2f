#!/usr/bin/env python3
"""Side-by-side: `callboard staff --input` versus the Python peers users would pick.

    python3 benches/peers/staff_peers.py            # builds nothing; needs target/release/callboard
    python3 benches/peers/staff_peers.py --rows 5000

Installs pyworkforce 0.5.4 and call-center-tools 1.0.0 (and mpmath, for the referee)
from PyPI into a venv outside the repository (~/.cache/callboard-peers-venv), writes
two year-long files of 15-minute intervals (35 040 rows each: quiet nights with 0
calls, a weekly and seasonal shape, loads up to ~330 Erlangs, and a second file up
to ~5 000 Erlangs), then times

* pyworkforce's ErlangC.required_positions, one call per row, in-process;
* call-center-tools' calc_staffing, one call per row, in-process;
* the whole `callboard staff --input … --output …` command, as a user runs it;

and compares agent counts and positions row by row. Every disagreement is judged by
an independent referee (exact rationals for the discrete steps, mpmath at 50 digits
for the service level) and its cause is named. Not run by CI.
"""
import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = Path.home() / ".cache" / "callboard-peers-venv"
MASK = (1 << 64) - 1


def ensure_venv():
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run([str(py), "-c", "import pyworkforce, call_center_tools, mpmath; print(pyworkforce.__version__ if hasattr(pyworkforce,'__version__') else '')"], capture_output=True)
    if probe.returncode != 0:
        pip = [str(py), "-m", "pip", "install", "-q"]
        # 0.5.1 brings dependencies that suit this Python; 0.5.4 (the version compared)
        # declares a newer Python than 3.11 but runs on it, so it goes in without deps.
        subprocess.run(pip + ["call-center-tools==1.0.0", "mpmath", "pyworkforce==0.5.1"], check=True)
        subprocess.run(pip + ["--no-deps", "--ignore-requires-python", "pyworkforce==0.5.4"], check=True)
    return py


def splitmix(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def unit(i, salt):
    return splitmix(i * 2 + salt) / 2.0**64


WEEKDAY = [1.15, 1.05, 1.0, 1.0, 0.95, 0.55, 0.35]


def year_rows(peak_calls, rows):
    """The same rows as benches/staffing.rs generates."""
    out = []
    start = 1735689600  # 2025-01-01T00:00:00Z, a Wednesday
    for i in range(rows):
        h = (i % 96) / 4.0
        dow = (i // 96 + 2) % 7
        w = math.sin(math.pi * (h - 7.0) / 14.0) ** 1.5 if 7.0 <= h <= 21.0 else 0.0
        season = 1.0 + 0.15 * math.sin(2.0 * math.pi * i / 35040.0)
        noise = 0.9 + 0.2 * unit(i, 1)
        calls = round(peak_calls * w * WEEKDAY[dow] * season * noise)
        aht = round(240.0 + 120.0 * unit(i, 2), 1)
        t = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 900 * i))
        out.append((t, calls, aht))
    return out


def write_csv(path, rows):
    with open(path, "w") as f:
        f.write("interval_start,calls,aht_s\n")
        for t, c, a in rows:
            f.write(f"{t},{c},{a}\n")


PEER_CODE = r'''
import sys, time, csv, json
from pyworkforce.queuing import ErlangC
from call_center_tools.staffing import calc_staffing
rows = [(int(r["calls"]), float(r["aht_s"])) for r in csv.DictReader(open(sys.argv[1]))]
which = sys.argv[2]
budget = float(sys.argv[3])
res = []
t = time.perf_counter()
if which == "pyworkforce":
    for calls, aht in rows:
        if time.perf_counter() - t > budget:
            break
        try:
            e = ErlangC(transactions=calls, aht=aht / 60.0, asa=20.0 / 60.0, interval=15, shrinkage=0.3)
            r = e.required_positions(service_level=0.8, max_occupancy=0.85)
            res.append((r["raw_positions"], r["positions"]))
        except Exception as ex:
            res.append((None, type(ex).__name__))
else:
    for calls, aht in rows:
        if time.perf_counter() - t > budget:
            break
        try:
            r = calc_staffing(calls_per_hour=calls * 4, aht=aht, max_occupancy=0.85, target_answer_time=20,
                              target_service_level=0.8, shrinkage=0.3)
            res.append((r.agents, r.agents_with_shrinkage))
        except Exception as ex:
            res.append((None, type(ex).__name__))
secs = time.perf_counter() - t
print(json.dumps({"seconds": secs, "results": res}))
'''

REFEREE_CODE = r'''
import sys, json
from fractions import Fraction
from mpmath import mp, mpf, exp
mp.dps = 50
def sl(n, A, aht, t=20):
    # Erlang C service level with exact Erlang B (rationals) and 50-digit exp.
    if n <= A:
        return mpf(0)
    r = Fraction(1)
    for k in range(1, n + 1):
        r = 1 + Fraction(k) / A * r
    b = 1 / r
    c = n * b / (n - A * (1 - b))
    return 1 - mpf(c.numerator) / mpf(c.denominator) * exp(-(mpf(n) - mpf(A.numerator) / A.denominator) * t / mpf(aht.numerator) * aht.denominator)
out = []
for calls, aht_text, n in json.loads(sys.stdin.read()):
    aht = Fraction(aht_text)
    A = Fraction(calls) * aht / 900
    need_occ = -(-(A * 100) // 85)  # ceil(A / 0.85) exactly
    # smallest n with SL >= 0.8 and n >= ceil(A/0.85)
    k = max(int(A) + 1, int(need_occ))
    while sl(k, A, aht) < mpf("0.8"):
        k += 1
    positions = -(-(k * 10) // 7)  # ceil(k / 0.7) exactly
    out.append((k, int(positions), float(sl(n, A, aht)) if n else None))
print(json.dumps(out))
'''


def run_peer(py, csv_path, which, budget):
    p = subprocess.run([str(py), "-c", PEER_CODE, str(csv_path), which, str(budget)], capture_output=True, text=True, check=True)
    import json
    return json.loads(p.stdout)


def run_callboard(binary, csv_path, out_path):
    t = time.perf_counter()
    subprocess.run([str(binary), "staff", "--input", str(csv_path), "--output", str(out_path), "--interval-minutes", "15",
                    "--sl-target", "0.8", "--sl-seconds", "20", "--max-occupancy", "0.85", "--shrinkage", "0.3"],
                   check=True, capture_output=True)
    secs = time.perf_counter() - t
    import csv
    rows = list(csv.DictReader(open(out_path)))
    return secs, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=35040)
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "callboard"))
    ap.add_argument("--work", default=str(ROOT / "target" / "peers"))
    ap.add_argument("--budget", type=float, default=300.0,
                    help="seconds a peer may spend on one file; rows beyond are not run and the rate is per row")
    args = ap.parse_args()
    py = ensure_venv()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    import json
    for label, peak in [("year, loads up to ~330 Erlangs", 1000), ("year, loads up to ~5 000 Erlangs", 15000)]:
        rows = year_rows(peak, args.rows)
        path = work / f"year-peak{peak}.csv"
        write_csv(path, rows)
        loads = [c * a / 900 for _, c, a in rows]
        print(f"\n## {label}: {len(rows)} rows, {sum(1 for _, c, _ in rows if c == 0)} with 0 calls, max {max(loads):.0f} Erlangs")
        cb_secs, cb = run_callboard(args.binary, path, work / f"staffed-peak{peak}.csv")
        # callboard keeps every row (none is invalid here); map by interval_start.
        ours = {r["interval_start"]: (int(r["agents"]), int(r["positions"])) for r in cb}
        print(f"callboard staff --input (whole command): {cb_secs*1000:.1f} ms")
        for which in ["pyworkforce", "call-center-tools"]:
            peer = run_peer(py, path, which, args.budget)
            res = peer["results"]
            done = len(res)
            per_row_peer = peer["seconds"] / max(done, 1)
            per_row_cb = cb_secs / len(rows)
            crashes = [i for i, r in enumerate(res) if r[0] is None]
            diffs = [i for i, r in enumerate(res) if r[0] is not None and (r[0], r[1]) != ours[rows[i][0]]]
            scope = "all rows" if done == len(rows) else f"the first {done} rows in the {args.budget:.0f} s budget"
            print(f"{which}: {peer['seconds']*1000:.1f} ms in-process loop over {scope}"
                  f" ({per_row_peer*1e6:.1f} µs/row vs callboard {per_row_cb*1e6:.2f} µs/row) → callboard is {per_row_peer/per_row_cb:.0f}× faster;"
                  f" crashed on {len(crashes)} rows ({', '.join(sorted(set(str(res[i][1]) for i in crashes)))}),"
                  f" {len(diffs)} rows with other agents/positions")
            if diffs:
                sample = [(rows[i][1], str(rows[i][2]), ours[rows[i][0]][0]) for i in diffs]
                ref = json.loads(subprocess.run([str(py), "-c", REFEREE_CODE], input=json.dumps(sample), capture_output=True, text=True, check=True).stdout)
                ours_right = sum(1 for i, (k, p, _) in zip(diffs, ref) if (k, p) == ours[rows[i][0]])
                peers_right = sum(1 for i, (k, p, _) in zip(diffs, ref) if (k, p) == tuple(res[i][:2]))
                causes = {"agents": 0, "positions only": 0}
                for i in diffs:
                    if res[i][0] != ours[rows[i][0]][0]:
                        causes["agents"] += 1
                    else:
                        causes["positions only"] += 1
                print(f"   referee: callboard right on {ours_right}/{len(diffs)}, {which} right on {peers_right}/{len(diffs)}; differences in {causes}")
                for i, (k, p, _) in list(zip(diffs, ref))[:5]:
                    print(f"   e.g. {rows[i][0]} calls={rows[i][1]} aht={rows[i][2]}: A={rows[i][1]*rows[i][2]/900:.6f} → exact {k} agents / {p} positions;"
                          f" callboard {ours[rows[i][0]]}, {which} {tuple(res[i][:2])}")


if __name__ == "__main__":
    main()
