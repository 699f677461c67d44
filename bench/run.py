#!/usr/bin/env python3
"""bench/run.py — runs every benchmark several times, interleaved (each round
measures every implementation once, so a noisy moment hits all of them), and
reports medians with min–max, and each sabq figure as a ratio to the best peer
measured in the same rounds.

    python3 bench/run.py BIN_DIR [--runs N] [--scale S] [--smoke] [--docs]

Writes build/bench/results.json and build/bench/table.md, prints the table;
with --docs also docs/benchmarks.md and docs/benchmarks.svg (plot.py).
Standard library only.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (bench name, argv after the program, parameter label); the program is
# BIN_DIR/NAME for native ones, node for JS ones.
def configs(bin_dir):
    c = []
    for size in ("8", "64", "1024"):
        for impl in ("sabq", "sabq-batch", "ck", "slot", "mutex", "pipe"):
            c.append(([f"{bin_dir}/spsc_tput", impl, size]))
    for impl in ("sabq-spin", "atomic", "sabq-park", "futex"):
        c.append([f"{bin_dir}/pingpong", impl])
    for pc in (("1", "1"), ("2", "2"), ("4", "4")):
        for impl in ("sabq", "ck", "wfcq", "mutex"):
            c.append([f"{bin_dir}/mpmc_tput", impl, *pc])
    js = os.path.join(ROOT, "bench/js/node-bench.mjs")
    for size in ("8", "256"):
        for impl in ("sabq", "ringbuf", "channel"):
            c.append(["node", js, "tput", impl, size])
    for impl in ("sabq", "ringbuf", "channel"):
        c.append(["node", js, "rtt", impl])
    for impl in ("sabq", "postmessage"):
        c.append(["node", js, "main-rtt", impl])
    c.append(["node", js, "idle", "sabq"])
    for impl in ("sabq", "sync-message"):
        c.append(["node", js, "fdread", impl])
    pipes = os.path.join(ROOT, "bench/js/pipeline-bench.mjs")
    for what, impls in (("pipeline", ("sabq", "node-wasi")), ("cksum", ("sabq",)), ("hop", ("sabq", "node-wasi"))):
        for impl in impls:
            c.append(["node", pipes, what, impl])
    files = os.path.join(ROOT, "bench/js/files-bench.mjs")
    for what in ("read", "append", "create", "mount"):
        for impl in ("sabq", "shim"):
            c.append(["node", files, what, impl])
    # The same JS measurements in Chromium: one page runs them all per round.
    c.append(["node", os.path.join(ROOT, "bench/js/chromium-bench.mjs")])
    return c

LOWER_IS_BETTER = {"ns", "% of a core"}
# The implementations that are not sabq, as the configurations above name them.
PEER_IMPLS = {"ck", "slot", "mutex", "pipe", "atomic", "futex", "wfcq", "ringbuf", "channel", "postmessage",
              "sync-message", "node-wasi", "shim"}
# Peers a sabq row is also divided by one by one (notes column).
NAMED_PEERS = ("ck", "slot")
# Rows compared with a physical limit rather than with peers.
BASELINES = {("round trip", "spinning"): "atomic", ("round trip", "parked"): "futex"}


def is_peer(argv):
    """Whether argv measures a peer only (no sabq row can come from it)."""
    args = [os.path.basename(a) for a in argv[1:]]
    return any(a in PEER_IMPLS for a in args) and not any(a.startswith("sabq") for a in args)


def smoke_tolerates(failure):
    """The one failure the smoke run (part of make test) lets pass: a peer that
    did not finish in time. Peers that spin (ck_ring's MPMC queue 4 x 4 on two
    CPUs) or slow down with what they hold (the WASI shim's in-memory append)
    can outlast the timeout on a loaded machine, and a peer's speed is not
    what the smoke run checks. A sabq benchmark that fails, a peer that
    crashes or prints nothing, fails it."""
    return failure["peer"] and failure["error"].startswith("did not finish")


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
    return rows, None


def summarize(samples):
    """samples: {(bench, param, impl): [row, ...]} -> list of summary dicts."""
    out = []
    for (bench, param, impl), rows in samples.items():
        values = [r["value"] for r in rows]
        s = {"bench": bench, "param": param, "impl": impl, "unit": rows[0]["unit"],
             "median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}
        for extra in ("p99", "gap_p99_us", "gap_max_us"):
            if extra in rows[0]:
                s[extra] = statistics.median([r[extra] for r in rows])
                if extra == "gap_max_us":
                    s["gap_max_us_worst"] = max(r[extra] for r in rows)
        out.append(s)
    # Ratios: sabq rows against the best peer (or the physical limit) of their group.
    for s in out:
        if not s["impl"].startswith("sabq"):
            continue
        group = [o for o in out if o["bench"] == s["bench"] and o["param"] == s["param"]]
        base = BASELINES.get((s["bench"], s["param"]))
        peers = [o for o in group if (o["impl"] == base if base else not o["impl"].startswith("sabq"))]
        if not peers:
            continue
        lower = s["unit"] in LOWER_IS_BETTER
        best = min(peers, key=lambda o: o["median"]) if lower else max(peers, key=lambda o: o["median"])
        s["vs"] = best["impl"]
        s["ratio"] = (s["median"] / best["median"]) if best["median"] else None
        # Against each named peer too, where targets name one (ck, slot).
        s["vs_each"] = {p["impl"]: s["median"] / p["median"] for p in peers
                        if p["impl"] in NAMED_PEERS and p["median"]}
    return out


def fmt(v):
    return f"{v:.3g}" if v < 1000 else f"{v:,.0f}"


def table(summary, failures, cpu):
    lines = [f"Every figure below: {cpu}.", "",
             "| benchmark | param | impl | median | min–max | unit | sabq ÷ best peer | notes |",
             "|---|---|---|---:|---:|---|---|---|"]
    for s in summary:
        ratio = f"**{s['ratio']:.2f}×** {s['vs']}" if s.get("ratio") is not None else ""
        notes = []
        if len(s.get("vs_each", {})) > 1:
            notes.append(", ".join(f"{r:.2f}× {p}" for p, r in sorted(s["vs_each"].items())))
        if "p99" in s:
            notes.append(f"p99 {fmt(s['p99'])} ns")
        if "gap_max_us" in s:
            notes.append(f"stall p99 {s['gap_p99_us']:.0f} µs, max {s['gap_max_us_worst']:,.0f} µs")
        lines.append(f"| {s['bench']} | {s['param']} | {s['impl']} | {fmt(s['median'])} | "
                     f"{fmt(s['min'])}–{fmt(s['max'])} | {s['unit']} | {ratio} | {'; '.join(notes)} |")
    for f in failures:
        lines.append(f"| {f['argv']} | | | — | | | | {f['error']} |")
    return "\n".join(lines)


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
    ap.add_argument("--smoke", action="store_true", help="every benchmark once, tiny counts; fail on any error")
    ap.add_argument("--docs", action="store_true")
    ap.add_argument("--command", default="make bench")
    args = ap.parse_args()
    if args.smoke:
        args.runs, args.scale = 1, 0.01
    cfgs = configs(args.bin_dir)
    samples, failures, dead = {}, [], set()
    load_before = os.getloadavg()[0]
    t0 = time.time()
    for r in range(args.runs):
        for i, argv in enumerate(cfgs):
            if i in dead:
                continue
            # A browser runs all its JS measurements in one process: more time.
            limit = args.timeout * 6 if "chromium-bench" in argv[-1] else args.timeout
            rows, err = run_one(argv, args.scale, limit)
            if err:
                # A peer that cannot finish is reported once, not re-run.
                name = " ".join(os.path.basename(a) for a in argv[-4:])
                failures.append({"argv": name, "error": err, "peer": is_peer(argv)})
                dead.add(i)
                continue
            for row in rows:
                samples.setdefault((row["bench"], row["param"], row["impl"]), []).append(row)
        print(f"bench: round {r + 1}/{args.runs} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    summary = summarize(samples)
    cpu = cpu_model()
    for s in summary:
        s["cpu"] = cpu
    out_dir = os.path.join(ROOT, "build/bench")
    os.makedirs(out_dir, exist_ok=True)
    result = {"machine": machine(cpu, (load_before, os.getloadavg()[0])), "cpu": cpu, "command": args.command, "runs": args.runs,
              "scale": args.scale, "date": time.strftime("%Y-%m-%d"), "summary": summary,
              "failures": failures}
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = table(summary, failures, cpu)
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench/plot.py"), os.path.join(out_dir, "results.json"),
                    os.path.join(out_dir, "plot.svg")], check=True)
    if args.docs:
        write_docs(result, md)
    if args.smoke and failures:
        for f in failures:
            if smoke_tolerates(f):
                print(f"bench smoke: tolerated, a peer's: {f['argv']}: {f['error']}", file=sys.stderr)
        fatal = [f for f in failures if not smoke_tolerates(f)]
        if fatal:
            print(f"bench smoke: failures: {fatal}", file=sys.stderr)
            sys.exit(1)


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
