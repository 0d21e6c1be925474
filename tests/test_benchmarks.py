"""The benchmarks' own code: ratios paired by round and their table, the dense synthetic library,
and the map benchmark's arithmetic (no browser, no timing)."""

import random
import re
from pathlib import Path

import pytest

import graphkit
from benchmarks import map_bench
from benchmarks.__main__ import paired_ratio, table
from benchmarks.dense import DOMAINS, _domains, make_dense_library


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


# --------------------------------------------------------------------------- the dense synthetic library

SCALE = 0.05  # 181 patterns: every figure of the real library, one twentieth of it


@pytest.fixture(scope="module")
def dense(tmp_path_factory) -> tuple[Path, dict, graphkit.Library]:
    root = tmp_path_factory.mktemp("dense")
    counts = make_dense_library(root, SCALE, seed=1)
    return root, counts, graphkit.load_library(root)


def test_the_dense_library_has_the_real_librarys_figures_scaled(dense):
    root, counts, lib = dense
    stats = lib.stats()
    # 3,614 patterns, 17,235 curated and 18,222 inferred relations, 1,248 components (largest 2,296,
    # 1,184 isolated) in the real library; times 0.05, rounded.
    assert (stats["patterns"], stats["edges"], stats["inferred_edges"]) == (181, 862, 911)
    assert (stats["components"], stats["largest_component"], stats["isolated_patterns"]) == (63, 115, 59)
    assert len(list(root.glob("*.md"))) == 181
    # about 5 curated and 5 inferred relations per pattern, as in the real library (4.8 + 5.0)
    assert round(stats["edges"] / stats["patterns"], 1) == 4.8
    assert round(stats["inferred_edges"] / stats["patterns"], 1) == 5.0
    assert counts == {
        "patterns": 181, "curated": 862, "inferred": 911, "dangling": 2, "largest": 115, "isolated": 59,
        "components": 63, "hubs": [66, 53, 49],
    }  # fmt: skip


def test_its_hubs_are_the_alphabetically_first_patterns_and_dwarf_the_rest(dense):
    _, _, lib = dense
    hubs = lib.stats(top=4)["most_connected"]
    first = sorted(lib.graph.nodes)[:3]
    assert [h["slug"] for h in hubs[:3]] == first
    assert [h["degree"] for h in hubs[:3]] == [66, 53, 49]  # 1,328, 1,063 and 971 times 0.05
    assert hubs[3]["degree"] == 29  # the most linked ordinary pattern (117 at scale 1, against 971)


def test_every_file_loads_and_the_only_errors_are_the_intended_dangling_references(dense):
    _, _, lib = dense
    errors = [p for p in lib.problems if p.severity == "error"]
    assert [p.kind for p in errors] == ["dangling-reference"] * 2
    assert all(p.target.startswith("retired-") for p in errors)
    kinds = {p.kind for p in lib.problems if p.severity == "warning"}
    assert kinds == {"one-sided-inverse", "one-sided-symmetric"}


def test_it_writes_every_frontmatter_layout_graphkit_reads(dense):
    root, _, lib = dense
    G = lib.graph
    assert {G.nodes[n]["generation"] for n in G} == {"classic", "v7"}
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.glob("*.md"))]
    assert any(re.search(r"^classification:", t, re.M) for t in texts)
    assert any(re.search(r"^relationships:", t, re.M) for t in texts)
    assert any(
        re.search(r"^  [a-z_]+:\n  - id: \S+\n    weight: ", t, re.M) for t in texts
    )  # {id, weight, description}
    assert any(re.search(r"^  [a-z_]+:\n    [a-z-]+: 0\.\d$", t, re.M) for t in texts)  # {slug: weight}
    assert any(re.search(r"^\s*- (id: )?pat_", t, re.M) for t in texts)  # a TypeID as the target
    edges = list(G.edges(data=True))
    assert any(d.get("weight") is not None and not d["inferred"] for _, _, d in edges)
    assert any(d["inferred"] and d.get("confidence") is not None for _, _, d in edges)
    assert {d["relation"] for _, _, d in edges if d["inferred"]} == {"related", "complementary", "alternatives"}


def test_the_same_scale_and_seed_give_the_same_files(dense, tmp_path):
    root, _, _ = dense
    make_dense_library(tmp_path, SCALE, seed=1)
    ours = {p.name: p.read_bytes() for p in root.glob("*.md")}
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.md")} == ours
    other = tmp_path / "other-seed"
    make_dense_library(other, SCALE, seed=2)
    assert {p.name for p in other.glob("*.md")} != set(ours)


def test_domains_are_skewed_like_the_real_librarys():
    domains = _domains(random.Random(1), 3614)
    sizes = sorted((domains.count(d) for d in DOMAINS), reverse=True)
    assert len(domains) == 3614 and min(sizes) > 0  # all 81 domains
    assert round(sum(sizes[:13]) / 3614, 2) == 0.61  # 14 colours leave 39% grey in the real library


# --------------------------------------------------------------------------- map_bench's arithmetic


def test_map_bench_reports_medians_time_limits_and_what_a_page_cannot_do():
    runs = {
        "graphkit": [
            {"first_draw": 2.0, "choose_hub": 900.0, "page_mb": 2.5},
            {"first_draw": 3.0, "choose_hub": 1500.0, "page_mb": 2.5},
            {"first_draw": 2.5, "choose_hub": {"over": 120.0}, "page_mb": 2.5},
        ],
        "pyvis defaults": [{"page_mb": 2.4, "first_draw": {"over": 120.0}}],
    }
    results = {name: {key: map_bench.summarize(r, key) for key, _, _ in map_bench.ROWS} for name, r in runs.items()}
    rows = {line.split(" | ")[0].lstrip("| "): line for line in map_bench.table(results)[2:]}
    assert map_bench.table(results)[0] == "| | graphkit | pyvis defaults |"
    assert rows["first draw"] == "| first draw | 2.50 s | > 120 s |"
    assert rows["choose the biggest hub"] == "| choose the biggest hub | > 120 s | n/a |"
    assert rows["page size"] == "| page size | 2.5 MB | 2.4 MB |"
    assert len(rows) == len(map_bench.ROWS)
    assert map_bench.gave_up(runs["pyvis defaults"][0]) and not map_bench.gave_up(runs["graphkit"][0])


def test_map_bench_reads_frames_and_process_memory():
    assert map_bench.longest_gap([0.0, 16.7, 33.4, 698.4, 715.1]) == 665.0
    status = "Name:\tchromium\nVmPeak:\t 9000 kB\nVmHWM:\t  512000 kB\nVmRSS:\t  256000 kB\n"
    assert (map_bench.vm_kb(status, "VmHWM"), map_bench.vm_kb(status, "VmRSS")) == (512000, 256000)


def test_map_bench_chooses_a_typical_pattern_then_the_biggest_hub(dense):
    root, _, lib = dense
    (typical_key, typical), (hub_key, hub) = map_bench.choices_of(root)
    assert (typical_key, hub_key) == ("choose_typical", "choose_hub")
    assert hub == lib.graph.nodes[lib.stats(top=1)["most_connected"][0]["slug"]]["title"]
    assert typical != hub


def test_map_bench_writes_pyvis_defaults_with_the_first_draw_hook(dense, tmp_path):
    root, _, _ = dense
    page = tmp_path / "pyvis.html"
    map_bench.write_pyvis_page(root, page)
    text = page.read_text(encoding="utf-8")
    assert "window.gkFirstDraw = performance.now();" in text
    assert text.count("new vis.Network(") == 1
