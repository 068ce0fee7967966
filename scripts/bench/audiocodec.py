"""bench-audio: callvault's recordings codec (issue 19) against flac -5, gzip -6 and xz -6 on
generated calls in the four encodings a PBX writes (the steps; scripts/bench-audio parses the
options and calls main)."""

import hashlib
import http.client
import json
import os
import random
import shlex
import shutil
import socket
import statistics
import subprocess
import time
from pathlib import Path

from . import ROOT
from . import report
from .audio import recording_name, wav_header
from .calls import ENCODINGS, RATE, CallMaker, check_file, make_calls, pcm16_wav, scale, write_corpus
from .files import dir_size, sha256_file, sql
from .helsinki import Helsinki
from .people import AGENTS, People
from .report import MB, MiB, environment, info, log, mb, problem, result
from .runner import (CommandFailed, Runner, build_release, cpu_busy_seconds, failure, gnu_time, lock_path, need, private_copy,
                     leave_work_folder, release_binary, work_folder)
from .serve import LEAD, PASSWORDS, Server, pct

DEFAULT_RESULTS = ROOT / "scripts" / "bench-results.md"
SECTION = "# callvault recordings codec benchmark (scripts/bench-audio)"
CALL_SEED, HOUR_SEED, BIG_SEED, RANGE_SEED = 1900, 1990, 1995, 1999  # call i of the corpus: CALL_SEED + i
PURPOSE = "customer-service"
RANGE_BYTES = 64 * 1024
T0 = 1772438400  # 2026-03-02 08:00 UTC: the corpus calls start from here, 90 minutes apart

CODEC = {"pcm16": "pcm_s16le", "alaw16": "pcm_s16le", "mulaw8": "mulaw", "alaw8": "alaw"}
LABEL = {name: label for name, label, _ in ENCODINGS}
# What each encoding's stored size is held against (issue 19): (reference, at most this × its size).
SIZE_TARGET = {"pcm16": ("flac -5", 1.00), "alaw16": ("flac -5", 0.85), "mulaw8": ("xz -6", 1.00), "alaw8": ("xz -6", 1.00)}
# The references, each file compressed on its own by one process (as callvault stores each file on its own).
REFERENCES = {
    "flac -5": ("flac", 'flac -5 -s -f -o "$out/$i.flac" "$f"'),
    "gzip -6": ("gz", 'gzip -6 -c "$f" > "$out/$i.gz"'),
    "xz -6": ("xz", 'xz -6 -c "$f" > "$out/$i.xz"'),
}
def mb2(n):
    """Sizes to compare: two decimals of MB."""
    return f"{n / MB:,.2f} MB"


INGEST_VS_GZIP, EXTRACT_MBS, RANGE_FIRST_BYTE_MS, BIG_RSS = 2.0, 150, 5.0, 64 * MB


# ---------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------

class Naming:
    """FreePBX names for the generated calls (callvault ingest files a recording by its name):
    queue, inbound and outbound calls with the customers' numbers, 90 minutes apart."""

    def __init__(self):
        self.tz = Helsinki(range(2024, 2028))
        self.people = People(seed=3, customers=200)

    def path(self, index, start=None):
        """(folder below monitor/, file name) of the call numbered `index`."""
        start = start if start is not None else T0 + index * 5400
        number = self.people.customers[index % len(self.people.customers)][2][0].national
        rtype = ("q", "in", "out")[index % 3]
        agent = AGENTS[index % len(AGENTS)]
        cand = (f"{start}.{100 + index}", start, rtype, number, number if rtype == "out" else agent, agent)
        return time.strftime("%Y/%m/%d", time.gmtime(self.tz.wall(start))), recording_name(self.tz, cand)

    def customers_csv(self, path):
        self.people.write_customers_csv(path)


def step_corpus(args, work, naming):
    """The calls in the four encodings, each encoding in its own folder work/ENC/monitor/…; returns
    {encoding: [(path, size, sha256)]} and the calls."""
    minutes = args.calls * args.minutes
    log(f"1. generating {args.calls} calls of ~{args.minutes:g} min ({minutes:g} min of audio) with espeak-ng and sox, "
        f"in {len(ENCODINGS)} encodings")
    t = time.monotonic()
    calls = make_calls(args.calls, args.minutes, CALL_SEED, work / "tmp", log=log)
    files = {}
    for name, _, encode in ENCODINGS:
        files[name] = []
        for i, call in enumerate(calls):
            sub, file_name = naming.path(i)
            path = work / name / "monitor" / sub / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            data = encode(call.mono)
            path.write_bytes(data)
            wrong = check_file(path, name)
            if wrong:
                problem(f"generated file is not what it should be: {wrong}")
            files[name].append((path, len(data), hashlib.sha256(data).hexdigest()))
    seconds = sum(c.seconds for c in calls)
    langs = {}
    for c in calls:
        langs[c.about["language"]] = langs.get(c.about["language"], 0) + 1
    info("corpus", f"{len(calls)} calls, {seconds / 60:.1f} min of audio ({', '.join(f'{c.seconds / 60:.1f}' for c in calls)} min; "
                   f"languages {', '.join(f'{k} {v}' for k, v in sorted(langs.items()))}; "
                   f"{sum(c.about['turns'] for c in calls)} turns), generated in {time.monotonic() - t:.1f} s; "
                   + "; ".join(f"{name} {mb(sum(s for _, s, _ in files[name]))}" for name in files))
    return files, calls


# ---------------------------------------------------------------------------
# Archives, references, extract
# ---------------------------------------------------------------------------

def new_archive(run, work, name, naming):
    """A fresh archive with the bench accounts and the customers the recordings' numbers belong to."""
    archive = work / f"archive-{name}"
    run.cv_json("init", "--archive", archive)
    csv_path = work / "customers.csv"
    if not csv_path.exists():
        naming.customers_csv(csv_path)
    with run.quiet("customers import"):
        run.cv_json("customers", "import", csv_path, "--archive", archive)
    return archive


def drop_archive(args, archive):
    """Removes an archive and the key folder and anchor file beside it (kept with --keep)."""
    if args.keep:
        return
    for path in (archive, archive.with_name(archive.name + ".keys"), archive.with_name(archive.name + ".anchors")):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def audited_ms(archive, action, like=None):
    """(entries, sum of duration_ms) of the audit log's `action` entries: the time callvault itself
    measured for the work, without process start and archive opening."""
    where = f"action = '{action}'" + (f" AND details LIKE '{like}'" if like else "")
    row = sql(archive / "index.sqlite", f"SELECT count(*), sum(duration_ms) FROM audit_log WHERE {where}")[0].split("|")
    return int(row[0]), (int(row[1]) if row[1] else None)


def stored_recordings(archive):
    """{file name: (rec id, bytes, stored_bytes, codec, rate, channels, bits)} from the archive's index."""
    rows = sql(archive / "index.sqlite", "SELECT item_id, file_name, bytes, stored_bytes, codec, sample_rate, channels, bits "
                                         "FROM recordings ORDER BY item_id")
    out = {}
    for row in rows:
        item_id, file_name, size, stored, codec, rate, channels, bits = row.split("|")
        out[file_name] = (f"rec-{item_id}", int(size), int(stored), codec, int(rate), int(channels), int(bits))
    return out


def references(run, work, name, paths, total):
    """Each reference tool over the files (one process per file, all in one timed shell loop):
    {tool: (total compressed bytes, wall s)}; flac only for 16-bit PCM."""
    out = {}
    for tool, (suffix, body) in REFERENCES.items():
        if tool == "flac -5" and not name.endswith("16"):
            continue  # flac takes linear PCM only: no G.711 WAV
        folder = work / "ref" / name / suffix
        folder.mkdir(parents=True)
        script = f'out=$1; shift; i=0; for f in "$@"; do i=$((i+1)); {body} || exit 1; done'
        wall, _, stdout, stderr, rc = run.timed(["sh", "-c", script, "sh", folder, *paths],
                                                what=f"{tool} of the {len(paths)} {name} files")
        if rc != 0:
            raise CommandFailed(run.last_argv, rc, stdout, stderr, what=f"{tool} of the {name} files")
        size = dir_size(folder)
        shutil.rmtree(folder)
        out[tool] = (size, wall)
        info(f"{tool}, {name}", f"{mb2(size)} ({size / total:.1%} of the WAVs) in {wall:.2f} s = {total / wall / MB:.1f} MB/s")
    return out


def extract_all(run, work, archive, stored, originals):
    """`recording extract` of each recording (one process each), each checked byte for byte against
    its original by SHA-256: (bytes, seconds, files that did not match or failed)."""
    out_dir = work / "extract"
    out_dir.mkdir(exist_ok=True)
    n_bytes, took, bad = 0, 0.0, 0
    with run.quiet("extract"):
        for file_name, (rid, *_rest) in stored.items():
            target = out_dir / f"{rid}.wav"
            t = time.monotonic()
            r = run.cv("recording", "extract", rid, "--out", target, "--purpose", PURPOSE, "--archive", archive, "--json",
                       check=False)
            took += time.monotonic() - t
            if r.returncode != 0:
                bad += 1
                problem(f"extract {rid} failed: {failure(r.args, r.returncode, r.stdout, r.stderr)}")
                continue
            want = originals.get(file_name)
            if want is None or sha256_file(target) != want[1] or target.stat().st_size != want[0]:
                bad += 1
                problem(f"extracted {rid} ({file_name}) is not byte-exact")
            n_bytes += target.stat().st_size
            target.unlink()
    return n_bytes, took, bad


def step_encoding(args, work, run, naming, name, files):
    """One encoding: ingest into its own archive, stored size, the references, extract."""
    paths = [p for p, _, _ in files]
    total = sum(s for _, s, _ in files)
    n = len(paths)
    log(f"2. {name} ({LABEL[name]}): {n} files, {mb(total)}")
    archive = new_archive(run, work, name, naming)
    wall, rss, out, err, rc = run.timed([run.binary, "ingest", work / name / "monitor", "--archive", archive, "--json"],
                                        what=f"callvault ingest of the {n} {name} files")
    summary = json.loads(out) if out.strip().startswith("{") else {}
    if rc != 0 or summary.get("recordings") != n or summary.get("rejected"):
        problem(f"ingest of the {name} files: rc {rc}, {summary.get('recordings')} of {n} stored, rejected "
                f"{summary.get('rejected')}, {run.why(rc, out, err)}")
    stored = stored_recordings(archive)
    originals = {p.name: (s, h) for p, s, h in files}
    for file_name, (rid, size, _, codec, rate, channels, bits) in stored.items():
        want = originals.get(file_name)
        if want is None or size != want[0]:
            problem(f"{name}: {rid} {file_name} holds {size} bytes; the file has {want[0] if want else '?'}")
        if (codec, rate, channels) != (CODEC[name], RATE, 1):
            problem(f"{name}: {rid} is indexed as {codec} {rate} Hz {channels} ch {bits} bits, not {CODEC[name]} {RATE} Hz mono")
    stored_bytes = sum(v[2] for v in stored.values())
    on_disk = dir_size(archive / "blobs") if (archive / "blobs").exists() else 0
    cv_rate = total / wall / MB
    info(f"callvault ingest, {name}", f"{n} files {mb(total)} in {wall:.2f} s = {cv_rate:.1f} MB/s, peak RSS {mb(rss or 0)}; "
                                      f"stored_bytes {mb2(stored_bytes)} ({stored_bytes / total:.1%}), blob files on disk "
                                      f"{mb2(on_disk)}")
    _, ingest_ms = audited_ms(archive, "ingest", "%freepbx-monitor%")
    if ingest_ms:
        info(f"in-process ingest, {name} (audit duration_ms: blob put incl. compression, SHA-256, fsyncs + index)",
             f"{ingest_ms / 1000:.2f} s = {total / (ingest_ms / 1000) / MB:.1f} MB/s")
    refs = references(run, work, name, paths, total)
    ref_name, factor = SIZE_TARGET[name]
    ref_size = refs[ref_name][0]
    result(f"stored size, {name}: {LABEL[name]}, {n} files {mb(total)}",
           f"{mb2(stored_bytes)} = {stored_bytes / ref_size:.3f}× {ref_name} ({mb2(ref_size)}); {stored_bytes / total:.1%} of the WAVs",
           f"≤ {factor:.2f}× {ref_name}", stored_bytes <= factor * ref_size)
    gz_rate = total / refs["gzip -6"][1] / MB
    result(f"ingest throughput, {name}, {n} files {mb(total)}",
           f"{cv_rate:.1f} MB/s = {cv_rate / gz_rate:.2f}× gzip -6 ({gz_rate:.1f} MB/s)", f"≥ {INGEST_VS_GZIP:g}× gzip -6",
           cv_rate >= INGEST_VS_GZIP * gz_rate)
    x_bytes, x_took, bad = extract_all(run, work, archive, stored, originals)
    x_rate = x_bytes / x_took / MB if x_took else 0
    # A `recording extract` process costs tens of ms before and after the extract itself (start,
    # opening the archive, the audit entry), more than a few-MB file takes: the target is judged on
    # the time callvault's audit entry measured for each extract, the wall time shown beside it.
    entries, x_ms = audited_ms(archive, "extract")
    in_rate = x_bytes / (x_ms / 1000) / MB if x_ms and entries == len(stored) else None
    measured = (f"{in_rate:.0f} MB/s in-process (audit duration_ms, {x_ms / max(1, entries):.0f} ms a file); " if in_rate else "")
    rate = in_rate if in_rate is not None else x_rate
    result(f"extract throughput, {name}, {len(stored)} files one process each",
           measured + f"{x_rate:.0f} MB/s wall ({x_took / max(1, len(stored)) * 1000:.0f} ms a file, process start included); "
           f"byte-exact: {'yes' if not bad else 'NO'}",
           f"≥ {EXTRACT_MBS} MB/s" + (" (in-process)" if in_rate is not None else " (wall)"), rate >= EXTRACT_MBS and not bad)
    drop_archive(args, archive)
    shutil.rmtree(work / "extract", ignore_errors=True)
    return {"files": n, "bytes": total, "stored": stored_bytes, "refs": refs, "ingest": cv_rate, "extract": x_rate,
            "extract_in": in_rate, "seconds": total / (2 if name.endswith("16") else 1) / RATE}


# ---------------------------------------------------------------------------
# The hour-long recording: range reads through `callvault serve`
# ---------------------------------------------------------------------------

def lead_token(run, archive):
    """The lead account of bench-serve and a bearer token for it (play-recording: compliance, lead)."""
    argv = [run.binary, "users", "add", LEAD, "--role", "lead", "--password-stdin", "--as", run.ADMIN, "--archive", str(archive)]
    r = subprocess.run(argv, input=PASSWORDS[LEAD] + "\n", capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"users add {LEAD} failed: {failure(argv, r.returncode, r.stdout, r.stderr)}")
    token = run.cv_json("users", "token", LEAD, "--as", run.ADMIN, "--archive", archive)["token"]
    if not token.startswith("cv_"):
        raise SystemExit(f"users token gave {token[:6]}…, not a cv_ token")
    return token


def range_reads(server, rec_id, path, token, count, rng):
    """GET …/audio with `Range: bytes=X-(X+64 KiB-1)`, X at random in the middle half of the file, each on
    a connection opened before the clock starts: [(X, ms to the response head, ms to the first body byte)]
    and problems (status, Content-Range, bytes that differ from the file's)."""
    size = path.stat().st_size
    url = f"/api/v1/recordings/{rec_id}/audio?purpose={PURPOSE}"
    out, problems = [], []
    with open(path, "rb") as original:
        for _ in range(count):
            x = rng.randrange(size // 4, 3 * size // 4 - RANGE_BYTES) & ~1
            y = x + RANGE_BYTES - 1
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            t = time.perf_counter()
            conn.request("GET", url, headers={"Authorization": f"Bearer {token}", "Range": f"bytes={x}-{y}"})
            r = conn.getresponse()
            head = time.perf_counter() - t
            first = r.read(1)
            first_at = time.perf_counter() - t
            body = first + r.read()
            conn.close()
            if r.status != 206:
                problems.append(f"Range bytes={x}-{y}: status {r.status} {body[:200]!r}")
                continue
            want = f"bytes {x}-{y}/{size}"
            if r.getheader("Content-Range") != want:
                problems.append(f"Range bytes={x}-{y}: Content-Range {r.getheader('Content-Range')!r}, not {want!r}")
            original.seek(x)
            if body != original.read(RANGE_BYTES):
                problems.append(f"Range bytes={x}-{y}: the body differs from the file's bytes")
            out.append((x, head * 1000, first_at * 1000))
    return out, problems


def step_hour(args, work, run, naming):
    seconds = args.hour_minutes * 60
    log(f"3. a {args.hour_minutes:g}-minute call (16-bit PCM): ingest, `callvault serve`, {args.range_reads} range reads "
        f"from its middle")
    t = time.monotonic()
    call = CallMaker(work / "tmp").call(random.Random(HOUR_SEED), seconds)
    sub, file_name = naming.path(99, start=T0 + 40 * 86400)
    path = work / "hour" / "monitor" / sub / file_name
    path.parent.mkdir(parents=True)
    path.write_bytes(pcm16_wav(call.mono))
    del call
    size = path.stat().st_size
    info("hour-long call", f"{size / 2 / RATE / 60:.1f} min, {mb(size)}, generated in {time.monotonic() - t:.0f} s")
    archive = new_archive(run, work, "hour", naming)
    wall, rss, out, err, rc = run.timed([run.binary, "ingest", work / "hour" / "monitor", "--archive", archive, "--json"],
                                        what=f"callvault ingest of the {mb(size)} hour-long call")
    summary = json.loads(out) if out.strip().startswith("{") else {}
    if rc != 0 or summary.get("recordings") != 1:
        problem(f"ingest of the hour-long call: rc {rc}, {summary}, {run.why(rc, out, err)}")
        return
    stored = stored_recordings(archive)
    rec_id, _, stored_bytes, *_ = stored[file_name]
    info("callvault ingest, hour-long call", f"{mb(size)} in {wall:.2f} s = {size / wall / MB:.1f} MB/s, peak RSS "
                                             f"{mb(rss or 0)}, stored {mb(stored_bytes)} ({stored_bytes / size:.1%})")
    token = lead_token(run, archive)
    server = Server(run, archive, work)
    try:
        rng = random.Random(RANGE_SEED)
        with run.quiet("range reads"):
            warm, warm_problems = range_reads(server, rec_id, path, token, 3, rng)
            busy0, server0, own0, t = cpu_busy_seconds(), server.cpu_seconds(), time.process_time(), time.monotonic()
            reads, read_problems = range_reads(server, rec_id, path, token, args.range_reads, rng)
            busy, server_cpu, own, took = (cpu_busy_seconds() - busy0, server.cpu_seconds() - server0,
                                           time.process_time() - own0, time.monotonic() - t)
        died = server.exited()
    finally:
        code = server.stop()
    for p in warm_problems + read_problems:
        problem(p)
    if died:
        problem(f"the server exited during the range reads: {died}")
    elif code != 0:
        problem(f"serve exited {code} on SIGTERM")
    if warm:
        info("warm-up range reads (not counted)", ", ".join(f"{w[2]:.2f} ms" for w in warm) + " to the first body byte")
    if not reads:
        problem("no range read answered 206")
        return
    info("CPU during the range reads", f"{took:.2f} s: the server {server_cpu:.2f} s, this script {own:.2f} s, the rest of the "
                                       f"machine {max(0.0, busy - server_cpu - own):.2f} s (of {os.cpu_count()} × {took:.2f} s)")
    firsts = [r[2] for r in reads]
    heads = [r[1] for r in reads]
    p50, p95 = statistics.median(firsts), pct(firsts, 95)
    worst = max(reads, key=lambda r: r[2])
    info("range reads", f"{len(reads)} × GET /api/v1/recordings/{rec_id}/audio with Range: bytes=X-(X+65535), X in the middle "
                        f"half of the {mb(size)} WAV; response head p50 {statistics.median(heads):.2f} ms; first body byte "
                        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {worst[2]:.2f} ms (at minute {worst[0] / 2 / RATE / 60:.1f}); "
                        f"bodies equal the WAV's bytes: {'yes' if not read_problems else 'NO'}")
    result(f"first body byte of a 64 KiB range read from the middle of a {args.hour_minutes:g}-min recording ({len(reads)} reads)",
           f"p95 {p95:.2f} ms, p50 {p50:.2f} ms, max {worst[2]:.2f} ms", f"< {RANGE_FIRST_BYTE_MS:g} ms (p95)",
           p95 < RANGE_FIRST_BYTE_MS and not read_problems)
    drop_archive(args, archive)


# ---------------------------------------------------------------------------
# The big recording: peak RSS of its ingest
# ---------------------------------------------------------------------------

def step_big(args, work, run, naming, pool):
    size = int(args.big_recording_mb * MB)
    log(f"4. big recording: {mb(size)} of 16-bit PCM made of the corpus calls")
    rng = random.Random(BIG_SEED)
    sub, file_name = naming.path(98, start=T0 + 41 * 86400)
    path = work / "big" / sub / file_name
    path.parent.mkdir(parents=True)
    data_bytes = (size - 44) & ~1
    h = hashlib.sha256()
    with open(path, "wb") as fh:
        head = wav_header(data_bytes)
        fh.write(head)
        h.update(head)
        left = data_bytes
        while left > 0:
            a = rng.randrange(0, max(1, len(pool) // 2 - 1)) * 2
            piece = pool[a:a + min(left, rng.randrange(1, 5) * MiB)]
            if len(piece) < 2:
                continue
            piece = scale(piece[:len(piece) & ~1], rng.uniform(0.7, 1.0))  # no two copies of a stretch alike
            fh.write(piece)
            h.update(piece)
            left -= len(piece)
    original = h.hexdigest()
    total = path.stat().st_size
    archive = new_archive(run, work, "big", naming)
    wall, rss, out, err, rc = run.timed([run.binary, "ingest", path, "--archive", archive, "--json"],
                                        what=f"callvault ingest of the {mb(total)} recording")
    summary = json.loads(out) if out.strip().startswith("{") else {}
    if rc != 0 or summary.get("recordings") != 1:
        problem(f"big recording ingest: rc {rc}, {summary}, {run.why(rc, out, err)}")
        return
    stored = stored_recordings(archive)
    rec_id, _, stored_bytes, *_ = stored[file_name]
    cv_rate = total / wall / MB
    result(f"peak RSS, ingest of a {mb(total)} recording", mb(rss or 0), f"< {BIG_RSS / MB:.0f} MB",
           rss is not None and rss < BIG_RSS)
    gz = work / "big.gz"
    with open(gz, "wb") as gz_out:
        gz_wall, _, _, gz_err, gz_rc = run.timed(["gzip", "-6", "-c", path], stdout=gz_out, what=f"gzip -6 of the {mb(total)} recording")
    if gz_rc != 0:
        raise CommandFailed(run.last_argv, gz_rc, None, gz_err, what="gzip -6 of the big recording")
    gz_size = gz.stat().st_size
    gz.unlink()
    gz_rate = total / gz_wall / MB
    info("callvault ingest of the big recording", f"{mb(total)} in {wall:.2f} s = {cv_rate:.1f} MB/s, stored {mb(stored_bytes)} "
                                                  f"({stored_bytes / total:.1%}); gzip -6 {mb(gz_size)} ({gz_size / total:.1%}) "
                                                  f"in {gz_wall:.2f} s")
    result(f"ingest throughput, one {mb(total)} recording", f"{cv_rate:.1f} MB/s = {cv_rate / gz_rate:.2f}× gzip -6 ({gz_rate:.1f} MB/s)",
           f"≥ {INGEST_VS_GZIP:g}× gzip -6", cv_rate >= INGEST_VS_GZIP * gz_rate)
    walls = []
    for attempt in range(3):
        target = work / f"big-extracted-{attempt}.wav"
        wall_x, rss_x, out, err, rc = run.timed([run.binary, "recording", "extract", rec_id, "--out", target, "--purpose", PURPOSE,
                                                 "--archive", archive, "--json"],
                                                what=f"extract of the {mb(total)} recording, run {attempt + 1}")
        if rc != 0:
            problem(f"big extract failed: {run.failure(rc, out, err)}")
            return
        exact = target.stat().st_size == total and sha256_file(target) == original
        if not exact:
            problem(f"big extract run {attempt + 1} is NOT byte-exact")
        target.unlink()
        walls.append((wall_x, exact, rss_x))
    wall_x, _, rss_x = sorted(walls)[1]
    exact = all(w[1] for w in walls)
    rate = total / wall_x / MB
    entries, x_ms = audited_ms(archive, "extract")
    if x_ms and entries:
        info("in-process extract of the big recording (audit duration_ms)",
             f"{x_ms / entries / 1000:.2f} s a run = {total / (x_ms / entries / 1000) / MB:.0f} MB/s")
    result(f"extract throughput, one {mb(total)} recording",
           f"{rate:.0f} MB/s, median of 3 ({', '.join(f'{total / w[0] / MB:.0f}' for w in walls)}); byte-exact: "
           f"{'yes' if exact else 'NO'}; peak RSS {mb(rss_x or 0)}", f"≥ {EXTRACT_MBS} MB/s", rate >= EXTRACT_MBS and exact)
    path.unlink()
    drop_archive(args, archive)


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------

def tool_versions():
    def first_line(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"
    return {"flac": first_line(["flac", "--version"]), "xz": first_line(["xz", "--version"]),
            "sox": first_line(["sox", "--version"]).replace("sox:", "").strip(),
            "espeak-ng": first_line(["espeak-ng", "--version"]).split(" Data at")[0].strip()}


def markdown(args, env, tools, started, took, per, argv):
    lines = [SECTION, ""]
    lines.append(f"- command: `{' '.join(shlex.quote(a) for a in ['scripts/bench-audio', *argv])}`")
    lines.append(f"- date: {started} (run took {took / 60:.1f} min)")
    lines.append(f"- machine: nproc {env['nproc']}, {env['cpu']}, {env['memory']} RAM, Linux {env['kernel']}")
    lines.append(f"- callvault: release build of {env['git']}; {env['gzip']}; {tools['flac']}; {tools['xz']}; "
                 f"sox {tools['sox']}; {tools['espeak-ng']}; Python {env['python']}")
    sizes = (f"{args.calls} calls of ~{args.minutes:g} min in each of {len(ENCODINGS)} encodings; hour-long call "
             f"{args.hour_minutes:g} min ({args.range_reads} range reads); big recording {args.big_recording_mb:g} MB")
    lines.append(f"- sizes: {sizes}" + (" (**--quick smoke run: not the target sizes**)" if args.quick else ""))
    lines.append(f"- timed sections held the build lock: {'yes' if not args.no_lock else 'no (--no-lock)'}")
    lines.append("")
    lines.append("| target | measured | goal | result |")
    lines.append("|---|---|---|---|")
    for metric, measured, target, v in report.RESULTS:
        lines.append(f"| {metric} | {measured} | {target} | **{v}** |")
    if per:
        lines.append("")
        lines.append("Stored size, totals over all files of an encoding, each file compressed on its own (% of the WAVs):")
        lines.append("")
        lines.append("| encoding | files, audio | WAV | callvault | flac -5 | gzip -6 | xz -6 |")
        lines.append("|---|---|---|---|---|---|---|")
        for name, p in per.items():
            def cell(size):
                return f"{mb2(size)} ({size / p['bytes']:.1%})"
            refs = p["refs"]
            lines.append(f"| {name}: {LABEL[name]} | {p['files']}, {p['seconds'] / 60:.1f} min | {mb(p['bytes'])} | "
                         f"{cell(p['stored'])} | {cell(refs['flac -5'][0]) if 'flac -5' in refs else '—'} | "
                         f"{cell(refs['gzip -6'][0])} | {cell(refs['xz -6'][0])} |")
        lines.append("")
        lines.append("Throughput, MB/s of WAV (callvault ingest: one process for all files; references: one process per file; "
                     "extract: one `recording extract` per file, process start included; in-process: the extracts' audit duration_ms):")
        lines.append("")
        lines.append("| encoding | callvault ingest | gzip -6 | flac -5 | xz -6 | callvault extract | extract in-process |")
        lines.append("|---|---|---|---|---|---|---|")
        for name, p in per.items():
            def rate(tool):
                return f"{p['bytes'] / p['refs'][tool][1] / MB:.1f}" if tool in p["refs"] else "—"
            inproc = f"{p['extract_in']:.0f}" if p.get("extract_in") else "?"
            lines.append(f"| {name} | {p['ingest']:.1f} | {rate('gzip -6')} | {rate('flac -5')} | {rate('xz -6')} | "
                         f"{p['extract']:.0f} | {inproc} |")
    lines.append("")
    lines.append("Details:")
    lines.append("")
    for item, value in report.INFO:
        lines.append(f"- {item}: {value}")
    lines.append("")
    lines.append("Timed processes (\"others\": CPU seconds the rest of the machine used during the step):")
    lines.append("")
    lines.append("| step | wall s | user s | sys s | peak RSS | others, CPU s |")
    lines.append("|---|---|---|---|---|---|")
    for what, wall, cpu, rss, other in report.TIMINGS:
        u, k = (f"{cpu[0]:.2f}", f"{cpu[1]:.2f}") if cpu else ("", "")
        o = f"{other:.1f}" if other is not None else ""
        lines.append(f"| {what} | {wall:.2f} | {u} | {k} | {mb(rss) if rss else ''} | {o} |")
    if report.PROBLEMS:
        lines.append("")
        lines.append("Problems:")
        lines.append("")
        for p in report.PROBLEMS:
            lines.append("- " + "\n  ".join(p.splitlines()))
    lines.append("")
    lines.append("How it is measured: the calls are made as scripts/make-samples.py makes the samples (bench/calls.py: "
                 "two espeak-ng voices, each turn through sox to 8 kHz 16-bit, telephone band 300-3400 Hz, normalised, "
                 "the far end quieter; pauses, 425 Hz ringback before the answer, band-limited line noise; seeded, "
                 "`sox -R -D`). The G.711 forms are the ITU/Sun G.711 tables (Python's audioop): 8-bit WAVs with format "
                 "tag 6/7 laid out as sox writes them, and the 16-bit PCM decoded from A-law. Each encoding is ingested "
                 "by one `callvault ingest FOLDER --json` into its own fresh archive; its stored size is the sum of "
                 "`recordings.stored_bytes` in the archive's index. The references compress each file on its own "
                 "(`flac -5 -s -f -o`, `gzip -6 -c`, `xz -6 -c`), one process per file in one timed shell loop; flac takes "
                 "no G.711 WAV (—). Extract: `recording extract` of each recording, SHA-256 of each output against its "
                 "original; an encoding's extract target is judged on the time the extracts' audit entries measured "
                 "(duration_ms: a process costs tens of ms more, as much as a few-MB file takes), the big "
                 "recording's on the wall time (median of 3). Range reads: `callvault serve --host 127.0.0.1 --port 0`, a lead's bearer token, 3 warm-up "
                 "reads, then GETs of /api/v1/recordings/{id}/audio?purpose=customer-service with `Range: bytes=X-(X+65535)` "
                 "at random X in the middle half of the file, each on a connection opened before the clock starts; the "
                 "time is from sending the request to the first body byte, and every body is compared with the file. "
                 "Peak RSS: `/usr/bin/time -v`. Each timed step runs after `sync`, once other processes use < 0.25 core "
                 "(waiting up to --idle-wait s), and, unless --no-lock, holding the build lock.")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    return text


def write_results(path, text):
    """Puts this benchmark's section into the results file: in place of its previous section (up to the
    next top-level heading), or at the end; the other benchmarks' sections stay."""
    path = Path(path)
    old = path.read_text() if path.exists() else ""
    start = old.find(SECTION + "\n")
    if start >= 0:
        following = old.find("\n# ", start + len(SECTION))
        rest = old[following + 1:] if following >= 0 else ""
        new = old[:start] + text + ("\n" + rest if rest else "")
    else:
        new = old + ("" if not old else ("\n" if old.endswith("\n") else "\n\n")) + text
    path.write_text(new)


# ---------------------------------------------------------------------------

def corpus_only(args):
    """--corpus DIR: the calls as flat files (ENC-N.wav, and call 1 in stereo as stereo16-1.wav); no callvault."""
    folder = Path(args.corpus).resolve()
    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"--corpus {folder} is not empty")
    log(f"writing {args.calls} calls of ~{args.minutes:g} min in {len(ENCODINGS)} encodings (and call 1 in stereo) to {folder}")
    scratch = folder / ".tmp"
    calls = make_calls(args.calls, args.minutes, CALL_SEED, scratch, stereo_first=True, log=log)
    shutil.rmtree(scratch, ignore_errors=True)
    for path in write_corpus(folder, calls):
        log(f"  {path.name}: {path.stat().st_size:,} bytes")


def main(args, argv):
    """Runs the benchmark for the parsed options of scripts/bench-audio (sizes already resolved);
    writes its section of the results file and exits 1 when a target fails or something went wrong."""
    if args.corpus:
        corpus_only(args)
        return
    for tool in ("sqlite3", "gzip", "xz", "flac", "sox", "espeak-ng"):
        need(tool, {"sqlite3": "sqlite3", "xz": "xz-utils"}.get(tool))
    gnu_time()

    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    t_start = time.monotonic()
    if not args.no_build:
        build_release(args.lock_file, report_time=True)
    binary = release_binary()
    env, tools = environment(), tool_versions()
    work = work_folder(args.work, "audio-")
    run = Runner(private_copy(binary, work / "bin"), lock=lock_path(args), idle_wait=args.idle_wait, timings=report.TIMINGS)
    per = {}
    try:
        naming = Naming()
        files, calls = step_corpus(args, work, naming)
        pool = b"".join(c.mono for c in calls) if args.big_recording_mb > 0 else b""
        del calls
        for name, _, _ in ENCODINGS:
            per[name] = step_encoding(args, work, run, naming, name, files[name])
        if args.hour_minutes > 0:
            step_hour(args, work, run, naming)
        if args.big_recording_mb > 0:
            step_big(args, work, run, naming, pool)
    except Exception as e:
        problem(f"the benchmark stopped: {type(e).__name__}: {e}")
        raise
    finally:
        text = markdown(args, env, tools, started, time.monotonic() - t_start, per, argv)
        write_results(args.results, text)
        log(f"results written to {args.results}")
        leave_work_folder(work, args.keep)
    if report.failed():
        raise SystemExit(1)
