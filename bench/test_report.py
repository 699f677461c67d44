#!/usr/bin/env python3
"""bench/test_report.py — checks bench/report.py, which turns the benchmark
rows into the published figures: samples sorted by placement, ratios only
from the same rounds and placement, the fastest of a peer group, and the
missing-row checks of the smoke run. Run by `make bench-smoke`.

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
        for ns in (50, 67, 130, 190, 249):
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
    def test_both_placements_appear_with_their_probe(self):
        samples = {
            ("spsc throughput", "8B", "sabq"): {0: row(170, 67), 1: row(50, 455)},
            ("spsc throughput", "8B", "slot"): {0: row(160, 66), 1: row(66, 460)},
        }
        md = report.table(report.summarize(samples), [], "a CPU")
        self.assertIn("| spsc throughput | 8B | near, 67 ns | sabq |", md)
        self.assertIn("| spsc throughput | 8B | far, 455 ns | sabq |", md)
        self.assertIn("near in 2, far in 2", md)

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


if __name__ == "__main__":
    unittest.main()
