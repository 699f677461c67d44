#!/usr/bin/env python3
"""bench/run.py — runs every benchmark several times, interleaved (each round
measures every implementation once, so a noisy moment hits all of them), and
reports medians with min–max per core placement, and each sabq figure as a
ratio to the peers its targets name, from samples of the same rounds and the
same placement (bench/report.py).

    python3 bench/run.py BIN_DIR [--runs N] [--scale S] [--smoke] [--docs] [--only A,B]

Writes build/bench/results.json and build/bench/table.md, prints the table;
with --docs also docs/benchmarks.md and docs/benchmarks.svg (plot.py).
--smoke runs everything once with tiny counts and fails on any missing row
and on any error but the timeouts bench/report.py's MAY_TIME_OUT names. --only runs just the measurements whose command line
contains one of the comma-separated strings ("spsc_tput sabq 8", "firefox"),
for A/B runs; it skips the missing-row check. Standard library only.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SPSC_QUEUES = ("sabq", "sabq-fixed", "sabq-batch", "sabq-fixed-batch", "ck", "slot", "boost-spsc", "rwq", "ccq")
MPMC_QUEUES = ("sabq", "ck", "wfcq", "boost-queue", "ccq", "mutex")
BROWSERS = ("chromium", "firefox")


# The argv of each measurement: BIN_DIR/NAME for native ones, node for JS ones.
def configs(bin_dir):
    c = []
    for size in ("4", "8", "16", "64", "1024"):
        # The slow textbook peers only where they were measured before: 8, 64, 1024.
        for impl in SPSC_QUEUES + (("mutex", "pipe") if size in ("8", "64", "1024") else ()):
            c.append([f"{bin_dir}/spsc_tput", impl, size])
    for impl in ("sabq-spin", "atomic", "slot", "sabq-park", "futex"):
        c.append([f"{bin_dir}/pingpong", impl])
    for pc in (("1", "1"), ("2", "2"), ("4", "4")):
        for impl in MPMC_QUEUES:
            c.append([f"{bin_dir}/mpmc_tput", impl, *pc])
    js = os.path.join(ROOT, "bench/js/node-bench.mjs")
    # Worker rings sized alike two ways: 1,024 messages each, and 64 KiB each.
    for size in ("8", "256"):
        for impl in ("sabq", "ringbuf", "channel"):
            c.append(["node", js, "tput", impl, size])
        for impl in ("sabq", "ringbuf"):
            c.append(["node", js, "tput", impl, size, "64k"])
    for impl in ("sabq", "ringbuf", "channel"):
        c.append(["node", js, "rtt", impl])
    for impl in ("sabq", "ringbuf"):
        c.append(["node", js, "rtt", impl, "8", "64k"])
    for impl in ("sabq", "postmessage"):
        c.append(["node", js, "main-rtt", impl])
    c.append(["node", js, "idle", "sabq"])
    for impl in ("sabq", "sync-message"):
        c.append(["node", js, "fdread", impl])
    # A plugin's blocking read answered by a host handler on the page's thread
    # or in a host worker (the sync-message peer is the fdread row above), and
    # a line to an interactive plugin and back beside the bare round trip.
    host = os.path.join(ROOT, "bench/js/host-bench.mjs")
    for where in ("page", "worker"):
        c.append(["node", host, "host-answer", where])
    for what in ("line-rtt", "bare-rtt"):
        c.append(["node", host, what])
    pipes = os.path.join(ROOT, "bench/js/pipeline-bench.mjs")
    for what, impls in (("pipeline", ("sabq", "node-wasi")), ("cksum", ("sabq",)), ("hop", ("sabq", "node-wasi"))):
        for impl in impls:
            c.append(["node", pipes, what, impl])
    files = os.path.join(ROOT, "bench/js/files-bench.mjs")
    for what in ("read", "append", "create", "mount"):
        for impl in ("sabq", "shim"):
            c.append(["node", files, what, impl])
    # The same JS measurements in each browser: one page runs them all per round,
    # and one page the host answers and interactive stdin.
    for browser in BROWSERS:
        c.append(["node", os.path.join(ROOT, "bench/js/browser-bench.mjs"), browser])
        c.append(["node", os.path.join(ROOT, "bench/js/host-browser-bench.mjs"), browser])
    return c


def name_of(argv):
    """A measurement as the table names it: "spsc_tput sabq 8", "node-bench.mjs tput sabq 8 64k"."""
    return " ".join(os.path.basename(a) for a in argv if a != "node")


def run_one(argv, scale, timeout):
    env = dict(os.environ, BENCH_SCALE=str(scale))
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, f"did not finish in {timeout} s"
    if out.returncode != 0:
        return None, f"exit {out.returncode}: {out.stderr.strip()[:200]}"
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    if not rows:
        return None, "printed no rows"  # exit 0 and nothing measured is a failure too
    unprobed = [f"{r['bench']} {r['param']} {r['impl']}" for r in rows if not isinstance(r.get("atomic_rtt_ns"), (int, float))]
    if unprobed:
        return None, f"rows without a placement probe (atomic_rtt_ns): {', '.join(unprobed)}"
    return rows, None


def cpu_model():
    """The CPU as `lscpu` names it, with vendor, family and model: the same
    name ("AMD EPYC", "Intel(R) Xeon(R) Processor") covers several
    generations, whose caches and PAUSE differ."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        return "unknown CPU"
    name = fields.get("model name", "unknown CPU")
    return (f"{name} ({fields.get('vendor_id', '?')} family {fields.get('cpu family', '?')} "
            f"model {fields.get('model', '?')}, {os.cpu_count()} CPUs)")


def code_version():
    """The commit the figures were measured on, so a table can be matched to the
    code it describes ("+ local changes" when the tree differs from it)."""
    try:
        head = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "code: not a git checkout"
    return f"code: commit {head}" + (" + local changes" if dirty else "")


def machine(cpu, load):
    node = subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {platform.system()} {platform.release()}, node {node}, {code_version()}; "
            f"load average (1 min) {load[0]:.1f} before the run, {load[1]:.1f} after: other work "
            f"on a shared machine slows spinning threads, the JS ones most")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin_dir")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=float, default=0.3)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--smoke", action="store_true", help="every benchmark once, tiny counts; fail on any error not tolerated")
    ap.add_argument("--docs", action="store_true")
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--only", help="comma-separated substrings of the measurements to run")
    args = ap.parse_args()
    if args.smoke:
        args.runs, args.scale = 1, 0.01
    cfgs = configs(args.bin_dir)
    if args.only:
        wanted = args.only.split(",")
        cfgs = [c for c in cfgs if any(w in name_of(c) for w in wanted)]
    # {(bench, param, impl): {round: row}}; each row gets its "placement".
    samples, failures, dead, seconds = {}, [], set(), {}
    load_before = os.getloadavg()[0]
    t0 = time.time()
    for r in range(args.runs):
        for i, argv in enumerate(cfgs):
            if i in dead:
                continue
            # A browser runs all its JS measurements in one process: more time.
            limit = args.timeout * 6 if "browser-bench" in argv[1] else args.timeout
            started = time.time()
            rows, err = run_one(argv, args.scale, limit)
            seconds.setdefault(name_of(argv), []).append(round(time.time() - started, 2))
            if err:
                # A peer that cannot finish is reported once, not re-run.
                failure = {"argv": name_of(argv), "error": err}
                why = report.tolerated(failure)
                if why:
                    failure["tolerated"] = why
                failures.append(failure)
                dead.add(i)
                continue
            for row in rows:
                row["placement"] = report.placement_of(row["atomic_rtt_ns"])
                samples.setdefault((row["bench"], row["param"], row["impl"]), {}).setdefault(r, row)
        print(f"bench: round {r + 1}/{args.runs} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    summary = report.summarize(samples)
    cpu = cpu_model()
    for s in summary:
        s["cpu"] = cpu
    out_dir = os.path.join(ROOT, "build/bench")
    os.makedirs(out_dir, exist_ok=True)
    result = {"machine": machine(cpu, (load_before, os.getloadavg()[0])), "cpu": cpu, "command": args.command, "runs": args.runs,
              "scale": args.scale, "date": time.strftime("%Y-%m-%d"), "summary": summary,
              "failures": failures, "seconds": seconds, "placement": {"sibling_below_ns": report.SIBLING_BELOW_NS, "near_below_ns": report.NEAR_BELOW_NS,
                                                  "busy_from_ns": report.BUSY_FROM_NS}}
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = report.table(summary, failures, cpu)
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench/plot.py"), os.path.join(out_dir, "results.json"),
                    os.path.join(out_dir, "plot.svg")], check=True)
    if args.docs:
        write_docs(result, md)
    missing = [] if args.only else report.missing_rows(samples)
    for m in missing:
        print(f"bench: missing row: {m}", file=sys.stderr)
    if args.smoke:
        # Fails on every failure but the timeouts report.MAY_TIME_OUT names.
        problems = report.smoke_problems(failures, missing)
        for p in problems:
            print(f"bench smoke: {p}", file=sys.stderr)
        if problems:
            print(f"bench smoke: FAILED ({len(problems)} problems)", file=sys.stderr)
            sys.exit(1)
        accepted = [f["argv"] for f in failures]
        print(f"bench smoke: {len(cfgs)} measurements, {len(summary)} rows, none missing"
              + (f"; tolerated timeouts: {', '.join(accepted)}" if accepted else ""), file=sys.stderr)


def write_docs(result, md):
    svg = os.path.join(ROOT, "docs/benchmarks.svg")
    subprocess.run(["cp", os.path.join(ROOT, "build/bench/plot.svg"), svg], check=True)
    with open(os.path.join(ROOT, "docs/benchmarks.md.in")) as f:
        template = f.read()
    text = (template.replace("@MACHINE@", result["machine"]).replace("@DATE@", result["date"])
            .replace("@COMMAND@", result["command"]).replace("@RUNS@", str(result["runs"]))
            .replace("@TABLE@", md))
    with open(os.path.join(ROOT, "docs/benchmarks.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
