"""bench/report.py — from the rows bench/run.py collected to the figures it
reports: each sample sorted by the placement its process measured, medians
per placement, and every sabq ratio computed from samples of the same rounds
and the same placement only, so a run whose vCPUs moved between rounds never
averages two regimes into one figure. Also the checks that make a smoke run
fail on a missing row. Standard library only.

Placement. Every benchmark process measures the bare round trip of one cache
line between its two threads (pinned as the measured ones, or the measured
pair of workers) right before it measures, and prints it with each row as
atomic_rtt_ns (bench/native/harness.h, bench/js/atomic-probe.mjs). On the
AMD EPYC VMs this was tuned on, the two vCPUs were either close (60-130 ns in
C, 50-190 ns from JS) or far apart (350-460 ns in C, 430-520 ns from JS),
depending on where the hypervisor put them that day, or that hour; and once
(2026-12-08) on the two hyperthreads of one core (27-29 ns in C), where the
two threads share a core's L1 cache and execution units, so a queue's speed is
bound by the instructions both threads run, not by line transfers.
"""
import re
import statistics

# A sample is "sibling" (two hyperthreads of one core) below this many
# nanoseconds: 1.4x the figures seen there (27-29 ns in C), 0.67x the fastest
# near figure from C (60 ns) and 0.8x from JS (50 ns).
SIBLING_BELOW_NS = 40
# A sample is "near" below this many nanoseconds, "far" from it up to
# BUSY_FROM_NS. 250 ns lies between the two clusters with room on both sides:
# 1.3x the slowest near figure seen (190 ns, Chromium), 0.7x the fastest far
# one (350 ns). docs/benchmarks.md.in says the same.
NEAR_BELOW_NS = 250
# Above this the two threads were not running at once (the machine was busy,
# or one thread lost its CPU): no placement can be read from it, and its
# samples are kept apart from both.
BUSY_FROM_NS = 1500
PLACEMENTS = ("sibling", "near", "far", "busy")

LOWER_IS_BETTER = {"ns", "% of a core"}

# The peer groups a sabq row is divided by, as issue 15's targets name them:
# each ratio is sabq ÷ the fastest member of the group. Benchmarks not named
# here are divided by their fastest peer of any kind.
TARGETS = {
    ("spsc throughput", None): (("slot", "rwq", "boost-spsc"), ("ck",)),
    ("mpmc throughput", None): (("wfcq", "boost-queue"), ("ck",)),
    # Round trips: the physical limit; spinning also against two slot rings,
    # what any design of two rings can do (bench/native/pingpong.c).
    ("round trip", "spinning"): (("atomic",), ("slot",)),
    ("round trip", "parked"): (("futex",),),
    # Issue 16's: ringbuf.js for the worker rings, in Node and every browser.
    ("js worker→worker throughput", None): (("ringbuf",),),
    ("js worker↔worker round trip", None): (("ringbuf",),),
}
# Rows measured against another benchmark's row rather than a peer of their
# own: (that benchmark, its impl, the name the ratio column gives it), paired
# with the row of the same param in the same engine, rounds and placement.
# Issue 16: a line to an interactive plugin and back costs at most 2x the
# bare main<->worker round trip, timed the same way (bench/js/host-core.mjs).
REFERENCES = {
    "js interactive stdin line round trip": ("js bare main↔worker round trip", "sabq", "bare round trip"),
}
# Peers reported with a ratio of their own in the notes besides the groups'
# members: moodycamel's ConcurrentQueue, whose contract differs (unbounded,
# FIFO per producer only), so no target names it; a MessageChannel.
NOTED_PEERS = ("ccq", "channel")


def placement_of(ns):
    if ns < SIBLING_BELOW_NS:
        return "sibling"
    if ns < NEAR_BELOW_NS:
        return "near"
    return "far" if ns < BUSY_FROM_NS else "busy"


def base_bench(bench):
    """The benchmark without the browser it ran in: "js ... (firefox)" -> "js ..."."""
    return re.sub(r" \((chromium|firefox)\)$", "", bench)


def is_sabq(impl):
    return impl.startswith("sabq")


def peer_groups(bench, param, impls):
    groups = TARGETS.get((base_bench(bench), param)) or TARGETS.get((base_bench(bench), None))
    if groups:
        return groups
    peers = tuple(i for i in impls if not is_sabq(i))
    return (peers,) if peers else ()


def paired(s_rounds, p_rounds, placement):
    """sabq ÷ peer over the rounds where both ran in `placement`: the median
    of the per-round ratios, and how many rounds that is."""
    ratios = [s_rounds[r]["value"] / p_rounds[r]["value"] for r in s_rounds
              if r in p_rounds and s_rounds[r]["placement"] == placement
              and p_rounds[r]["placement"] == placement and p_rounds[r]["value"]]
    return (statistics.median(ratios), len(ratios)) if ratios else (None, 0)


def summarize(samples):
    """samples: {(bench, param, impl): {round: row}}, rows with "placement"
    -> one summary dict per (bench, param, impl, placement) that occurred."""
    out = []
    for (bench, param, impl), rounds in samples.items():
        for pl in PLACEMENTS:
            rows = [r for r in rounds.values() if r["placement"] == pl]
            if not rows:
                continue
            values = [r["value"] for r in rows]
            s = {"bench": bench, "param": param, "impl": impl, "placement": pl, "unit": rows[0]["unit"],
                 "median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values),
                 "atomic_rtt_ns": statistics.median(r["atomic_rtt_ns"] for r in rows)}
            for extra in ("p99", "gap_p99_us", "gap_max_us", "memcpy_gbs", "memcpy_ring_gbs"):
                if all(extra in r for r in rows):
                    s[extra] = statistics.median(r[extra] for r in rows)
                    if extra == "gap_max_us":
                        s["gap_max_us_worst"] = max(r[extra] for r in rows)
            out.append(s)
    for s in out:
        # A busy sample says how busy the machine was, not how fast a queue is.
        if is_sabq(s["impl"]) and s["placement"] != "busy":
            add_ratios(s, samples)
    return out


def add_ratios(s, samples):
    """s["ratios"]: one per peer group, sabq ÷ the group's fastest member in
    the same rounds and placement; s["each"]: sabq ÷ each peer so named."""
    impls = [i for (b, p, i) in samples if b == s["bench"] and p == s["param"]]
    mine = samples[(s["bench"], s["param"], s["impl"])]
    lower = s["unit"] in LOWER_IS_BETTER
    s["ratios"], s["each"] = [], {}
    for group in peer_groups(s["bench"], s["param"], impls):
        per_peer = {}
        for peer in group:
            theirs = samples.get((s["bench"], s["param"], peer))
            ratio, n = paired(mine, theirs, s["placement"]) if theirs else (None, 0)
            if ratio is not None:
                per_peer[peer] = (ratio, n)
        # The fastest peer is the one sabq compares worst with.
        worst = (max if lower else min)(per_peer, key=lambda p: per_peer[p][0]) if per_peer else None
        s["ratios"].append({"group": list(group), "vs": worst,
                            "ratio": per_peer[worst][0] if worst else None,
                            "rounds": per_peer[worst][1] if worst else 0,
                            "missing": [p for p in group if p not in per_peer]})
        if len(group) > 1:
            s["each"].update({p: r for p, (r, _) in per_peer.items()})
    ref = REFERENCES.get(base_bench(s["bench"]))
    if ref:
        ref_bench, ref_impl, label = ref
        engine = s["bench"][len(base_bench(s["bench"])):]  # " (chromium)", or "" in Node
        theirs = samples.get((ref_bench + engine, s["param"], ref_impl))
        ratio, n = paired(mine, theirs, s["placement"]) if theirs else (None, 0)
        s["ratios"].append({"group": [label], "vs": label if ratio is not None else None, "ratio": ratio,
                            "rounds": n, "missing": [] if ratio is not None else [label]})
    for peer in NOTED_PEERS:
        theirs = samples.get((s["bench"], s["param"], peer))
        ratio, _ = paired(mine, theirs, s["placement"]) if theirs else (None, 0)
        if ratio is not None:
            s["each"][peer] = ratio


def fmt(v):
    return f"{v:.3g}" if v < 1000 else f"{v:,.0f}"


def ratio_cell(s):
    parts = []
    for g in s.get("ratios", []):
        name = g["group"][0] if len(g["group"]) == 1 else "fastest of " + ", ".join(g["group"])
        if g["ratio"] is None:
            parts.append(f"— {name}: no peer sample in the same rounds and placement")
            continue
        which = f" (= {g['vs']})" if len(g["group"]) > 1 else ""
        missing = f"; without {', '.join(g['missing'])}: no sample" if g["missing"] else ""
        rounds = f"{g['rounds']} round{'s' if g['rounds'] != 1 else ''}"
        parts.append(f"**{g['ratio']:.2f}×** {name}{which}, {rounds}{missing}")
    return "<br>".join(parts)


def notes_cell(s):
    notes = []
    if s.get("each"):
        notes.append(", ".join(f"{r:.2f}× {p}" for p, r in s["each"].items()))
    if "p99" in s:
        notes.append(f"p99 {fmt(s['p99'])} ns")
    if "gap_max_us" in s:
        notes.append(f"stall p99 {s['gap_p99_us']:.0f} µs, max {s['gap_max_us_worst']:,.0f} µs")
    if "memcpy_gbs" in s and s["unit"] == "Mmsg/s":
        size = int(s["param"].rstrip("B"))
        ring = f", {s['memcpy_ring_gbs']:.3g} through ring-sized arrays" if "memcpy_ring_gbs" in s else ""
        notes.append(f"{s['median'] * size / 1e3:.3g} GB/s; memcpy of {size} B here: "
                     f"{s['memcpy_gbs']:.3g} GB/s in cache{ring}")
    return "; ".join(notes)


PLACEMENT_TITLES = {
    "sibling": (f"Sibling placement (two hyperthreads of one core): bare atomic round trip below "
                f"{SIBLING_BELOW_NS} ns"),
    "near": f"Near placement: bare atomic round trip from {SIBLING_BELOW_NS} ns up to {NEAR_BELOW_NS} ns",
    "far": f"Far placement: bare atomic round trip from {NEAR_BELOW_NS} ns up to {BUSY_FROM_NS:,} ns",
    "busy": (f"Busy: bare atomic round trip from {BUSY_FROM_NS:,} ns (the two threads did not run at once; "
             f"listed, no ratio)"),
}


def placement_line(summary):
    counts = {pl: sum(s["runs"] for s in summary if s["placement"] == pl) for pl in PLACEMENTS}
    seen = ", ".join(f"{pl} in {n}" for pl, n in counts.items() if n) or "none"
    return (f"Placement of each sample, from the bare atomic round trip between its own two threads "
            f"measured right before it: sibling (two hyperthreads of one core) below {SIBLING_BELOW_NS} ns, "
            f"near below {NEAR_BELOW_NS} ns, far from {NEAR_BELOW_NS} ns, "
            f"busy (the threads did not run at once) from {BUSY_FROM_NS:,} ns. Samples: {seen}.")


def placement_table(summary, placement):
    """The rows of one placement, in the order the benchmarks ran; the probe
    column is the median bare round trip of that row's own samples."""
    lines = ["| benchmark | param | impl | median | min–max | n | unit | atomic round trip "
             "| sabq ÷ peers, same rounds and placement | notes |",
             "|---|---|---|---:|---:|---:|---|---:|---|---|"]
    for s in summary:
        if s["placement"] != placement:
            continue
        lines.append(f"| {s['bench']} | {s['param']} | {s['impl']} | {fmt(s['median'])} "
                     f"| {fmt(s['min'])}–{fmt(s['max'])} | {s['runs']} | {s['unit']} | {s['atomic_rtt_ns']:.0f} ns "
                     f"| {ratio_cell(s)} | {notes_cell(s)} |")
    return lines


def table(summary, failures, cpu):
    """Markdown: one table per placement that occurred (sibling, near, far, then busy),
    so a run that saw both shows both, and the measurements that failed."""
    lines = [f"Every figure below: {cpu}.", "", placement_line(summary)]
    for pl in PLACEMENTS:
        if any(s["placement"] == pl for s in summary):
            lines += ["", f"### {PLACEMENT_TITLES[pl]}", ""] + placement_table(summary, pl)
    if failures:
        lines += ["", "### Measurements that failed", "", "| measurement | error |", "|---|---|"]
        lines += [f"| {f['argv']} | {f['error']}{' (tolerated: ' + f['tolerated'] + ')' if f.get('tolerated') else ''} |"
                  for f in failures]
    return "\n".join(lines)


# The only failures a smoke run accepts, each by its exact measurement name
# and only as a timeout: ck_ring's MPMC with more threads than this 2-CPU
# machine has may never finish (a producer preempted between claiming a slot
# and filling it holds up every consumer; the full run's table says "did not
# finish"), and a peer whose appends are quadratic. Any other error of these,
# or any failure of anything else, fails.
MAY_TIME_OUT = {
    "mpmc_tput ck 2 2": "ck_ring MPMC, 4 threads: a preempted producer blocks the consumers",
    "mpmc_tput ck 4 4": "ck_ring MPMC, 8 threads: a preempted producer blocks the consumers",
    # @bjorn3/browser_wasi_shim's OpenFile.fd_write past the end allocates a
    # new array of exactly the new size and copies the file into it: 100 MB
    # in 4 KiB writes copies about 1.3 TB.
    "files-bench.mjs append shim": "browser_wasi_shim copies the whole file on every append (quadratic)",
}
TIMEOUT_ERROR = "did not finish in "


def tolerated(failure):
    """Why `failure` ({"argv", "error"}) is accepted, or None when it is not."""
    if failure["error"].startswith(TIMEOUT_ERROR):
        return MAY_TIME_OUT.get(failure["argv"])
    return None


def smoke_problems(failures, missing):
    """What fails a smoke run: every failure not tolerated, every missing row."""
    return ([f"{f['argv']}: {f['error']}" for f in failures if not tolerated(f)]
            + [f"missing row: {m}" for m in missing])


def missing_rows(samples):
    """What a complete run has and this one lacks: a peer that a ratio
    column names, for every group with a sabq row (ck_ring's MPMC excepted:
    it may not finish at all, and the table says so); the same JS rows in
    every browser."""
    problems = []
    groups = {}
    for (bench, param, impl) in samples:
        groups.setdefault((bench, param), set()).add(impl)
    for (bench, param), impls in groups.items():
        if not any(is_sabq(i) for i in impls):
            continue
        for group in peer_groups(bench, param, impls):
            for peer in group:
                if peer not in impls and not (base_bench(bench) == "mpmc throughput" and peer == "ck"):
                    problems.append(f"{bench} {param}: no {peer} row")
    by_engine = {}
    for (bench, param, impl) in samples:
        m = re.search(r" \((chromium|firefox)\)$", bench)
        if m:
            by_engine.setdefault(m.group(1), set()).add((base_bench(bench), param, impl))
    for engine in ("chromium", "firefox"):
        if engine not in by_engine:
            problems.append(f"no {engine} rows at all")
    if len(by_engine) == 2:
        for a, b in (("chromium", "firefox"), ("firefox", "chromium")):
            for bench, param, impl in sorted(by_engine[a] - by_engine[b]):
                problems.append(f"{bench} {param} {impl}: in {a}, not in {b}")
    return problems
