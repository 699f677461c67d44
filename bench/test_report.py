#!/usr/bin/env python3
"""bench/test_report.py — checks bench/report.py, which turns the benchmark
rows into the published figures: samples sorted by placement, ratios only
from the same rounds and placement, the fastest of a peer group, a table
per placement, and what fails a smoke run (a missing row; any failure but
the timeouts it names). Run by `make bench-smoke`.

    python3 bench/test_report.py
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def row(value, ns, unit="Mmsg/s", **extra):
    return {"value": value, "atomic_rtt_ns": ns, "placement": report.placement_of(ns), "unit": unit, **extra}


def summary_of(samples, bench, param, impl, placement):
    found = [s for s in report.summarize(samples)
             if (s["bench"], s["param"], s["impl"], s["placement"]) == (bench, param, impl, placement)]
    return found[0] if found else None


NEAR, FAR, BUSY = 70, 450, 5000


class Placement(unittest.TestCase):
    def test_threshold_splits_the_measured_clusters(self):
        for ns in (27, 29, 39):
            self.assertEqual(report.placement_of(ns), "sibling", ns)
        for ns in (40, 50, 67, 130, 190, 249):
            self.assertEqual(report.placement_of(ns), "near", ns)
        for ns in (250, 350, 455, 520, 1499):
            self.assertEqual(report.placement_of(ns), "far", ns)
        self.assertEqual(report.placement_of(1500), "busy")


class Ratios(unittest.TestCase):
    def test_ratio_only_from_rounds_where_both_ran_in_that_placement(self):
        # Round 0: sabq near, slot far (the vCPUs moved in between): no pair.
        # Rounds 1 and 2: both far.
        samples = {
            ("spsc throughput", "8B", "sabq"): {0: row(200, NEAR), 1: row(50, FAR), 2: row(60, FAR)},
            ("spsc throughput", "8B", "slot"): {0: row(80, FAR), 1: row(100, FAR), 2: row(100, FAR)},
        }
        far = summary_of(samples, "spsc throughput", "8B", "sabq", "far")
        slot = far["ratios"][0]
        self.assertEqual(slot["vs"], "slot")
        self.assertAlmostEqual(slot["ratio"], 0.55)  # median of 0.5 and 0.6, never 200 / 80
        self.assertEqual(slot["rounds"], 2)
        near = summary_of(samples, "spsc throughput", "8B", "sabq", "near")
        self.assertIsNone(near["ratios"][0]["ratio"], "no slot sample near: no near ratio")

    def test_a_row_measured_against_another_benchmark_pairs_with_its_own_engine(self):
        line, bare = "js interactive stdin line round trip", "js bare main↔worker round trip"
        samples = {
            (line + " (firefox)", "median", "sabq"): {0: row(300, FAR, "ns"), 1: row(500, FAR, "ns")},
            (bare + " (firefox)", "median", "sabq"): {0: row(100, FAR, "ns"), 1: row(100, FAR, "ns")},
            (bare + " (chromium)", "median", "sabq"): {0: row(10, FAR, "ns"), 1: row(10, FAR, "ns")},
            (line, "median", "sabq"): {0: row(90, FAR, "ns")},
        }
        firefox = summary_of(samples, line + " (firefox)", "median", "sabq", "far")
        self.assertEqual(firefox["ratios"][-1]["vs"], "bare round trip")
        self.assertAlmostEqual(firefox["ratios"][-1]["ratio"], 4.0)  # median of 3 and 5, never ÷ chromium's
        self.assertEqual(firefox["ratios"][-1]["rounds"], 2)
        node = summary_of(samples, line, "median", "sabq", "far")
        self.assertIsNone(node["ratios"][-1]["ratio"], "no bare row in Node: no ratio, said so")
        self.assertEqual(node["ratios"][-1]["missing"], ["bare round trip"])

    def test_medians_per_placement_are_kept_apart(self):
        samples = {("spsc throughput", "8B", "slot"): {0: row(160, NEAR), 1: row(60, FAR), 2: row(170, NEAR)}}
        near = summary_of(samples, "spsc throughput", "8B", "slot", "near")
        far = summary_of(samples, "spsc throughput", "8B", "slot", "far")
        self.assertEqual((near["median"], near["runs"]), (165, 2))
        self.assertEqual((far["median"], far["runs"]), (60, 1))
        self.assertEqual(far["atomic_rtt_ns"], FAR)

    def test_group_ratio_is_against_its_fastest_member(self):
        samples = {
            ("spsc throughput", "64B", "sabq"): {0: row(100, FAR)},
            ("spsc throughput", "64B", "slot"): {0: row(80, FAR)},
            ("spsc throughput", "64B", "rwq"): {0: row(125, FAR)},
            ("spsc throughput", "64B", "boost-spsc"): {0: row(90, FAR)},
            ("spsc throughput", "64B", "ck"): {0: row(50, FAR)},
            ("spsc throughput", "64B", "ccq"): {0: row(40, FAR)},
        }
        s = summary_of(samples, "spsc throughput", "64B", "sabq", "far")
        fastest, ck = s["ratios"]
        self.assertEqual((fastest["group"], fastest["vs"]), (["slot", "rwq", "boost-spsc"], "rwq"))
        self.assertAlmostEqual(fastest["ratio"], 0.8)
        self.assertAlmostEqual(ck["ratio"], 2.0)
        self.assertAlmostEqual(s["each"]["ccq"], 2.5)
        self.assertIn("fastest of slot, rwq, boost-spsc (= rwq)", report.ratio_cell(s))

    def test_lower_is_better_divides_by_the_lowest(self):
        samples = {
            ("mpmc throughput", "1x1", "sabq"): {0: row(30, FAR)},
            ("mpmc throughput", "1x1", "wfcq"): {0: row(20, FAR)},
            ("mpmc throughput", "1x1", "boost-queue"): {0: row(40, FAR)},
            ("round trip", "spinning", "sabq-spin"): {0: row(600, FAR, unit="ns")},
            ("round trip", "spinning", "atomic"): {0: row(400, FAR, unit="ns")},
        }
        self.assertAlmostEqual(summary_of(samples, "mpmc throughput", "1x1", "sabq", "far")["ratios"][0]["ratio"], 0.75)
        spin = summary_of(samples, "round trip", "spinning", "sabq-spin", "far")
        self.assertEqual(spin["ratios"][0]["vs"], "atomic")
        self.assertAlmostEqual(spin["ratios"][0]["ratio"], 1.5)

    def test_browser_rows_use_the_same_targets(self):
        samples = {
            ("js worker→worker throughput (firefox)", "8B, 64 KiB", "sabq"): {0: row(3, FAR)},
            ("js worker→worker throughput (firefox)", "8B, 64 KiB", "ringbuf"): {0: row(2, FAR)},
            ("js worker→worker throughput (firefox)", "8B, 64 KiB", "channel"): {0: row(6, FAR)},
        }
        s = summary_of(samples, "js worker→worker throughput (firefox)", "8B, 64 KiB", "sabq", "far")
        self.assertEqual(s["ratios"][0]["vs"], "ringbuf")  # not the (faster, here) channel
        self.assertAlmostEqual(s["ratios"][0]["ratio"], 1.5)

    def test_busy_samples_get_no_ratio(self):
        samples = {
            ("spsc throughput", "8B", "sabq"): {0: row(10, BUSY)},
            ("spsc throughput", "8B", "slot"): {0: row(20, BUSY)},
        }
        self.assertNotIn("ratios", summary_of(samples, "spsc throughput", "8B", "sabq", "busy"))


class Table(unittest.TestCase):
    def test_a_table_per_placement_with_its_probe(self):
        samples = {
            ("spsc throughput", "8B", "sabq"): {0: row(170, 67), 1: row(50, 455)},
            ("spsc throughput", "8B", "slot"): {0: row(160, 66), 1: row(66, 460)},
        }
        md = report.table(report.summarize(samples), [], "a CPU")
        near_at = md.index("### Near placement: bare atomic round trip from 40 ns up to 250 ns")
        far_at = md.index("### Far placement: bare atomic round trip from 250 ns up to 1,500 ns")
        self.assertLess(near_at, far_at)
        near, far = md[near_at:far_at], md[far_at:]
        self.assertIn("| spsc throughput | 8B | sabq | 170 | 170–170 | 1 | Mmsg/s | 67 ns | **1.06×**", near)
        self.assertIn("| spsc throughput | 8B | sabq | 50 | 50–50 | 1 | Mmsg/s | 455 ns | **0.76×**", far)
        self.assertNotIn("455 ns", near)
        self.assertNotIn("67 ns", far)
        self.assertNotIn("### Busy", md)
        self.assertIn("near in 2, far in 2", md)

    def test_one_placement_only_gives_one_table(self):
        samples = {("spsc throughput", "8B", "slot"): {0: row(60, FAR), 1: row(66, FAR)}}
        md = report.table(report.summarize(samples), [], "a CPU")
        self.assertEqual(md.count("### "), 1)
        self.assertIn("### Far placement", md)

    def test_failures_are_listed_with_what_was_tolerated(self):
        failures = [{"argv": "mpmc_tput ck 4 4", "error": "did not finish in 15 s", "tolerated": "why"},
                    {"argv": "spsc_tput rwq 8", "error": "exit 1: boom"}]
        md = report.table([], failures, "a CPU")
        self.assertIn("| mpmc_tput ck 4 4 | did not finish in 15 s (tolerated: why) |", md)
        self.assertIn("| spsc_tput rwq 8 | exit 1: boom |", md)

    def test_copy_bound_rows_show_gigabytes_and_memcpy(self):
        samples = {("spsc throughput", "1024B", "slot"): {0: row(4.0, FAR, memcpy_gbs=120.0, memcpy_ring_gbs=45.0)}}
        s = summary_of(samples, "spsc throughput", "1024B", "slot", "far")
        self.assertIn("4.1 GB/s; memcpy of 1024 B here: 120 GB/s in cache, 45 through ring-sized arrays",
                      report.notes_cell(s))


class MissingRows(unittest.TestCase):
    def complete(self):
        keys = [("spsc throughput", "8B", i) for i in ("sabq", "slot", "rwq", "boost-spsc", "ck")]
        keys += [("mpmc throughput", "4x4", i) for i in ("sabq", "wfcq", "boost-queue")]  # ck may not finish
        for engine in ("chromium", "firefox"):
            keys += [(f"js worker→worker throughput ({engine})", "8B, 64 KiB", i) for i in ("sabq", "ringbuf")]
        return {k: {0: row(1, FAR)} for k in keys}

    def test_a_complete_run_misses_nothing(self):
        self.assertEqual(report.missing_rows(self.complete()), [])

    def test_a_missing_target_peer_is_reported(self):
        samples = self.complete()
        del samples[("spsc throughput", "8B", "rwq")]
        self.assertEqual(report.missing_rows(samples), ["spsc throughput 8B: no rwq row"])

    def test_a_row_in_one_browser_only_is_reported(self):
        samples = self.complete()
        samples[("js worker↔worker round trip (chromium)", "8B, 64 KiB", "sabq")] = {0: row(1, FAR)}
        samples[("js worker↔worker round trip (chromium)", "8B, 64 KiB", "ringbuf")] = {0: row(1, FAR)}
        problems = report.missing_rows(samples)
        self.assertIn("js worker↔worker round trip 8B, 64 KiB sabq: in chromium, not in firefox", problems)
        self.assertEqual(len(problems), 2)

    def test_a_missing_browser_is_reported(self):
        samples = {k: v for k, v in self.complete().items() if "firefox" not in k[0]}
        self.assertIn("no firefox rows at all", report.missing_rows(samples))


class Smoke(unittest.TestCase):
    def test_only_the_named_timeouts_are_tolerated(self):
        timeout = {"argv": "mpmc_tput ck 4 4", "error": "did not finish in 20 s"}
        self.assertEqual(report.smoke_problems([timeout], []), [])
        self.assertTrue(report.tolerated(timeout))

    def test_a_crash_of_a_tolerated_measurement_fails(self):
        crash = {"argv": "mpmc_tput ck 4 4", "error": "exit -11: "}
        self.assertEqual(report.smoke_problems([crash], []), ["mpmc_tput ck 4 4: exit -11: "])

    def test_a_timeout_of_anything_else_fails(self):
        for argv in ("mpmc_tput ck 1 1", "mpmc_tput sabq 4 4", "spsc_tput ck 8", "browser-bench.mjs firefox"):
            failure = {"argv": argv, "error": "did not finish in 20 s"}
            self.assertEqual(report.smoke_problems([failure], []), [f"{argv}: did not finish in 20 s"])

    def test_every_tolerated_name_is_a_real_measurement(self):
        # A name run.py never produces would tolerate nothing and hide nothing:
        # catch the typo that once made a tolerance pattern unable to match.
        import run
        names = {run.name_of(argv) for argv in run.configs("build/bench")}
        self.assertLessEqual(set(report.MAY_TIME_OUT), names)

    def test_a_missing_row_fails(self):
        self.assertEqual(report.smoke_problems([], ["no firefox rows at all"]), ["missing row: no firefox rows at all"])


if __name__ == "__main__":
    unittest.main()
