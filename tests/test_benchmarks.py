"""The benchmark's arithmetic: ratios paired by round, and the table that shows them."""

from benchmarks.__main__ import paired_ratio, table


def result(*runs):
    ordered = sorted(runs)
    return {"seconds": ordered[len(ordered) // 2], "over": None, "peak_mb": 10.0, "runs": list(runs)}


def test_a_ratio_pairs_each_figure_with_its_baseline_of_the_same_round():
    # A slow second round doubles both figures: paired, the ratio stays 1.5.
    floor, build = result(1.0, 2.0, 1.0), result(1.5, 3.0, 1.5)
    assert paired_ratio(build, floor) == 1.5
    # Independent medians would mix rounds: 3.0 / 1.0 here.
    assert paired_ratio(result(1.5, 3.0, 3.0), floor) == 1.5
    assert result(1.5, 3.0, 3.0)["seconds"] / floor["seconds"] == 3.0


def test_a_baseline_run_once_is_compared_by_its_median():
    assert paired_ratio(result(2.0, 4.0, 6.0), result(8.0)) == 0.5


def test_the_table_shows_paired_ratios_and_baselines_over_their_time_limit():
    results = {
        "floor": result(1.0, 2.0, 1.0),
        "build": result(1.5, 3.0, 1.5),
        "first-draw-pyvis": {"seconds": None, "over": 60.0, "peak_mb": 200.0, "runs": [None]},
        "first-draw": result(0.5, 0.6, 0.4),
    }
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table(results)[2:]}
    assert rows["graphkit build, cold"] == "| graphkit build, cold | 1.500 s | 1.50x | floor | 10 MB |"
    assert rows["graphkit page: first draw in Chromium"].split(" | ")[2] == "< 0.008x"
