"""The benchmark's pure parts around a run: the summary against the issue's targets, the
latency phase's arithmetic for mentions still waiting, how far a cut-short phase got, and the
profile's own/total time per function."""

from uuid import uuid4

from benchmarks.latency import latencies_ms, oldest_wait_s
from benchmarks.measures import Through, percentile
from benchmarks.stacks import Hotspot, hotspots, parse, report
from benchmarks.summary import Row, render, row, rows


def full_report(**changes: object) -> dict[str, object]:
    found: dict[str, object] = {
        "n": {"rate": 200.0, "duration": 60.0},
        "incomplete": {},
        "bare_4hop_per_s": 2000.0,
        "drain_lexicon_per_s": 1200.0,
        "drain_ratio": 0.6,
        "drain_encoder_per_s": 90.0,
        "ingest_accept_per_s": 2500.0,
        "import_rows_per_s": 1500.0,
        "e2e_ms": {"p50": 150.0, "p99": 900.0, "rate": 200.0, "stopped_early": False, "unseen": 0},
        "encoder_per_s_per_core": 80.0,
        "cpu_s_per_1k": {"ingest": 1.5, "responder": 3.25},
        "rss_mib": {"idle": {"kafka": 450.0}, "loaded": {"kafka": 500.0}},
    }
    return found | changes


def met(report: dict[str, object]) -> dict[str, str]:
    return {r.figure: r.met for r in rows(report)}


class TestSummary:
    def test_a_run_that_meets_every_target_says_so_for_each(self) -> None:
        found = met(full_report())
        targeted = ["drain_ratio", "ingest_accept_per_s", "import_rows_per_s", "e2e_ms.p99"]
        assert [found[figure] for figure in targeted] == ["yes"] * 4
        assert found["encoder_per_s_per_core"] == "yes"

    def test_figures_without_a_target_have_no_verdict(self) -> None:
        found = met(full_report())
        assert found["bare_4hop_per_s"] == found["e2e_ms.p50"] == found["cpu_s_per_1k.ingest"] == ""

    def test_each_threshold_is_the_issues(self) -> None:
        assert row(full_report(drain_ratio=0.49), "drain_ratio").met == "no"
        assert row(full_report(drain_ratio=0.5), "drain_ratio").met == "yes"
        assert row(full_report(ingest_accept_per_s=1999.9), "ingest_accept_per_s").met == "no"
        assert row(full_report(import_rows_per_s=999.0), "import_rows_per_s").met == "no"
        assert row(full_report(encoder_per_s_per_core=76.1), "encoder_per_s_per_core").met == "no"
        assert row(full_report(encoder_per_s_per_core=76.2), "encoder_per_s_per_core").met == "yes"

    def test_p99_counts_only_at_200_per_s_for_60_s_with_every_case_seen(self) -> None:
        fast = {"p50": 10.0, "p99": 20.0, "rate": 200.0, "stopped_early": False, "unseen": 0}
        assert row(full_report(e2e_ms=fast), "e2e_ms.p99").met == "yes"
        assert row(full_report(e2e_ms=fast | {"p99": 2000.0}), "e2e_ms.p99").met == "no"
        assert row(full_report(e2e_ms=fast | {"rate": 20.0}), "e2e_ms.p99").met == "no"
        assert row(full_report(e2e_ms=fast | {"stopped_early": True}), "e2e_ms.p99").met == "no"
        assert row(full_report(e2e_ms=fast | {"unseen": 3}), "e2e_ms.p99").met == "no"
        short = full_report(e2e_ms=fast, n={"rate": 200.0, "duration": 15.0})
        assert row(short, "e2e_ms.p99").met == "no"

    def test_a_figure_not_measured_misses_its_target_and_shows_why(self) -> None:
        found = full_report(incomplete={"import_rows_per_s": "failed: RuntimeError: refused"})
        del found["import_rows_per_s"]
        assert row(found, "import_rows_per_s") == Row(
            "import_rows_per_s", "not measured", "≥ 1,000", "no", "failed: RuntimeError: refused"
        )

    def test_the_ratio_and_percentiles_carry_their_phases_note(self) -> None:
        found = full_report(
            incomplete={"drain_lexicon_per_s": "3,000 of 10,000", "e2e_ms": "stopped"}
        )
        assert row(found, "drain_ratio").note == "3,000 of 10,000"
        assert row(found, "e2e_ms.p99").note == "stopped"

    def test_every_process_gets_a_row_per_per_process_figure(self) -> None:
        figures = [r.figure for r in rows(full_report())]
        assert {"cpu_s_per_1k.ingest", "cpu_s_per_1k.responder"} <= set(figures)
        assert {"rss_mib.idle.kafka", "rss_mib.loaded.kafka"} <= set(figures)

    def test_values_show_small_ratios_to_four_digits_and_rates_to_one_decimal(self) -> None:
        assert row(full_report(drain_ratio=0.01234), "drain_ratio").value == "0.01234"
        assert row(full_report(bare_4hop_per_s=1925.14), "bare_4hop_per_s").value == "1,925.1"

    def test_the_table_has_a_header_and_aligned_columns(self) -> None:
        table = rows(full_report())
        lines = render(table).splitlines()
        assert lines[0].split() == ["figure", "value", "target", "met?", "note"]
        value_ends = {
            line.index(r.value, len(r.figure)) + len(r.value)
            for line, r in zip(lines[1:], table, strict=True)
        }
        assert len(value_ends) == 1


class TestLatency:
    def test_the_oldest_wait_is_of_the_longest_accepted_mention_without_a_case(self) -> None:
        early, late, done = uuid4(), uuid4(), uuid4()
        accepted = {done: 0.0, early: 1.0, late: 5.0}
        assert oldest_wait_s(accepted, {done: 0.5}, now=12.0) == 11.0
        assert oldest_wait_s(accepted, {done: 0.5, early: 2.0, late: 6.0}, now=12.0) == 0.0

    def test_a_mention_without_a_case_counts_its_wait_so_far(self) -> None:
        seen, unseen = uuid4(), uuid4()
        found = latencies_ms({seen: 1.0, unseen: 2.0}, {seen: 1.25}, now=4.0)
        assert sorted(found) == [250.0, 2000.0]

    def test_p99_of_a_run_with_unseen_mentions_is_at_least_their_wait(self) -> None:
        accepted = {uuid4(): float(i) for i in range(100)}
        visible = {m: at + 0.1 for m, at in list(accepted.items())[:98]}
        found = latencies_ms(accepted, visible, now=130.0)
        assert percentile(found, 0.99) >= 130_000 - 99_000


class TestCutShort:
    def test_a_drain_that_ran_out_of_time_counts_only_what_went_through(self) -> None:
        drained = Through(10_000, 2_500, 125.0, "mentions")
        assert drained.per_s == 20.0
        assert drained.shortfall == "2,500 of 10,000 mentions when 125 s ran out"

    def test_a_phase_that_got_everything_through_has_no_shortfall(self) -> None:
        assert Through(100, 100, 2.0, "mentions").shortfall is None

    def test_an_import_that_ran_out_of_time_says_how_many_rows_it_processed(self) -> None:
        imported = Through(10_000, 4_000, 90.0, "rows processed")
        assert imported.shortfall == "4,000 of 10,000 rows processed when 90 s ran out"


COLLAPSED = """\
<module> (run.py);main (run.py);handle (responder/handlers.py);encode (bson.py) 30
<module> (run.py);main (run.py);handle (responder/handlers.py) 10
<module> (run.py);main (run.py);walk (w.py);walk (w.py);walk (w.py) 5
not a stack line
"""


class TestStacks:
    def test_parse_reads_each_stack_and_its_samples_and_skips_other_lines(self) -> None:
        stacks = parse(COLLAPSED)
        assert [s.samples for s in stacks] == [30, 10, 5]
        assert stacks[0].frames[-1] == "encode (bson.py)"

    def test_own_time_is_the_innermost_frame_and_total_counts_a_stack_once(self) -> None:
        found = {h.function: h for h in hotspots(parse(COLLAPSED))}
        assert found["encode (bson.py)"] == Hotspot("encode (bson.py)", 30, 30)
        assert found["handle (responder/handlers.py)"] == Hotspot(
            "handle (responder/handlers.py)", 10, 40
        )
        assert found["walk (w.py)"] == Hotspot("walk (w.py)", 5, 5)
        assert found["main (run.py)"] == Hotspot("main (run.py)", 0, 45)

    def test_hotspots_come_most_own_time_first(self) -> None:
        order = [h.function for h in hotspots(parse(COLLAPSED))]
        assert order[:3] == ["encode (bson.py)", "handle (responder/handlers.py)", "walk (w.py)"]

    def test_the_report_gives_busy_seconds_and_shares_of_the_top_functions(self) -> None:
        text = report("responder", parse(COLLAPSED), rate_hz=50, top=2).splitlines()
        assert text[0] == "responder: 45 busy samples at 50 Hz ≈ 0.9 s busy"
        assert text[2].split() == ["0.6", "66.7", "66.7", "encode", "(bson.py)"]
        assert text[3].split()[-2:] == ["handle", "(responder/handlers.py)"]

    def test_the_report_then_ranks_rapports_own_code_by_total_time(self) -> None:
        text = report("responder", parse(COLLAPSED), rate_hz=50, top=2).splitlines()
        assert text[4].endswith("function (Rapport's code by total time)")
        assert text[5].split() == ["0.2", "22.2", "88.9", "handle", "(responder/handlers.py)"]
        assert len(text) == 6

    def test_a_process_never_busy_reports_just_that(self) -> None:
        assert report("loyalty", [], rate_hz=50) == "loyalty: 0 busy samples at 50 Hz ≈ 0.0 s busy"
