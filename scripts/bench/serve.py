"""bench-serve: load-test `callvault serve` (search API and audio streaming) (the steps;
scripts/bench-serve parses the options and calls main)."""

import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.parse

from . import ROOT
from .audio import load_speech, make_recording_pcm, wav_header
from .expire import T0, pristine_archive
from .files import sql
from .helsinki import Helsinki
from .people import DID, NAME_WORDS, People
from .report import log
from .runner import (Runner, build_release, command_line, exit_text, failure, lock_path, need, private_copy,
                     leave_work_folder, release_binary, tail, work_folder)

ADMIN, LEAD = "anna.k", "lee.m"
PASSWORDS = {ADMIN: "bench admin passphrase 2026", LEAD: "bench lead passphrase 2026"}
PURPOSE = "customer-service"
CHUNK = 64 * 1024


def git_head():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def pct(values, p):
    """Nearest-rank percentile of a list of numbers."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


# ---------------------------------------------------------------------------
# The archive, its accounts and the long recording
# ---------------------------------------------------------------------------

def make_archive(args, run, work):
    tz = Helsinki(range(2024, 2028))
    people = People(seed=3)
    archive = work / "archive"
    t0 = T0
    pristine_archive(args, run, work, archive, people, tz, t0, copying="2. copying",
                     making="2. no pristine archive: generating and ingesting")
    return archive, tz, t0


def add_accounts(run, archive):
    log(f"3. accounts: admin {ADMIN}, lead {LEAD}, a token for {LEAD}")
    # The archive's first admin is the bench runner's (Runner.add_accounts, mapped to this OS
    # login); it adds the accounts the load test logs in as, which need no OS login.
    for name, role in ((ADMIN, "admin"), (LEAD, "lead")):
        argv = [run.binary, "users", "add", name, "--role", role, "--password-stdin", "--as", run.ADMIN, "--archive", str(archive)]
        r = subprocess.run(argv, input=PASSWORDS[name] + "\n", capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"users add {name} failed: {failure(argv, r.returncode, r.stdout, r.stderr)}")
    token = run.cv_json("users", "token", LEAD, "--as", run.ADMIN, "--archive", archive)["token"]
    if not token.startswith("cv_"):
        raise SystemExit(f"users token gave {token[:6]}…, not a cv_ token")
    return token


def add_long_recording(args, run, work, archive, tz, t0):
    seconds = int(args.recording_minutes * 60)
    log(f"4. one {args.recording_minutes:g}-minute recording ({seconds * 16000 / 1e6:.1f} MB of 8 kHz 16-bit PCM)")
    rng = random.Random(17)
    pcm = make_recording_pcm(load_speech(), rng, seconds)
    start = t0 + 300 * 86400 + 10 * 3600
    uid = f"{start}.999999"
    stamp = tz.local_compact(start)
    folder = work / "long" / "monitor" / time.strftime("%Y/%m/%d", time.gmtime(tz.wall(start)))
    folder.mkdir(parents=True)
    name = f"in-{DID}-0401112233-{stamp}-{uid}.wav"
    path = folder / name
    path.write_bytes(wav_header(len(pcm)) + pcm)
    del pcm
    summary = run.cv_json("ingest", work / "long" / "monitor", "--archive", archive)
    if summary.get("recordings") != 1:
        raise SystemExit(f"the long recording was not stored: {summary}")
    rows = sql(archive / "index.sqlite", f"SELECT item_id, bytes FROM recordings WHERE file_name = '{name}'")
    item_id, size = rows[0].split("|")
    if int(size) != path.stat().st_size:
        raise SystemExit(f"stored size {size} != file size {path.stat().st_size}")
    return f"rec-{item_id}", path


def search_paths(archive, t0, names):
    """Query paths the load rotates through: numbers that exist in the archive (all time and a 30-day
    window around one of their calls) and caller-name words."""
    db = archive / "index.sqlite"
    rows = sql(db, "SELECT min(from_raw), max(start_utc) FROM items WHERE kind = 'call' AND direction = 'inbound' "
                   "AND from_e164 LIKE '+358%' GROUP BY from_e164 ORDER BY min(from_rev) LIMIT 200")
    if not rows:
        raise SystemExit("no inbound calls with a Finnish number in the archive")
    numbers = []
    seen = set()
    for row in rows:
        raw, start = row.split("|")
        if raw not in seen:
            seen.add(raw)
            numbers.append((raw, int(start)))
    rng = random.Random(23)
    paths = []
    for i, (raw, start) in enumerate(numbers[:200]):
        q = urllib.parse.quote(raw, safe="")
        if i % 2 == 0:
            paths.append(f"/api/v1/search?number={q}&limit=50")
        else:
            a = time.strftime("%Y-%m-%d", time.gmtime(start - 15 * 86400))
            b = time.strftime("%Y-%m-%d", time.gmtime(start + 15 * 86400))
            paths.append(f"/api/v1/search?number={q}&from={a}&to={b}&limit=50")
    for word in names:
        paths += [f"/api/v1/search?text={urllib.parse.quote(word, safe='')}&limit=50"] * 5
    rng.shuffle(paths)
    return paths, len(numbers[:200])


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------

class Server:
    def __init__(self, run, archive, work):
        self.log_path = work / "serve.log"
        self.log_fh = open(self.log_path, "w")
        self.argv = [run.binary, "serve", "--host", "127.0.0.1", "--port", "0", "--archive", str(archive)]
        self.proc = subprocess.Popen(self.argv, stdout=self.log_fh, stderr=subprocess.STDOUT,
                                     env={**os.environ, "LOG_LEVEL": "info"})
        self.port = None
        deadline = time.monotonic() + 120
        while self.port is None:
            if self.proc.poll() is not None:
                raise SystemExit(f"serve failed: {self.exited()}")
            if time.monotonic() > deadline:
                raise SystemExit(f"serve did not report its port in 120 s: `{command_line(self.argv)}`, "
                                 f"{self.log_tail()}")
            m = re.search(r"port=(\d+).*listening|listening.*port=(\d+)", self.log_path.read_text())
            if m:
                self.port = int(m.group(1) or m.group(2))
            else:
                time.sleep(0.1)
        while True:
            try:
                status, body = self.get("/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"serve failed: {self.exited()}")
            if time.monotonic() > deadline:
                raise SystemExit(f"GET /healthz on port {self.port} did not answer 200 in 120 s; {self.log_tail()}")
            time.sleep(0.1)

    def log_tail(self, lines=20):
        self.log_fh.flush()
        rows = tail(self.log_path.read_text(errors="replace"), lines)
        if not rows:
            return f"its log {self.log_path} is empty"
        return (f"last {len(rows)} lines" if len(rows) > 1 else "last line") + f" of its log {self.log_path}:" + "".join("\n    " + r for r in rows)

    def exited(self):
        """How the server ended, when it has: its command line, exit and the end of its log; else None."""
        if self.proc.poll() is None:
            return None
        return f"`{command_line(self.argv)}` {exit_text(self.proc.returncode)}\n  {self.log_tail()}"

    def get(self, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def search_histogram(self):
        """(count, sum s, {le: cumulative count}) of callvault_search_duration_seconds from /metrics."""
        status, body = self.get("/metrics")
        count, total, buckets = 0, 0.0, {}
        for line in body.decode().splitlines():
            if line.startswith("callvault_search_duration_seconds_count"):
                count += int(float(line.split()[-1]))
            elif line.startswith("callvault_search_duration_seconds_sum"):
                total += float(line.split()[-1])
            elif line.startswith("callvault_search_duration_seconds_bucket"):
                le = re.search(r'le="([^"]+)"', line).group(1)
                buckets[le] = buckets.get(le, 0) + int(float(line.split()[-1]))
        return count, total, buckets

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_fh.close()
        return self.proc.returncode


def histogram_delta(before, after):
    """Mean and bucket-estimated p99 (upper bucket bound) of the searches between two /metrics reads."""
    n = after[0] - before[0]
    if n <= 0:
        return None, None, n
    mean = (after[1] - before[1]) / n
    bounds = sorted(((float("inf") if le == "+Inf" else float(le)), after[2][le] - before[2].get(le, 0)) for le in after[2])
    p99 = None
    for le, cum in bounds:
        if cum >= 0.99 * n:
            p99 = le
            break
    return mean, p99, n


# ---------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------

WRK_LUA = """
local paths = %(paths)s
wrk.headers["Authorization"] = "Bearer %(token)s"
local counter = 0
function setup(thread)
  thread:set("offset", counter * 997)
  counter = counter + 1
end
local i = 0
function init(args)
  i = offset or 0
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('JSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "p999_us": %%d, "max_us": %%d, "mean_us": %%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
end
"""


def lua_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_seconds(seconds):
    """wrk's -d in whole seconds. wrk 4.1.0 reads a duration as an integer and a unit: "20.0s" (what
    f"{20.0}s" gives for --seconds 20) is no duration to it, so it prints its usage on stdout and
    exits 1 with nothing on stderr."""
    whole = max(1, math.ceil(seconds))
    if whole != seconds:
        log(f"  (wrk runs whole seconds: {seconds:g} s -> {whole} s)")
    return whole


def load_wrk(server, paths, token, clients, seconds, threads, work):
    script = work / "search.lua"
    script.write_text(WRK_LUA % {"paths": "{" + ", ".join(lua_string(p) for p in paths) + "}", "token": token})
    duration = wrk_seconds(seconds)
    argv = ["wrk", f"-t{min(threads, clients)}", f"-c{clients}", f"-d{duration}s", "--timeout", "10s", "--latency",
            "-s", str(script), f"http://127.0.0.1:{server.port}"]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 120)
    except subprocess.TimeoutExpired as e:
        raise SystemExit("wrk failed: " + failure(argv, None, e.stdout or "", e.stderr or "",
                                                  ended=f"did not finish in {duration + 120} s and was killed"))
    died = server.exited()
    if r.returncode != 0:
        raise SystemExit(f"wrk failed: {failure(argv, r.returncode, r.stdout, r.stderr)}"
                         + (f"\n  and the server had exited: {died}" if died else ""))
    line = next((l for l in r.stdout.splitlines() if l.startswith("JSON ")), None)
    if not line:
        raise SystemExit(f"wrk printed no summary (the JSON line of done() in {script}): "
                         f"{failure(argv, r.returncode, r.stdout, r.stderr)}")
    if died:
        raise SystemExit(f"the server exited during the load run: {died}")
    try:
        d = json.loads(line[5:])
    except ValueError as e:
        raise SystemExit(f"wrk's summary is not JSON ({e}): {line[:500]}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
    ms = lambda us: us / 1000
    return {"tool": "wrk", "requests": d["requests"], "seconds": d["duration_us"] / 1e6,
            "rps": d["requests"] / (d["duration_us"] / 1e6), "p50": ms(d["p50_us"]), "p90": ms(d["p90_us"]),
            "p99": ms(d["p99_us"]), "p999": ms(d["p999_us"]), "max": ms(d["max_us"]), "mean": ms(d["mean_us"]),
            "errors": d["connect"] + d["read"] + d["write"] + d["timeout"], "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "raw": r.stdout}


def load_python(server, paths, token, clients, seconds):
    """Fallback without wrk: one thread and one keep-alive connection per client."""
    lat, bad, lock = [], [0], threading.Lock()
    stop_at = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    def client(k):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        mine, i = [], k * 997
        while time.monotonic() < stop_at:
            i += 1
            t = time.perf_counter()
            try:
                conn.request("GET", paths[i % len(paths)], headers=headers)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            mine.append((time.perf_counter() - t) * 1000)
            if not ok:
                with lock:
                    bad[0] += 1
        with lock:
            lat.extend(mine)
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    return {"tool": "python http.client", "requests": len(lat), "seconds": took, "rps": len(lat) / took,
            "p50": pct(lat, 50), "p90": pct(lat, 90), "p99": pct(lat, 99), "p999": pct(lat, 99.9), "max": max(lat),
            "mean": statistics.fmean(lat), "errors": 0, "non2xx": bad[0], "raw": ""}


def run_load(args, server, paths, token, clients, seconds, work):
    if shutil.which("wrk") and not args.python_load:
        return load_wrk(server, paths, token, clients, seconds, args.wrk_threads, work)
    load = load_python(server, paths, token, clients, seconds)
    died = server.exited()
    if died:
        raise SystemExit(f"the server exited during the load run: {died}")
    return load


# ---------------------------------------------------------------------------
# Audio
# ---------------------------------------------------------------------------

def audio_seeks(server, rec_id, wav_path, token, n, rng):
    """GET …/audio with Range: bytes=N- at n random N; each on a connection opened before the clock starts.
    Returns [(N, ms to the response head, ms to the first 64 KiB)] and a list of problems."""
    size = wav_path.stat().st_size
    positions = sorted(rng.randrange(0, size - CHUNK) for _ in range(n - 1)) + [size - CHUNK - 1]  # one in the last minute
    rng.shuffle(positions)
    out, problems = [], []
    path = f"/api/v1/recordings/{rec_id}/audio?purpose={PURPOSE}"
    with open(wav_path, "rb") as original:
        for pos in positions:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            t = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}", "Range": f"bytes={pos}-"})
            r = conn.getresponse()
            head = time.perf_counter() - t
            got = r.read(CHUNK) if r.status == 206 else r.read()
            first = time.perf_counter() - t
            conn.close()  # as a player that seeks again: the rest of the range is not read
            if r.status != 206:
                problems.append(f"Range bytes={pos}-: status {r.status} {got[:200]!r}")
                continue
            want_range = f"bytes {pos}-{size - 1}/{size}"
            if r.getheader("Content-Range") != want_range:
                problems.append(f"Range bytes={pos}-: Content-Range {r.getheader('Content-Range')!r}, not {want_range!r}")
            original.seek(pos)
            if got != original.read(CHUNK):
                problems.append(f"Range bytes={pos}-: the first 64 KiB differ from the WAV's bytes")
            out.append((pos, head * 1000, first * 1000))
    return out, problems


# ---------------------------------------------------------------------------

def main(args):
    """Runs the load test for the parsed options of scripts/bench-serve; prints the results and
    exits 1 when a target fails or something went wrong."""
    need("sqlite3")
    if not shutil.which("wrk") and not args.python_load:
        log("wrk is not installed (apt-get install -y wrk): using the Python load generator")
    for name in ("clients", "wrk_threads"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be at least 1")
    if args.seconds <= 0:
        raise SystemExit("--seconds must be more than 0")

    if not args.no_build:
        build_release(args.lock_file, message="1. building release (through the build lock)")
    binary = release_binary()
    head = git_head()
    work = work_folder(args.work, "serve-")
    run = Runner(private_copy(binary, work / "bin"), lock=lock_path(args), idle_wait=args.idle_wait)
    failures, results, server = [], [], None
    info = {}
    try:
        archive, tz, t0 = make_archive(args, run, work)
        token = add_accounts(run, archive)
        rec_id, wav = add_long_recording(args, run, work, archive, tz, t0)
        items = int(sql(archive / "index.sqlite", "SELECT count(*) FROM items")[0])
        paths, n_numbers = search_paths(archive, t0, NAME_WORDS)
        info["archive"] = f"{items:,} items ({args.cdrs:,} CDRs, {args.recordings:,} + 1 recordings), index {(archive / 'index.sqlite').stat().st_size / 1e6:.0f} MB"
        info["queries"] = (f"{len(paths)} rotating: {n_numbers} numbers from the archive (half all-time, half a 30-day window), "
                           f"{len(NAME_WORDS)} caller-name words; limit=50")

        log("5. serve")
        server = Server(run, archive, work)
        auth = {"Authorization": f"Bearer {token}"}
        totals = []
        for p in paths[:40]:  # warm-up, and the answers are what they should be
            status, body = server.get(p, auth)
            if status != 200:
                raise SystemExit(f"GET {p}: {status} {body[:300]!r}")
            totals.append(json.loads(body)["total"])
        status, _ = server.get(paths[0])
        if status != 401:
            failures.append(f"a search without a token answered {status}, not 401")
        info["warm-up"] = f"40 searches, all 200; hits per search: median {statistics.median(totals):.0f}, max {max(totals)}"
        audit0 = int(sql(archive / "index.sqlite", "SELECT count(*) FROM audit_log WHERE action = 'search'")[0])

        log("6. search load")
        with run.quiet("search load"):
            one = run_load(args, server, paths, token, 1, min(5, args.seconds), work)
            m0, cpu0 = server.search_histogram(), server.cpu_seconds()
            load = run_load(args, server, paths, token, args.clients, args.seconds, work)
            cpu1, m1 = server.cpu_seconds(), server.search_histogram()
        audit1 = int(sql(archive / "index.sqlite", "SELECT count(*) FROM audit_log WHERE action = 'search'")[0])
        in_mean, in_p99, in_n = histogram_delta(m0, m1)
        info["1 client"] = f"{one['rps']:,.0f} searches/s, p50 {one['p50']:.2f} ms, p99 {one['p99']:.2f} ms"
        info[f"{args.clients} clients ({load['tool']})"] = (
            f"{load['requests']:,} searches in {load['seconds']:.1f} s = {load['rps']:,.0f}/s; p50 {load['p50']:.2f} ms, "
            f"p90 {load['p90']:.2f} ms, p99 {load['p99']:.2f} ms, p99.9 {load['p999']:.2f} ms, max {load['max']:.1f} ms; "
            f"non-2xx {load['non2xx']}, socket errors {load['errors']}")
        info["server CPU during the load"] = f"{(cpu1 - cpu0) / load['seconds']:.2f} of {os.cpu_count()} cores"
        if in_mean is not None:
            info["server-side search time (callvault_search_duration_seconds)"] = (
                f"{in_n:,} searches, mean {in_mean * 1000:.2f} ms, p99 <= {in_p99 * 1000:g} ms (histogram bucket)")
        info["search audit entries written"] = f"{audit1 - audit0:,} (1-client + load runs)"
        if load["non2xx"] or load["errors"]:
            failures.append(f"{load['non2xx']} non-2xx answers and {load['errors']} socket errors under load")
        if audit1 - audit0 < one["requests"] + load["requests"] - load["non2xx"] - one["non2xx"]:
            failures.append(f"only {audit1 - audit0} search audit entries for {one['requests'] + load['requests']} searches")

        log(f"7. audio: {args.seeks} range requests into {rec_id}")
        with run.quiet("audio seeks"):
            seeks, problems = audio_seeks(server, rec_id, wav, token, args.seeks, random.Random(29))
        failures += problems
        heads = [s[1] for s in seeks]
        firsts = [s[2] for s in seeks]
        if seeks:
            worst = max(seeks, key=lambda s: s[2])
            info["audio seeks"] = (f"{len(seeks)} × Range bytes=N- into a {wav.stat().st_size / 1e6:.1f} MB WAV "
                                   f"({args.recording_minutes:g} min): response head p50 {statistics.median(heads):.1f} ms, "
                                   f"max {max(heads):.1f} ms; first 64 KiB p50 {statistics.median(firsts):.1f} ms, "
                                   f"max {max(firsts):.1f} ms (at byte {worst[0]:,} = minute {worst[0] / 16000 / 60:.1f}); "
                                   f"all bytes match the WAV: {'yes' if not problems else 'NO'}")
        code = server.stop()
        server = None
        if code != 0:
            failures.append(f"serve exited {code} on SIGTERM")

        full = args.cdrs >= 1_000_000 and args.clients >= 32 and args.recording_minutes >= 60
        note = "" if full else " (not a full-size run)"
        ok_p99 = load["p99"] < 50
        ok_rps = load["rps"] >= 1000
        ok_audio = bool(seeks) and max(firsts) < 100 and not problems
        results.append((f"search p99, {args.clients} clients, {args.cdrs:,} CDRs",
                        f"{load['p99']:.1f} ms (p50 {load['p50']:.1f} ms)", "< 50 ms", ok_p99))
        results.append((f"search throughput, {args.clients} clients", f"{load['rps']:,.0f} searches/s", "≥ 1,000/s", ok_rps))
        if seeks:
            results.append((f"audio start at a random seek, {args.recording_minutes:g}-min recording ({len(seeks)} seeks)",
                            f"first 64 KiB: max {max(firsts):.1f} ms, p50 {statistics.median(firsts):.1f} ms",
                            "< 100 ms", ok_audio))
        for metric, measured, goal, ok in results:
            if not ok:
                failures.append(f"{metric}: {measured} (target {goal})")
    finally:
        if server:
            server.stop()
        print(f"callvault serve load test: release build of {head}, {os.cpu_count()} cores, "
              f"{time.strftime('%Y-%m-%d %H:%M %Z')}{'' if not args.quick else ' (--quick)'}")
        for key, value in info.items():
            print(f"- {key}: {value}")
        if results:
            print()
            print("| target | measured | goal | result |")
            print("|---|---|---|---|")
            for metric, measured, goal, ok in results:
                print(f"| {metric} | {measured} | {goal} | **{('PASS' if ok else 'FAIL') + note}** |")
        for f in failures:
            print(f"!! {f}")
        leave_work_folder(work, args.keep)
    raise SystemExit(1 if failures else 0)

