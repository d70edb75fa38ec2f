#!/usr/bin/env python3
"""Side-by-side: callboard's forecast backtest versus statsforecast on real arrivals.

    python3 benches/peers/forecast_peers.py      # needs target/release/callboard

Installs statsforecast from PyPI into a venv outside the repository
(~/.cache/callboard-forecast-peers-venv) unless the running Python already has it.
The series: the bank's 164 weekdays of five-minute arrivals in
../shared/data/real/bank-calls-2003-5min, summed into half hours (29 a day:
07:00-21:00 and the lone 21:00-21:05), weekdays only, as one regular series
(seasons 29 = a day, 145 = a week of five days). Origins: the last 8 weeks, each
forecasting its own week (5 days, the last 4) from everything before, exactly as
callboard's weekly backtest does. Scores pooled over all 1 131 half hours:
WAPE = sum|a-f| / sum a, bias = sum(f-a) / sum a. Times are whole fits over all
origins. Not run by CI.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer_venv  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "real" / "bank-calls-2003-5min" / "calls_5min.csv"


def main():
    peer_venv.ensure("statsforecast", "callboard-forecast-peers-venv", __file__)
    import numpy as np
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import (
        AutoETS,
        AutoTheta,
        MSTL,
        SeasonalNaive,
        SeasonalWindowAverage,
    )

    raw = pd.read_csv(DATA)
    raw["half"] = raw["slot"] // 6
    days = raw.groupby(["day_index", "half"])["calls"].sum().unstack().sort_index()
    y = days.to_numpy().ravel()  # day-major, 29 a day
    per_day, ndays = days.shape[1], days.shape[0]
    assert per_day == 29 and ndays == 164
    # Origins: the last 8 weeks of 5 weekdays (164 = 32 x 5 + 4).
    starts = [160 - 5 * k for k in range(7, -1, -1)]
    models = {
        "SeasonalNaive (week)": lambda: SeasonalNaive(season_length=145),
        "same slot, mean of 4 weeks": lambda: SeasonalWindowAverage(season_length=145, window_size=4),
        "same slot, mean of 8 weeks": lambda: SeasonalWindowAverage(season_length=145, window_size=8),
        "AutoETS (season 29)": lambda: AutoETS(season_length=29),
        "AutoTheta (season 29)": lambda: AutoTheta(season_length=29),
        "MSTL (29, 145) + AutoETS trend": lambda: MSTL(season_length=[29, 145], trend_forecaster=AutoETS(model="ZZN")),
    }
    rows = []
    for name, make in models.items():
        err = signed = act = 0.0
        t0 = time.perf_counter()
        for s in starts:
            end = min(s + 5, ndays)
            h = (end - s) * per_day
            train = pd.DataFrame({"unique_id": "bank", "ds": np.arange(s * per_day), "y": y[: s * per_day]})
            sf = StatsForecast(models=[make()], freq=1, n_jobs=1)
            fc = sf.forecast(df=train, h=h)
            f = np.clip(fc.iloc[:, -1].to_numpy(), 0, None)
            a = y[s * per_day : end * per_day]
            err += np.abs(a - f).sum()
            signed += (f - a).sum()
            act += a.sum()
        rows.append((name, err / act, signed / act, time.perf_counter() - t0))
    # callboard: the whole command, whose auto choice backtests eight methods from
    # 16 weekly origins (the later 8 the same as above; the earlier 8 replay the
    # choice and the bands out of sample); its summary prints every candidate's
    # WAPE and the honest auto score.
    hist = Path(os.environ.get("TMPDIR", "/tmp")) / "callboard-bank-history.csv"
    hist.write_text("interval_start,calls\n" + "".join(
        f"{r.interval_start},{r.calls}\n" for r in raw.itertuples()))
    exe = ROOT / "target" / "release" / "callboard"
    t0 = time.perf_counter()
    out = subprocess.run([str(exe), "forecast", "--history", str(hist), "--horizon", "7d"],
                         check=True, capture_output=True, text=True).stdout
    cb_time = time.perf_counter() - t0
    print("| model | WAPE | bias | time s |\n|---|---:|---:|---:|")
    for name, w, b, t in rows:
        print(f"| statsforecast {name} | {w * 100:.2f} % | {b * 100:+.2f} % | {t:.2} |")
    print(f"\ncallboard forecast (whole command, eight methods backtested): {cb_time:.2f} s")
    print(out)


if __name__ == "__main__":
    main()
