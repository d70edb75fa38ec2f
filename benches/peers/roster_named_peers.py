#!/usr/bin/env python3
"""Side-by-side: callboard's named roster versus pyworkforce's MinHoursRoster.

    python3 benches/peers/roster_named_peers.py [--agents 140] [--limit 60]
                                                 # needs target/release/callboard

Installs pyworkforce (OR-Tools CP-SAT) from PyPI into a venv outside the repository
(~/.cache/callboard-roster-peers-venv) unless the running Python already has it.

The instance (issue 13): 140 agents, one week, three 8-hour shifts that do not
overlap (Morning 06-14, Afternoon 14-22, Night 22-06), a required head count per day
and shift, every agent at least 40 hours (so at least 5 days: max_resting = 2), one
day banned per agent (the day off they asked for). MinHoursRoster minimises the
hours rostered with every required head count met. No non-sequential shifts and no
preferences: MinHoursRoster's non-sequential row forbids every shift on the day
after (its sum runs over all of the next day's shifts), and its preferences are
rewards where callboard's are penalties, so neither has an exact counterpart.
--scale multiplies the head counts: at 1.0 (502 shifts) and 1.3 (653) the 40-hour
minimums (700 shifts) decide and both solvers prove 5600 h; at 1.45 (728 shifts)
MinHoursRoster answers INFEASIBLE (the bans leave too few agent-days), callboard the
roster with the uncovered hours, proven optimal.

callboard gets the same instance as its own files: a requirement per hour equal to
the head count of the shift covering that hour (the shifts do not overlap, so
covering the hours is meeting the counts), templates of the three shifts, agents
with min_hours_week = 40 and the bans as unavailable ranges, rest 0 h (shifts may
follow on, as in MinHoursRoster), weights under =
1000 (any uncovered hour costs more than a whole extra shift), over = 0, cost = 1 per
paid hour, no soft rules. Its objective is then the paid hours, the same number as
MinHoursRoster's (both solvers must agree where both prove it). Times are whole runs
(CP-SAT with 2 workers as pyworkforce defaults; callboard's command, HiGHS on one
thread). Not run by CI.
"""
import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer_venv  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHIFTS = [("Morning", 6), ("Afternoon", 14), ("Night", 22)]
BASE = {
    "Morning": [40, 40, 38, 38, 36, 20, 18],
    "Afternoon": [34, 34, 32, 32, 30, 16, 14],
    "Night": [12, 12, 12, 12, 12, 10, 10],
}
REQUIRED = dict(BASE)


def instance(n_agents, seed=7):
    rng = random.Random(seed)
    agents = [f"R{i:03d}" for i in range(n_agents)]
    banned = []
    for a in agents:
        # Each agent asks for one day off at random (every shift that day banned).
        day = rng.randrange(7)
        for s, _ in SHIFTS:
            banned.append({"resource": a, "shift": s, "day": day})
    return agents, banned


def run_pyworkforce(agents, banned, limit):
    from pyworkforce.rostering import MinHoursRoster

    t0 = time.perf_counter()
    roster = MinHoursRoster(
        num_days=7,
        resources=agents,
        shifts=[s for s, _ in SHIFTS],
        shifts_hours=[8, 8, 8],
        min_working_hours=40,
        banned_shifts=banned,
        max_resting=2,
        required_resources=REQUIRED,
        max_search_time=limit,
        num_search_workers=2,
    )
    solution = roster.solve()
    seconds = time.perf_counter() - t0
    return solution, seconds, roster.solver.BestObjectiveBound()


def write_callboard_files(tmp, agents, banned):
    lines = ["interval_start,agents"]
    for d in range(7):
        for h in range(24):
            if 6 <= h < 14:
                need = REQUIRED["Morning"][d]
            elif 14 <= h < 22:
                need = REQUIRED["Afternoon"][d]
            elif h >= 22:
                need = REQUIRED["Night"][d]
            else:
                need = REQUIRED["Night"][d - 1] if d > 0 else 0
            lines.append(f"2026-03-{2 + d:02d}T{h:02d}:00:00Z,{need}")
    (tmp / "need.csv").write_text("\n".join(lines) + "\n")
    shifts = ""
    for name, h in SHIFTS:
        shifts += f'[[shift]]\nname = "{name}"\nstart = "{h:02d}:00"\nlength = "8h"\n\n'
    (tmp / "shifts.toml").write_text(shifts)
    off = {}
    for b in banned:
        off.setdefault(b["resource"], set()).add(b["day"])
    rows = ["agent_id,min_hours_week,unavailable"]
    for a in agents:
        # A banned day: its Morning and Afternoon, and the Night starting then.
        ranges = [
            f"2026-03-{2 + d:02d}T06:00/2026-03-{2 + d:02d}T23:00" for d in sorted(off.get(a, ()))
        ]
        rows.append(f"{a},40,{';'.join(ranges)}")
    (tmp / "agents.csv").write_text("\n".join(rows) + "\n")
    (tmp / "rules.toml").write_text(
        "[weights]\nunder = 1000\nover = 0\ncost = 1\n\n[rest]\nmin_between_shifts = \"0h\"\n\n"
        "[preferences]\npreference = 0\nsingle_day_off = 0\nstart_spread = 0\nfairness = 0\nmin_hours = 1000\n"
    )


def run_callboard(tmp, limit):
    binary = ROOT / "target" / "release" / "callboard"
    t0 = time.perf_counter()
    out = subprocess.run(
        [
            str(binary), "roster", "--requirements", str(tmp / "need.csv"),
            "--shifts", str(tmp / "shifts.toml"), "--agents", str(tmp / "agents.csv"),
            "--rules", str(tmp / "rules.toml"), "--time-limit", f"{limit}s",
            "--output", str(tmp / "out"), "--format", "json",
        ],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout), time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=140)
    ap.add_argument("--limit", type=float, default=60)
    ap.add_argument("--scale", type=float, default=1.3, help="head counts x this")
    args = ap.parse_args()
    for s, row in BASE.items():
        REQUIRED[s] = [round(v * args.scale) for v in row]
    peer_venv.ensure("pyworkforce", "callboard-roster-peers-venv", __file__)
    agents, banned = instance(args.agents)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        write_callboard_files(tmp, agents, banned)
        cb, cb_s = run_callboard(tmp, args.limit)
    py, py_s, py_bound = run_pyworkforce(agents, banned, args.limit)
    print(f"pyworkforce MinHoursRoster: {py['status']}, {py['shifted_hours']} h, "
          f"bound {py_bound:.0f}, gap {(py['cost'] - py_bound) / max(py['cost'], 1):.2%}, {py_s:.1f} s")
    print(f"callboard roster --agents:  {cb['solver_status']}, {cb['paid_hours']:.0f} h, "
          f"under {cb['under_agent_hours']:.0f} agent-hours, objective {cb['objective']:.1f}, "
          f"bound {cb['bound']:.1f}, gap {cb['mip_gap']:.2%}, {cb_s:.1f} s")
    print(f"time ratio pyworkforce / callboard: {py_s / cb_s:.1f}x")


if __name__ == "__main__":
    main()
