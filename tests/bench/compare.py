#!/usr/bin/env python3
"""A/B benchmark: natrium-server vs the reference nats-server (stdlib only).

For every scenario a fresh pair of servers is started on free loopback ports
and kept for that scenario's rounds. One untimed warm-up run per server, then
the runs alternate A, B, A, B, ... (`--rounds` runs per server). The median per
server is reported with the ratio natrium/nats, the servers' CPU time per
message (from /proc/PID/stat) and their peak RSS (VmHWM from /proc/PID/status,
read just before each server is stopped). Only the PIDs started here are ever
signalled. See docs/benchmarks.md.

With --js the JetStream file-storage modes run instead: every run gets a fresh
pair of servers (-js -sd DIR) with fresh store directories on one real
filesystem (not tmpfs), removed after the run. --kv runs the key-value modes
(a fresh KV bucket per run) the same way.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLK_TCK = os.sysconf("SC_CLK_TCK")

# name, label, bench args, msgs (chosen so one nats-server run takes ~0.5-2 s here), metrics [(json key, label, higher_is_better)]
THROUGHPUT = [("msgs_per_s", "msgs/s", True)]
LATENCY = [("p50_us", "p50 µs", False), ("p90_us", "p90 µs", False),
           ("p99_us", "p99 µs", False), ("reqs_per_s", "req/s", True)]
SCENARIOS = [
    ("pub", "pub 16 B", ["--scenario", "pub", "--size", "16"], 5_000_000, THROUGHPUT),
    ("pubsub", "pubsub 16 B", ["--scenario", "pubsub", "--size", "16"], 2_000_000, THROUGHPUT),
    ("pubsub1k", "pubsub 1 KiB", ["--scenario", "pubsub", "--size", "1024"], 500_000, THROUGHPUT),
    ("queue", "queue 4 subs 16 B", ["--scenario", "queue", "--size", "16", "--subs", "4"], 2_000_000, THROUGHPUT),
    ("reqrep", "reqrep 16 B", ["--scenario", "reqrep", "--size", "16"], 20_000, LATENCY),
]
# JetStream, file storage (--js). Latency is publish -> PubAck.
JS_PUB = [("msgs_per_s", "msgs/s", True), ("p50_us", "p50 µs", False), ("p99_us", "p99 µs", False)]
JS_SCENARIOS = [
    ("js-pub-async", "JS async pub 128 B, 256 in flight",
     ["--scenario", "js-pub-async", "--size", "128", "--inflight", "256"], 100_000, JS_PUB),
    ("js-pub-sync", "JS sync pub 128 B", ["--scenario", "js-pub-sync", "--size", "128"], 5_000, JS_PUB),
    ("js-consume-pull", "JS pull consume 128 B, batch 256, +ACK",
     ["--scenario", "js-consume-pull", "--size", "128", "--pull-batch", "256"], 100_000, THROUGHPUT),
]
# Key-value, file storage (--kv): a fresh bucket KV_<b> per run, value 128 B; msgs = keys.
# Latency is put -> PubAck and get request -> reply.
KV_PUT = [("puts_per_s", "puts/s", True), ("p50_us", "p50 µs", False), ("p99_us", "p99 µs", False)]
KV_GET = [("gets_per_s", "gets/s", True), ("p50_us", "p50 µs", False), ("p99_us", "p99 µs", False)]
KV_WATCH = [("elapsed_ms", "time to all initial values, ms", False), ("msgs_per_s", "msgs/s", True)]
KV_SCENARIOS = [
    ("kv-put-sync", "KV put, 1 in flight", ["--scenario", "kv-put-sync", "--size", "128"], 10_000, KV_PUT),
    ("kv-put-async", "KV put, 256 in flight", ["--scenario", "kv-put-async", "--size", "128", "--inflight", "256"],
     10_000, KV_PUT),
    ("kv-get", "KV direct get, 1 in flight", ["--scenario", "kv-get", "--size", "128"], 10_000, KV_GET),
    ("kv-get-pipe", "KV direct get, 64 in flight", ["--scenario", "kv-get-pipe", "--size", "128", "--inflight", "64"],
     10_000, KV_GET),
    ("kv-watch", "KV watch, initial values", ["--scenario", "kv-watch", "--size", "128"], 10_000, KV_WATCH),
]

STARTED = []  # Popen objects of servers we started (and only those)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, path, logdir, store_root=None, keep_store=False):
        self.name, self.path, self.logdir = name, path, logdir
        self.store_root = store_root  # JetStream: a fresh -sd directory under it per start
        self.keep_store = keep_store  # the caller removes store dirs
        self.store_dir = None
        self.proc = None
        self.port = None
        self.restarts = -1

    def start(self):
        self.restarts += 1
        for _attempt in range(3):
            self.port = free_port()
            self.logfile = os.path.join(self.logdir, f"{self.name}-{self.port}.log")
            logf = open(self.logfile, "wb")
            cmd = [self.path, "-a", "127.0.0.1", "-p", str(self.port)]
            if self.store_root:
                self.store_dir = tempfile.mkdtemp(prefix=f"{self.name}-", dir=self.store_root)
                cmd += ["-js", "-sd", self.store_dir]
            self.proc = subprocess.Popen(cmd,
                                         stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
            logf.close()
            STARTED.append(self.proc)
            if self._wait_ready(10.0):
                return
            self.stop()
        raise RuntimeError(f"{self.name} ({self.path}) did not start; logs in {self.logdir}")

    def _wait_ready(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.settimeout(2)
                    if s.recv(4096).startswith(b"INFO"):
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cpu_seconds(self):
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
        except (OSError, IndexError, ValueError):
            return None

    def vmhwm_kib(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def stop(self):
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)  # this PID only
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        if p in STARTED:
            STARTED.remove(p)
        self.proc = None
        if self.store_dir and not self.keep_store:
            shutil.rmtree(self.store_dir, ignore_errors=True)
            self.store_dir = None


def stop_all(*_):
    for p in list(STARTED):
        if p.poll() is None:
            p.kill()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
    STARTED.clear()


def log_tail(path, lines=3):
    try:
        with open(path, errors="replace") as f:
            return " | ".join(x.strip() for x in f.read().splitlines()[-lines:])
    except OSError:
        return "no log"


def fs_type(path):
    """(type, mount point) of the filesystem holding path, from /proc/self/mountinfo."""
    real, best, typ = os.path.realpath(path), "", None
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, right = line.split(" - ", 1)
                mnt = left.split()[4]
                if (real == mnt or real.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, typ = mnt, right.split()[0]
    except (OSError, ValueError, IndexError):
        pass
    return typ, best


def fsync_probe_us(directory, n=50):
    """Median time of fdatasync after appending 4 KiB to a new file in directory (µs)."""
    fd, path = tempfile.mkstemp(prefix="fsync-probe-", dir=directory)
    try:
        lat = []
        for i in range(n):
            os.pwrite(fd, b"p" * 4096, i * 4096)
            t = time.perf_counter()
            os.fdatasync(fd)
            lat.append((time.perf_counter() - t) * 1e6)
        return statistics.median(lat)
    finally:
        os.close(fd)
        os.unlink(path)


def run_js_scenario(bench, servers, name, label, sargs, msgs, metrics, args, logdir, store_root, t_start):
    """JetStream: every run on a fresh pair of servers with fresh store dirs, A, B, A, B, ..."""
    timeout = 120
    res = {k: [] for k, _path in servers}
    rss = {k: [] for k, _path in servers}
    dirs = []  # removed after the scenario: deleting files between runs (ext4 `discard`) slows the next fsyncs
    for rnd in range(args.rounds):
        for k, path in servers:
            if time.monotonic() - t_start > args.max_seconds:
                res[k].append({"ok": False, "error": "skipped: --max-seconds reached"})
                continue
            s = Server(f"{k}-{name}-r{rnd + 1}", path, logdir, store_root, keep_store=True)
            try:
                s.start()
                dirs.append(s.store_dir)
                # Untimed warm-up on the same server (its own stream, deleted afterwards).
                w = {"ok": True} if args.smoke else run_bench(bench, s, sargs, max(200, msgs // 10), timeout)
                if w.get("ok"):
                    probe = fsync_probe_us(store_root, 20)  # what one fsync costs right now
                    r = run_bench(bench, s, sargs, msgs, timeout)
                    r["fsync_probe_us"] = probe
                else:
                    r = {"ok": False, "error": "warm-up: " + str(w.get("error"))}
                if s.alive():
                    rss[k].append(s.vmhwm_kib())
            except RuntimeError as e:
                r = {"ok": False, "error": str(e)}
            finally:
                s.stop()
            res[k].append(r)
            key = metrics[0][0]
            log(f"{label:<18} round {rnd + 1}/{args.rounds} {k}: "
                + (f"{key}={r.get(key, 0):.6g} cpu={r.get('server_cpu_s', 0):.2f}s "
                   f"fsync probe {r.get('fsync_probe_us', 0):.0f} µs" if r.get("ok") else f"ERROR {r.get('error')}"))
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
    for k, _path in servers:
        vals = [v for v in rss[k] if v]
        res[f"{k}_vmhwm_kib"] = statistics.median(vals) if vals else None
        res[f"{k}_restarts"] = 0
    return res


def run_bench(bench, server, args, msgs, timeout):
    cmd = [bench, "--url", f"127.0.0.1:{server.port}", "--msgs", str(msgs), "--timeout", str(timeout)] + args
    cpu0 = server.cpu_seconds()
    try:
        out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout + 20)
        line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
        res = json.loads(line) if line else {"ok": False, "error": f"no output; stderr: {out.stderr[-300:]}"}
    except subprocess.TimeoutExpired:  # subprocess.run kills only its own child
        res = {"ok": False, "error": "bench process timed out"}
    except json.JSONDecodeError as e:
        res = {"ok": False, "error": f"bad JSON from bench: {e}"}
    cpu1 = server.cpu_seconds()
    if cpu0 is not None and cpu1 is not None:
        res["server_cpu_s"] = cpu1 - cpu0
    if not server.alive():
        res["ok"] = False
        res["error"] = (f"server exited (rc={server.proc.returncode}, log {server.logfile}: "
                        f"{log_tail(server.logfile)}); " + res.get("error", ""))
    return res


def find_bench(explicit):
    if explicit:
        return explicit
    srcs = [os.path.join(HERE, f) for f in ("natrium_bench.cpp", "js_bench.cpp", "kv_bench.cpp", "bench_cli.hpp",
                                            "bench_conn.hpp", "js_common.hpp")]
    newest_src = max(os.path.getmtime(s) for s in srcs)
    cands = [os.path.join(ROOT, "build", "h-bench", "natrium_bench")]
    bdir = os.path.join(ROOT, "build")
    if os.path.isdir(bdir):
        cands += [os.path.join(bdir, d, "tests", "bench", "natrium_bench") for d in sorted(os.listdir(bdir))]
    fresh = [c for c in cands if os.access(c, os.X_OK) and os.path.getmtime(c) >= newest_src]
    if fresh:
        return max(fresh, key=os.path.getmtime)
    out = cands[0]
    os.makedirs(os.path.dirname(out), exist_ok=True)
    log(f"building {out} with g++")
    subprocess.run(["g++", "-O2", "-std=c++20", "-pthread", "-o", out] + srcs[:3], check=True)
    return out


def fmt(v):
    if v is None:
        return "—"
    if v >= 1e6:
        return f"{v / 1e6:.2f} M"
    if v >= 1e4:
        return f"{v / 1e3:.0f} k"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}"


def fmt_ratio(a, b):
    if not a or not b:
        return "—"
    x = a / b
    return f"{x:.2f}" if 0.1 <= x < 100 else f"{x:.3g}"


def summarize(runs, key):
    vals = [r[key] for r in runs if r.get("ok") and key in r]
    if not vals:
        return None, None
    med = statistics.median(vals)
    spread = (max(vals) - min(vals)) / 2 / med * 100 if med else 0
    return med, spread


def cell(runs, key):
    med, spread = summarize(runs, key)
    bad = sum(1 for r in runs if not r.get("ok"))
    if med is None:
        return f"ERROR ({bad}/{len(runs)} failed)", None
    s = f"{fmt(med)} ±{spread:.0f}%"
    if bad:
        s += f" ({bad} failed)"
    return s, med


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--natrium", default=os.path.join(ROOT, "build", "release", "native", "natrium-server"))
    ap.add_argument("--nats", default=shutil.which("nats-server") or "/usr/sbin/nats-server")
    ap.add_argument("--bench", help="natrium_bench binary (default: find or build it)")
    ap.add_argument("--rounds", type=int, default=5, help="timed runs per server per scenario (default 5)")
    ap.add_argument("--quick", action="store_true", help="1/10 of the message counts")
    ap.add_argument("--smoke", action="store_true",
                    help="tool check: tiny counts, 1 round, nats-server only unless --natrium given")
    ap.add_argument("--js", action="store_true",
                    help="JetStream file-storage modes (" + ",".join(s[0] for s in JS_SCENARIOS) + ")")
    ap.add_argument("--kv", action="store_true",
                    help="key-value modes, file storage (" + ",".join(s[0] for s in KV_SCENARIOS) + ")")
    ap.add_argument("--store-root", default=os.path.join(ROOT, "build"),
                    help="--js/--kv: parent of the per-run store dirs (default build/; must not be tmpfs)")
    ap.add_argument("--scenarios", help="comma-separated subset (default: all of the core or --js table)")
    ap.add_argument("--json", help="write all raw results to this file")
    ap.add_argument("--max-seconds", type=float, default=900, help="skip remaining runs after this")
    args = ap.parse_args()
    if args.js and args.kv:
        ap.error("--js and --kv are separate runs")
    stored = args.js or args.kv  # JetStream with file storage: fresh servers and store dirs per run

    natrium_given = "--natrium" in sys.argv
    scale = 0.1 if args.quick else 1.0
    if args.smoke:
        scale, args.rounds = 0.002, 1
    if args.rounds < 1:
        ap.error("--rounds must be >= 1")
    if not os.access(args.nats, os.X_OK):
        ap.error(f"nats-server not found at {args.nats}")
    with_natrium = os.access(args.natrium, os.X_OK) and (natrium_given or not args.smoke)
    if not with_natrium and not args.smoke:
        ap.error(f"natrium-server not found at {args.natrium} (use --natrium PATH; "
                 f"--natrium {args.nats} gives a nats-vs-nats sanity check)")
    bench = find_bench(args.bench)
    table = JS_SCENARIOS if args.js else KV_SCENARIOS if args.kv else SCENARIOS
    wanted = args.scenarios.split(",") if args.scenarios else [t[0] for t in table]
    unknown = set(wanted) - {t[0] for t in table}
    if unknown:
        ap.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(143)))
    logdir = tempfile.mkdtemp(prefix="natrium-bench-")
    store_root = None
    if stored:
        fstype, mnt = fs_type(args.store_root)
        if fstype in ("tmpfs", "ramfs"):
            ap.error(f"--store-root {args.store_root} is on {fstype}; fsync would cost nothing there")
        os.makedirs(args.store_root, exist_ok=True)
        store_root = tempfile.mkdtemp(prefix="natrium-bench-js-", dir=args.store_root)
        log(f"store dirs under {store_root} ({fstype} on {mnt})")
    a_label = "natrium" if os.path.realpath(args.natrium) != os.path.realpath(args.nats) else "nats (as A)"
    servers = [("A", args.natrium)] if with_natrium else []
    servers.append(("B", args.nats))
    t_start = time.monotonic()
    load0 = os.getloadavg()
    stamps0 = {path: os.stat(path).st_mtime for _k, path in servers}
    results = {}
    failed = False
    try:
        for name, label, sargs, dmsgs, metrics in table:
            if name not in wanted:
                continue
            msgs = max(200, int(dmsgs * scale))
            if stored:
                res = run_js_scenario(bench, servers, name, label, sargs, msgs, metrics, args, logdir, store_root,
                                      t_start)
                results[name] = {"label": label, "msgs": msgs, "metrics": metrics, "runs": res}
                continue
            timeout = 60
            srv = {k: Server(f"{k}-{name}", path, logdir) for k, path in servers}
            for s in srv.values():
                s.start()
            res = {k: [] for k in srv}
            # Untimed warm-up (page faults, allocator pools, JIT-free but cache-cold).
            if not args.smoke:
                for k, s in srv.items():
                    run_bench(bench, s, sargs, max(200, msgs // 10), timeout)
            for rnd in range(args.rounds):
                for k, s in srv.items():  # A, B, A, B, ...
                    if time.monotonic() - t_start > args.max_seconds:
                        res[k].append({"ok": False, "error": "skipped: --max-seconds reached"})
                        continue
                    if not s.alive():
                        s.start()
                    r = run_bench(bench, s, sargs, msgs, timeout)
                    res[k].append(r)
                    key = metrics[0][0]
                    log(f"{label:<18} round {rnd + 1}/{args.rounds} {k}: "
                        + (f"{key}={r.get(key, 0):.6g} cpu={r.get('server_cpu_s', 0):.2f}s"
                           if r.get("ok") else f"ERROR {r.get('error')}"))
            for k, s in srv.items():
                res[f"{k}_vmhwm_kib"] = s.vmhwm_kib() if s.alive() else None
                res[f"{k}_restarts"] = s.restarts
                s.stop()
            results[name] = {"label": label, "msgs": msgs, "metrics": metrics, "runs": res}
    finally:
        stop_all()
        if store_root:
            shutil.rmtree(store_root, ignore_errors=True)
    load1 = os.getloadavg()
    changed = [path for path, m in stamps0.items() if not os.path.exists(path) or os.stat(path).st_mtime != m]

    # ---- report ----
    has_a = with_natrium
    A = a_label if has_a else None
    print(f"Rounds: {args.rounds} per server (alternating A/B), median shown (± half the min–max range).  ")
    print((f"A = `{args.natrium}`, " if has_a else "") + f"B = `{args.nats}`; bench `{os.path.relpath(bench, ROOT)}`; "
          f"{os.cpu_count()} CPUs, load avg {load0[0]:.2f} → {load1[0]:.2f}; "
          f"total {time.monotonic() - t_start:.0f} s; "
          f"A built {time.strftime('%Y-%m-%d %H:%M', time.localtime(stamps0[args.natrium])) if has_a else '-'}."
          + (f"  \nJetStream: `-js -sd` fresh per run under `{args.store_root}` ({fs_type(args.store_root)[0]}); "
             "a fresh server and store dir for every run, after one untimed warm-up run on it." if stored else "") + "\n")
    for path in changed:
        print(f"**WARNING: `{path}` was replaced during the run; results mix two builds.**\n")
        failed = True
    if has_a:
        print(f"| scenario | msgs | metric | {A} | nats-server | {A}/nats | better |")
        print("|---|---:|---|---:|---:|---:|---|")
    else:
        print("| scenario | msgs | metric | nats-server |")
        print("|---|---:|---|---:|")
    for name, r in results.items():
        runs = r["runs"]
        for key, mlabel, higher in r["metrics"]:
            cb, mb = cell(runs["B"], key)
            if has_a:
                ca, ma = cell(runs["A"], key)
                ratio = fmt_ratio(ma, mb)
                print(f"| {r['label']} | {r['msgs']:,} | {mlabel} | {ca} | {cb} | {ratio} | "
                      f"{'higher' if higher else 'lower'} |")
            else:
                print(f"| {r['label']} | {r['msgs']:,} | {mlabel} | {cb} |")
            if not any(x.get("ok") for x in runs["B"]) or (has_a and not any(x.get("ok") for x in runs["A"])):
                failed = True
    print()
    if has_a:
        print(f"| scenario | server CPU {A} | server CPU nats | CPU ratio | peak RSS {A} | peak RSS nats |")
        print("|---|---:|---:|---:|---:|---:|")
    else:
        print("| scenario | server CPU nats | peak RSS nats |")
        print("|---|---:|---:|")

    def cpu_cell(runs, msgs):
        v = [x["server_cpu_s"] / msgs * 1e9 for x in runs if x.get("ok") and "server_cpu_s" in x]
        return (statistics.median(v), f"{statistics.median(v):.0f} ns/msg") if v else (None, "—")

    def rss(k):
        return f"{k / 1024:.1f} MiB" if k else "—"

    for name, r in results.items():
        runs = r["runs"]
        mb, cb = cpu_cell(runs["B"], r["msgs"])
        if has_a:
            ma, ca = cpu_cell(runs["A"], r["msgs"])
            ratio = fmt_ratio(ma, mb)
            print(f"| {r['label']} | {ca} | {cb} | {ratio} | {rss(runs['A_vmhwm_kib'])} | {rss(runs['B_vmhwm_kib'])} |")
        else:
            print(f"| {r['label']} | {cb} | {rss(runs['B_vmhwm_kib'])} |")
    if stored:
        print("\nDisk: `fdatasync` after a 4 KiB append in the store root (median of 20), measured just before "
              "each timed run; median (min–max) over the runs that succeeded:\n")
        cols = [k for k in ("A", "B") if k != "A" or has_a]
        print("| scenario | " + " | ".join(f"fsync before {A if k == 'A' else 'nats'} runs" for k in cols) + " |")
        print("|---|" + "---:|" * len(cols))
        for r in results.values():
            cells = []
            for k in cols:
                v = [x["fsync_probe_us"] for x in r["runs"][k] if x.get("ok") and "fsync_probe_us" in x]
                cells.append(f"{statistics.median(v):.0f} µs ({min(v):.0f}–{max(v):.0f})" if v else "—")
            print(f"| {r['label']} | " + " | ".join(cells) + " |")
    errors = [(r["label"], k, x["error"]) for r in results.values() for k in ("A", "B")
              for x in r["runs"].get(k, []) if not x.get("ok")]
    if errors:
        print("\nErrors:")
        for label, k, e in errors:
            print(f"- {label} [{k}]: {e}")
    restarts = [(r["label"], k) for r in results.values() for k in ("A", "B") if r["runs"].get(f"{k}_restarts", 0)]
    if restarts:
        print("\nServer restarts:")
    for label, k in restarts:
        print(f"- {label} [{k}]: the server exited during the scenario and was restarted")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"natrium": args.natrium, "nats": args.nats, "rounds": args.rounds, "results": results},
                      f, indent=1, default=str)
    if args.smoke:
        return 1 if errors else 0
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        stop_all()
        sys.exit(130)
    except RuntimeError as e:
        stop_all()
        log(f"compare: {e}")
        sys.exit(2)
