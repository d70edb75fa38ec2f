#!/usr/bin/env python3
"""Side-by-side: callboard's shift plan (stage 1) versus pyworkforce's MinAbsDifference.

    python3 benches/peers/roster_peers.py      # needs target/release/callboard

Installs pyworkforce (OR-Tools CP-SAT) from PyPI into a venv outside the repository
(~/.cache/callboard-roster-peers-venv) unless the running Python already has it.

The instance (issue 13): one week of 30-minute requirements (7 x 48) shaped like a
contact centre's (a morning peak, an afternoon shoulder, quieter weekends, a night
floor of one), and 20 shift templates without breaks that stay inside the day (as
pyworkforce's days are independent): 8-hour shifts starting on each hour from 00:00
to 16:00 and 4-hour shifts from 17:00 to 19:00. pyworkforce minimises
sum |scheduled - required| over the 336 half hours; callboard is run with weights
under = over = 1, cost = 0, which minimises the same sum in agent-hours (half the
agent-half-hours). Both optima must agree; times are whole solves (CP-SAT with 2
workers, as pyworkforce defaults; callboard's whole command, HiGHS on one thread).
Not run by CI.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer_venv  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def instance():
    day_factor = [1.15, 1.05, 1.0, 1.0, 0.95, 0.6, 0.45]
    required = []
    for d in range(7):
        row = []
        for p in range(48):
            hour = p / 2
            if 7 <= hour < 22:
                shape = 4 + 10 * math.exp(-((hour - 11) / 3) ** 2) + 5 * math.exp(-((hour - 16) / 2.5) ** 2)
                row.append(max(1, round(shape * day_factor[d])))
            else:
                row.append(1)
        required.append(row)
    shifts = {}
    for h in range(17):
        shifts[f"eight_{h:02d}"] = (h * 60, 8 * 60)
    for h in (17, 18, 19):
        shifts[f"four_{h:02d}"] = (h * 60, 4 * 60)
    return required, shifts


def main():
    peer_venv.ensure("pyworkforce", "callboard-roster-peers-venv", __file__)
    from pyworkforce.scheduling import MinAbsDifference

    required, shifts = instance()
    coverage = {
        name: [1 if start <= p * 30 < start + length else 0 for p in range(48)]
        for name, (start, length) in shifts.items()
    }
    t0 = time.perf_counter()
    peer = MinAbsDifference(
        num_days=7,
        periods=48,
        shifts_coverage=coverage,
        required_resources=required,
        max_period_concurrency=200,
        max_shift_concurrency=100,
        max_search_time=60.0,
        num_search_workers=2,
    ).solve()
    peer_time = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        need = tmp / "need.csv"
        with need.open("w") as f:
            f.write("interval_start,agents\n")
            for d in range(7):
                for p in range(48):
                    f.write(f"2026-03-{2 + d:02d}T{p // 2:02d}:{(p % 2) * 30:02d}:00Z,{required[d][p]}\n")
        toml = tmp / "shifts.toml"
        toml.write_text("".join(
            f'[[shift]]\nname = "{n}"\nstart = "{s // 60:02d}:{s % 60:02d}"\nlength = "{length // 60}h"\n\n'
            for n, (s, length) in shifts.items()))
        rules = tmp / "rules.toml"
        rules.write_text("[weights]\nunder = 1\nover = 1\ncost = 0\n")
        exe = Path(os.environ.get("CALLBOARD_BIN", ROOT / "target" / "release" / "callboard"))
        t0 = time.perf_counter()
        out = subprocess.run(
            [str(exe), "roster", "--requirements", str(need), "--shifts", str(toml),
             "--rules", str(rules), "--output", str(tmp / "out"), "--format", "json"],
            check=True, capture_output=True, text=True).stdout
        cb_time = time.perf_counter() - t0
    cb = json.loads(out)
    cb_cost = 2 * (cb["under_agent_hours"] + cb["over_agent_hours"])
    print("| solver | status | sum |scheduled - required| (agent-half-hours) | time s |")
    print("|---|---|---:|---:|")
    print(f"| pyworkforce MinAbsDifference (CP-SAT, 2 workers) | {peer['status']} | {peer['cost']:.0f} | {peer_time:.2f} |")
    print(f"| callboard roster stage 1 (HiGHS, 1 thread), whole command | {cb['solver_status']} (gap {cb['mip_gap']:.2%}) | {cb_cost:.0f} | {cb_time:.2f} (solve {cb['solve_seconds']:.2f}) |")
    print(f"\nratio: callboard {peer_time / cb_time:.1f}x faster; same optimum: {abs(cb_cost - peer['cost']) < 1e-6}")


if __name__ == "__main__":
    main()
