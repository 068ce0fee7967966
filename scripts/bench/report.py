"""What a benchmark says: the log on stderr, the results it collects, and bench-ingest's
markdown report (scripts/bench-results.md)."""

import os
import platform
import shlex
import subprocess
import sys
import time

from . import ROOT

MB = 1_000_000  # throughput figures are decimal MB/s, as gzip/dd report them
MiB = 1 << 20

RESULTS = []  # (metric, measured text, target text, verdict)
INFO = []     # (item, value)
PROBLEMS = []
TIMINGS = []  # (what, wall s, (user s, sys s) or None, max RSS bytes or None, CPU s used by other processes)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def fmt_rate(x, unit):
    return f"{x:,.0f} {unit}" if x >= 100 else f"{x:,.1f} {unit}"


def mb(n):
    return f"{n / MB:,.1f} MB"


def verdict(ok):
    return "PASS" if ok else "FAIL"


def result(metric, measured, target, ok):
    RESULTS.append((metric, measured, target, verdict(ok) if ok is not None else "n/a"))
    log(f"  => {metric}: {measured} (target {target}) {RESULTS[-1][3]}")


def info(item, value):
    INFO.append((item, value))
    log(f"  .. {item}: {value}")


def problem(text):
    PROBLEMS.append(text)
    log(f"  !! {text}")


def failed():
    """True when a problem was recorded or a target failed."""
    return bool(PROBLEMS) or any(r[3] == "FAIL" for r in RESULTS)


def _output(argv, cwd=None):
    """A tool's stdout for the machine description; '' when the tool is missing or fails."""
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True).stdout
    except OSError:
        return ""


def environment():
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    head = _output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT).strip()
    dirty = _output(["git", "status", "--porcelain", "--", "Sources"], cwd=ROOT).strip()
    sqlite_v = (_output(["sqlite3", "--version"]).split() or ["?"])[0]
    gzip_v = (_output(["gzip", "--version"]).splitlines() or ["gzip ?"])[0]
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "git": head + (" + uncommitted changes in Sources/" if dirty else ""),
            "sqlite3": sqlite_v, "gzip": gzip_v, "python": platform.python_version(), "kernel": platform.release()}


def ingest_markdown(args, env, started, took, argv=None):
    """bench-ingest's report: printed, and returned for the results file."""
    argv = sys.argv[1:] if argv is None else argv
    lines = []
    lines.append("# callvault ingest benchmark (scripts/bench-ingest)")
    lines.append("")
    lines.append(f"- command: `{' '.join(shlex.quote(a) for a in ['scripts/bench-ingest', *argv])}`")
    lines.append(f"- date: {started} (run took {took / 60:.1f} min)")
    lines.append(f"- machine: nproc {env['nproc']}, {env['cpu']}, {env['memory']} RAM, Linux {env['kernel']}")
    lines.append(f"- callvault: release build of {env['git']}; sqlite3 {env['sqlite3']}; {env['gzip']}; Python {env['python']}")
    sizes = (f"{args.cdrs:,} CDRs, {args.recordings} recordings, big recording {args.big_recording_mb:g} MB, "
             f"big CDR file {args.big_cdr_gb:g} GiB")
    if "formats" not in args.skip:
        sizes += f"; FreeSWITCH cdr_csv and Kannel access log of {args.cdrs:,} records each"
    sizes += f"; best of {args.repeats} for each N-record ingest and the reference"
    if args.skip:
        sizes += f"; skipped: {', '.join(args.skip)}"
    lines.append(f"- sizes: {sizes}" + (" (**--quick smoke run: not the target sizes**)" if args.quick else ""))
    lines.append(f"- timed sections held the build lock: {'yes' if not args.no_lock else 'no (--no-lock)'}")
    lines.append("")
    lines.append("| target | measured | goal | result |")
    lines.append("|---|---|---|---|")
    for metric, measured, target, v in RESULTS:
        lines.append(f"| {metric} | {measured} | {target} | **{v}** |")
    lines.append("")
    lines.append("Details:")
    lines.append("")
    for item, value in INFO:
        lines.append(f"- {item}: {value}")
    lines.append("")
    lines.append(f"Timed processes (user + sys > wall: more than one thread was busy; \"others\": CPU seconds the rest of "
                 f"the machine used during the step, of {os.cpu_count()} × wall available — a large value means the step "
                 f"competed for the cores):")
    lines.append("")
    lines.append("| step | wall s | user s | sys s | peak RSS | others, CPU s |")
    lines.append("|---|---|---|---|---|---|")
    for what, wall, cpu, rss, other in TIMINGS:
        u, k = (f"{cpu[0]:.2f}", f"{cpu[1]:.2f}") if cpu else ("", "")
        o = f"{other:.1f}" if other is not None else ""
        lines.append(f"| {what} | {wall:.2f} | {u} | {k} | {mb(rss) if rss else ''} | {o} |")
    if PROBLEMS:
        lines.append("")
        lines.append("Problems:")
        lines.append("")
        for p in PROBLEMS:
            # A failed command's report spans lines: indented, they stay in the list item.
            lines.append("- " + "\n  ".join(p.splitlines()))
    lines.append("")
    lines.append("How it is measured: wall time of each process (`/usr/bin/time -v` for peak RSS). The reference is the "
                 "sqlite3 shell (`PRAGMA journal_mode=WAL; synchronous=FULL; secure_delete=ON`) loading a CSV of the same "
                 "rows already in the columns of `items` with `.import` into a TEMP staging table, then `INSERT INTO items "
                 "SELECT … FROM staging` into a database made of `.schema items` of a fresh archive (table + its 5 indexes "
                 "+ the UNIQUE source_key index); the time covers both. callvault additionally parses the CDR text, "
                 "normalises numbers, converts local times, fills the FTS index and the customer links, writes the audit "
                 "log and commits in batches. FreeSWITCH CSV and Kannel: the same number of records as Master.csv, "
                 "generated for the same customers over the same year (FreeSWITCH `mod_cdr_csv` `example` template, "
                 "15 quoted columns, one a-leg line per call in hang-up order; Kannel 1.5 default access-log format: "
                 "`Sent SMS`, `Receive SMS` and the `Receive DLR` lines that update a sent message's status), each "
                 "ingested by one `callvault ingest` into a fresh archive holding the customers; rows/s = lines / wall "
                 "time, best of --repeats, compared with the Asterisk rows/s of the same run. Recording throughput: audio bytes / wall time of one `callvault ingest` "
                 "of all files vs one `gzip -6 -k` of the same files (gzip does not fsync; callvault fsyncs each blob). "
                 "Extract MB/s: the median of 3 `recording extract` runs of the big recording (process start included). "
                 "Search: `callvault bench-search` (in-process, each search includes its audit entry commit). Each timed step "
                 "runs after `sync`, once other processes use < 0.25 core (waiting up to --idle-wait s), and, unless "
                 "--no-lock, holding the build lock; the \"others\" column shows what still ran meanwhile.")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    return text
