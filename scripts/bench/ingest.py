"""bench-ingest: callvault's ingest, extract and search against simple references (the steps;
scripts/bench-ingest parses the options and calls main)."""

import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import time
from pathlib import Path

from . import ROOT
from .audio import load_speech, make_recording_pcm, recording_name, wav_header
from .files import dir_size, sha256_file
from .generators import NULLABLE, REF_COLUMNS, CDRGenerator, FreeSWITCHGenerator, KannelGenerator
from .helsinki import Helsinki
from .people import NAME_WORDS, People
from .report import MB, MiB, environment, info, ingest_markdown, log, mb, problem, result
from . import report
from .runner import (CommandFailed, Runner, build_release, failure, gnu_time, lock_path, need, private_copy,
                     leave_work_folder, release_binary, run_checked, work_folder)

DEFAULT_RESULTS = ROOT / "scripts" / "bench-results.md"


# ---------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------

def step_generate(args, work, tz, people):
    log(f"1. generating {args.cdrs:,} CDRs, customers.csv and the reference CSV")
    cdr = work / "cdr"
    cdr.mkdir(parents=True)
    people.write_customers_csv(cdr / "customers.csv")
    gen = CDRGenerator(people, tz, seed=1, t0=args.t0, t1=args.t0 + 365 * 86400)
    t = time.monotonic()
    rows, size = gen.write(cdr / "Master.csv", cdr / "ref-items.csv", rows=args.cdrs)
    took = time.monotonic() - t
    info("generated", f"{rows:,} CDR records ({gen.calls:,} calls) in {took:.1f} s; Master.csv {mb(size)}, "
                      f"reference CSV {mb(os.path.getsize(cdr / 'ref-items.csv'))}; {len(people.customers):,} customers owning "
                      f"{len(people.numbers):,} numbers")
    return gen, rows, size


def step_reference(args, work, run, archive, rows):
    log("2. reference: sqlite3 shell .import of the same rows into `.schema items`")
    schema = run_checked(["sqlite3", str(archive / "index.sqlite"), ".schema items"]).stdout
    # The table and its indexes only: the triggers on `items` (hour counts, the id floor, hold
    # coverage) write to tables the reference does not have; their cost is callvault's.
    schema = re.sub(r"CREATE TRIGGER\b.*?\bEND;\s*(?=CREATE|\Z)", "", schema, flags=re.S)
    results = {}
    runs = [(v, d, k) for k in range(args.repeats) for v, d in (("same rows", "details"), ("details='{}'", "'{}'"))]
    walls = {}
    for variant, details_expr, attempt in runs:
        ref = work / "ref" / (("ref.db") if variant == "same rows" else "ref-empty-details.db")
        ref.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(ref) + suffix).unlink(missing_ok=True)
        run_checked(["sqlite3", str(ref)], input=schema + "\nPRAGMA journal_mode=WAL;\n")
        staging_cols = ", ".join(REF_COLUMNS)
        select = ", ".join(f"nullif({c}, '')" if c in NULLABLE else (details_expr if c == "details" else c)
                           for c in REF_COLUMNS)
        script = f"""PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
PRAGMA secure_delete=ON;
PRAGMA foreign_keys=ON;
CREATE TEMP TABLE staging({staging_cols});
.mode csv
.import --schema temp {work / 'cdr' / 'ref-items.csv'} staging
INSERT INTO items({staging_cols}) SELECT {select} FROM temp.staging;
SELECT count(*) FROM items;
"""
        script_path = work / "ref" / "import.sql"
        script_path.write_text(script)
        with open(script_path) as stdin:
            wall, rss, out, err, rc = run.timed(["sqlite3", str(ref)], stdin=stdin,
                                                what=f"sqlite3 .import reference ({variant}), run {attempt + 1}")
        loaded = int(out.strip().splitlines()[-1]) if out.strip() else 0
        if rc != 0 or loaded != rows:
            problem(f"reference import ({variant}) loaded {loaded} of {rows} rows (rc {rc}): {run.why(rc, out, err)}")
        walls.setdefault(variant, []).append(wall)
        best = min(walls[variant])
        results[variant] = (rows / best, best, rss, ref)
    for variant, ws in walls.items():
        info(f"reference sqlite3 .import ({variant})",
             f"{rows:,} rows, best of {len(ws)}: {min(ws):.2f} s = {rows / min(ws):,.0f} rows/s "
             f"(runs: {', '.join(f'{w:.2f} s' for w in ws)}), peak RSS {mb(results[variant][2] or 0)}")
    return results


def step_callvault_cdrs(args, work, run, archive, rows, master_size, reference):
    log("3. callvault: customers import + ingest Master.csv")
    walls, rsss, tx = [], [], []
    for attempt in range(args.repeats):
        target = archive if attempt == args.repeats - 1 else work / f"archive-try{attempt + 1}"
        if target != archive:
            run.cv_json("init", "--archive", target)
        with run.quiet("customers import"):
            t = time.monotonic()
            cust = run.cv_json("customers", "import", work / "cdr" / "customers.csv", "--archive", target)
            took = time.monotonic() - t
        if attempt == 0:
            info("customers import (empty archive)", f"{cust.get('customers')} customers, {cust.get('numbers')} numbers "
                                                     f"in {took:.2f} s")
        wall, rss, out, err, rc = run.timed([run.binary, "ingest", work / "cdr" / "Master.csv", "--archive", target, "--json"],
                                            what=f"callvault ingest of {rows:,} CDRs, run {attempt + 1}")
        summary = json.loads(out) if out.strip().startswith("{") else {}
        if rc != 0 or summary.get("calls") != rows or summary.get("rejected"):
            problem(f"ingest of Master.csv: rc {rc}, calls {summary.get('calls')} of {rows}, "
                    f"rejected {len(summary.get('rejected', []))} (first: {summary.get('rejected', [None])[:1]}), {run.why(rc, out, err)}")
        con = sqlite3.connect(str(target / "index.sqlite"))
        tx.append(con.execute("SELECT sum(duration_ms), count(*) FROM audit_log WHERE action = 'ingest' "
                              "AND details LIKE '%asterisk-csv%'").fetchone())
        con.close()
        walls.append(wall)
        rsss.append(rss or 0)
        if target != archive:
            shutil.rmtree(target)
    best = min(range(len(walls)), key=lambda i: walls[i])
    wall, rss = walls[best], max(rsss)
    rate = rows / wall
    info("callvault ingest Master.csv", f"{rows:,} rows, {mb(master_size)}, best of {len(walls)}: {wall:.2f} s = "
                                         f"{rate:,.0f} rows/s ({master_size / wall / MB:.1f} MB/s of CSV) "
                                         f"(runs: {', '.join(f'{w:.2f} s' for w in walls)}), peak RSS {mb(rss)}")
    if reference:
        ref_rate = reference["same rows"][0]
        ratio = rate / ref_rate
        result(f"CDR ingest (Asterisk CSV), {rows:,} rows", f"{rate:,.0f} rows/s = {ratio:.2f}× sqlite3 .import ({ref_rate:,.0f} rows/s)",
               "≥ 0.70× sqlite3 .import", ratio >= 0.7)
        empty = reference["details='{}'"][0]
        info("ratio vs the details='{}' reference", f"{rate / empty:.2f}× ({empty:,.0f} rows/s)")
    else:
        result(f"CDR ingest (Asterisk CSV), {rows:,} rows", f"{rate:,.0f} rows/s (sqlite3 reference skipped)",
               "≥ 0.70× sqlite3 .import", None)
    info("peak RSS, ingest of the N-row Master.csv", mb(rss or 0))
    tx_ms, batches = tx[best]
    if tx_ms:
        info("where callvault's ingest time goes", f"{tx_ms / 1000:.2f} s ({tx_ms / 1000 / wall:.0%} of the wall time) inside the "
                                                   f"{batches} write transactions (one per {rows / max(1, batches):,.0f} rows: inserts, FTS, links, audit; before COMMIT), "
                                                   f"{wall - tx_ms / 1000:.2f} s outside them (process start, COMMITs, and "
                                                   f"whatever reading + parsing the CSV does not overlap with the writes)")
    if reference:
        fidelity(archive, reference["same rows"][3], rows)
    return rate


def fidelity(archive, ref_db, rows):
    """Checks that the reference rows are the rows callvault stored (so the ratio compares like with like)."""
    # retain_until comes from the retention policy (a customer's calls are kept until some time
    # after the relationship ends: open-ended here); the policy tests check it, not this script.
    cols = [c for c in REF_COLUMNS if c not in ("ingested_at", "retain_until")]
    con = sqlite3.connect(str(archive / "index.sqlite"))
    try:
        con.execute("ATTACH DATABASE ? AS ref", (str(ref_db),))
        sums = ", ".join(f"sum(c.{c} IS NOT r.{c})" for c in cols)
        row = con.execute(f"SELECT count(*), {sums} FROM main.items c JOIN ref.items r ON r.source_key = c.source_key "
                          f"WHERE c.kind = 'call'").fetchone()
        calls = con.execute("SELECT count(*) FROM main.items WHERE kind = 'call'").fetchone()[0]
        fts = con.execute("SELECT count(*) FROM main.items WHERE caller_name IS NOT NULL").fetchone()[0]
        links = con.execute("SELECT count(*) FROM main.item_customers").fetchone()[0]
        audit = con.execute("SELECT count(*) FROM main.audit_log").fetchone()[0]
        matched, diffs = row[0], {c: n for c, n in zip(cols, row[1:]) if n}
        if diffs.get("details"):
            # Text differs: compare as JSON (key order and escaping are the writer's business).
            unequal = 0
            for a, b in con.execute("SELECT c.details, r.details FROM main.items c JOIN ref.items r "
                                    "ON r.source_key = c.source_key WHERE c.details IS NOT r.details"):
                try:
                    if json.loads(a) != json.loads(b):
                        unequal += 1
                except ValueError:
                    unequal += 1
            info("details column", f"{diffs['details']:,} rows differ as text from the reference, "
                                   f"{unequal:,} as JSON")
            if unequal:
                diffs["details"] = unequal
            else:
                del diffs["details"]
    finally:
        con.close()
    if matched == rows and calls == rows and not diffs:
        info("fidelity", f"all {rows:,} rows callvault stored equal the reference rows in every column but ingested_at and retain_until")
    else:
        problem(f"fidelity: {matched:,} of {rows:,} reference rows found in the archive ({calls:,} calls there); "
                f"columns that differ (rows): {diffs}")
    info("extra work callvault does beyond the reference", f"FTS rows {fts:,}, item_customers links {links:,}, "
                                                          f"audit entries {audit:,}")


def step_other_formats(args, work, run, people, tz, asterisk_rate):
    """FreeSWITCH cdr_csv and a Kannel access log of args.cdrs records each, ingested like Master.csv
    (fresh archive with the customers, best of --repeats), against the Asterisk rate of this run."""
    rows_wanted = args.cdrs
    log(f"3b. FreeSWITCH cdr_csv and Kannel access log: {rows_wanted:,} records each, generate and ingest")
    folder = work / "formats"
    t1 = args.t0 + 365 * 86400
    specs = [
        ("FreeSWITCH CSV", "freeswitch-csv", "calls", FreeSWITCHGenerator(people, tz, 21, args.t0, t1),
         folder / "freeswitch" / "Master.csv"),
        ("Kannel access log", "kannel-access-log", "sms", KannelGenerator(people, tz, 31, args.t0, t1),
         folder / "kannel" / "access.log"),
    ]
    for label, fmt, counted, gen, path in specs:
        path.parent.mkdir(parents=True)
        t = time.monotonic()
        rows, size = gen.write(path, rows_wanted)
        exp = gen.expected
        info(f"{label} generated", f"{rows:,} lines, {mb(size)} in {time.monotonic() - t:.1f} s ({exp.items:,} "
                                   f"{'calls' if counted == 'calls' else 'messages, the other lines delivery reports'})")
        walls, rsss = [], []
        for attempt in range(args.repeats):
            archive = work / f"archive-{fmt}-{attempt + 1}"
            run.cv_json("init", "--archive", archive)
            with run.quiet("customers import"):
                run.cv_json("customers", "import", work / "cdr" / "customers.csv", "--archive", archive)
            wall, rss, out, err, rc = run.timed([run.binary, "ingest", path, "--archive", archive, "--json"],
                                                what=f"callvault ingest of {rows:,} {label} lines, run {attempt + 1}")
            summary = json.loads(out) if out.strip().startswith("{") else {}
            if rc != 0 or summary.get(counted) != exp.items or summary.get("rejected") or summary.get("duplicates"):
                problem(f"ingest of the {label}: rc {rc}, {counted} {summary.get(counted)} of {exp.items}, duplicates "
                        f"{summary.get('duplicates')}, rejected {len(summary.get('rejected', []))} (first: "
                        f"{summary.get('rejected', [None])[:1]}), {run.why(rc, out, err)}")
            walls.append(wall)
            rsss.append(rss or 0)
            if attempt == args.repeats - 1:
                format_fidelity(label, fmt, archive, exp)
            shutil.rmtree(archive)
        best = min(walls)
        rate = rows / best
        info(f"callvault ingest of the {label}", f"{rows:,} lines, {mb(size)}, best of {len(walls)}: {best:.2f} s = "
                                                 f"{rate:,.0f} rows/s ({size / best / MB:.1f} MB/s) (runs: "
                                                 f"{', '.join(f'{w:.2f} s' for w in walls)}), peak RSS {mb(max(rsss))}")
        if asterisk_rate:
            ratio = rate / asterisk_rate
            result(f"{label} ingest, {rows:,} rows", f"{rate:,.0f} rows/s = {ratio:.2f}× Asterisk CSV ({asterisk_rate:,.0f} rows/s)",
                   "≥ Asterisk CSV rate / 1.2 (0.83×)", ratio >= 1 / 1.2)
        path.unlink()


def format_fidelity(label, fmt, archive, exp):
    """Checks what callvault stored against what the generated file implies (counts, sums, links)."""
    con = sqlite3.connect(str(archive / "index.sqlite"))
    try:
        found = {}
        found["items"] = con.execute("SELECT count(*) FROM items WHERE format = ?", (fmt,)).fetchone()[0]
        for col in ("direction", "disposition"):
            for value, n in con.execute(f"SELECT {col}, count(*) FROM items WHERE format = ? GROUP BY 1", (fmt,)):
                found[(col, value)] = n
        found["links"] = con.execute("SELECT count(*) FROM item_customers").fetchone()[0]
        if fmt == "freeswitch-csv":
            found["names"] = con.execute("SELECT count(*) FROM items WHERE caller_name IS NOT NULL").fetchone()[0]
            found["duration"], found["billsec"] = con.execute("SELECT sum(duration_s), sum(billsec) FROM items").fetchone()
        else:
            found["parts"] = con.execute("SELECT sum(json_extract(details, '$.parts')) FROM items").fetchone()[0]
            found["pending reports"] = con.execute("SELECT count(*) FROM sms_pending_status").fetchone()[0]
    finally:
        con.close()
    want = {"items": exp.items, "links": exp.links, **{k: v for k, v in exp.by.items() if v}, **exp.sums}
    if fmt == "freeswitch-csv":
        want["names"] = exp.names
    else:
        want["pending reports"] = 0
    diffs = {str(k): (found.get(k), v) for k, v in want.items() if found.get(k) != v}
    diffs.update({str(k): (v, None) for k, v in found.items() if k not in want and v})
    if diffs:
        problem(f"fidelity ({label}): stored vs expected differ: {diffs}")
    else:
        by = lambda col: ", ".join(f"{v} {n:,}" for (c, v), n in sorted(exp.by.items()) if c == col and n)
        info(f"fidelity ({label})", f"the archive holds exactly what the file implies: {exp.items:,} items ({by('direction')}; "
                                    f"{by('disposition')}), {exp.links:,} customer links, "
                                    + ", ".join(f"sum of {k} {v:,}" for k, v in exp.sums.items()))


def step_search(args, work, run, archive, people):
    log(f"4. search latency at {args.cdrs:,} CDRs (bench-search, {args.search_iterations} iterations per kind)")
    rng = random.Random(7)
    sample = rng.sample(people.customers, 100)
    numbers = []
    for _, _, nums in sample:
        numbers.append(nums[0].written if rng.random() < 0.5 else nums[0].national)
    customers = [cid for cid, _, _ in sample]
    window = time.strftime("%Y-%m-%d", time.gmtime(args.t0 + 180 * 86400))
    wall, rss, out, err, rc = run.timed([
        run.binary, "bench-search", "--archive", archive, "--iterations", args.search_iterations,
        "--numbers", ",".join(n.replace(",", "") for n in numbers), "--customers", ",".join(customers),
        "--names", ",".join(NAME_WORDS), "--from", window], what="callvault bench-search")
    if rc != 0:
        problem(f"bench-search failed: {run.failure(rc, out, err)}")
        return
    data = json.loads(out)
    labels = {"number_30_days": "one number over 30 days", "customer_last_50": "a customer's last 50 calls",
              "name": "a name search", "kind_only": "kind alone (issue 22)", "time_30_days": "30 days alone (issue 22)",
              "kind_and_time_30_days": "kind and 30 days (issue 22)"}
    # What the searches return, for context.
    hits = {}
    try:
        r = run.cv_json("search", "--number", numbers[0], "--from", window, "--to",
                        time.strftime("%Y-%m-%d", time.gmtime(args.t0 + 210 * 86400)), "--limit", "50", "--archive", archive)
        hits["number_30_days"] = f"e.g. {numbers[0]}: {r['total']} items"
        r = run.cv_json("search", "--customer", customers[0], "--limit", "50", "--archive", archive)
        hits["customer_last_50"] = f"e.g. {customers[0]}: {r['total']} items in all"
        r = run.cv_json("search", "--text", NAME_WORDS[0], "--limit", "50", "--archive", archive)
        hits["name"] = f"e.g. '{NAME_WORDS[0]}': {r['total']} items"
    except Exception as e:  # informational only
        problem(f"search for context failed: {e}")
    for key, label in labels.items():
        if key not in data:
            continue
        p50, p99 = data[key]["p50_ms"], data[key]["p99_ms"]
        result(f"search p99, {label}", f"p99 {p99:.2f} ms, p50 {p50:.2f} ms ({hits.get(key, '')})", "p99 < 20 ms", p99 < 20)
    info("search inputs", f"{len(numbers)} numbers (written forms), {len(customers)} customers, names {','.join(NAME_WORDS[:6])},…; "
                          f"number window {window} + 30 days")


def step_recordings(args, work, run, archive, tz, gen, clips):
    m = args.recordings
    log(f"5. {m} recordings: generate, ingest, gzip -6, extract")
    rng = random.Random(11)
    root = work / "rec" / "monitor"
    cands = gen.recording_candidates
    if len(cands) < m:
        problem(f"only {len(cands)} answered calls to hang recordings on; using {len(cands)}")
        m = len(cands)
    step = max(1, len(cands) // max(m, 1))
    chosen = [cands[i * step] for i in range(m)]
    files, pool = [], []
    t = time.monotonic()
    for cand in chosen:
        pcm = make_recording_pcm(clips, rng, rng.uniform(45, 75))
        name = recording_name(tz, cand)
        folder = root / time.strftime("%Y/%m/%d", time.gmtime(tz.wall(cand[1])))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        with open(path, "wb") as fh:
            fh.write(wav_header(len(pcm)) + pcm)
        files.append(path)
        pool.append(pcm)
    total = sum(p.stat().st_size for p in files)
    info("recordings generated", f"{m} WAVs, {mb(total)} ({total / 16000 / m:.0f} s each on average) in {time.monotonic() - t:.1f} s")
    blobs_before = dir_size(archive / "blobs")
    wall, rss, out, err, rc = run.timed([run.binary, "ingest", root, "--archive", archive, "--json"], what=f"callvault ingest of {m} recordings")
    summary = json.loads(out) if out.strip().startswith("{") else {}
    if rc != 0 or summary.get("recordings") != m or summary.get("rejected"):
        problem(f"recording ingest: rc {rc}, {summary.get('recordings')} of {m} stored, rejected {summary.get('rejected')}, {run.why(rc, out, err)}")
    stored = dir_size(archive / "blobs") - blobs_before
    cv_rate = total / wall / MB
    info("callvault ingest of the recordings", f"{mb(total)} in {wall:.2f} s = {cv_rate:.1f} MB/s of audio, peak RSS {mb(rss or 0)}")
    # In-process time per file (blob put + index), from the audit log's duration_ms.
    con = sqlite3.connect(str(archive / "index.sqlite"))
    in_proc_ms = con.execute("SELECT sum(duration_ms) FROM audit_log WHERE action = 'ingest' AND details LIKE '%freepbx-monitor%'").fetchone()[0] or 0
    linked = con.execute("SELECT count(*) FROM recordings WHERE call_item_id IS NOT NULL").fetchone()[0]
    rec_ids = [f"rec-{r[0]}" for r in con.execute("SELECT item_id FROM recordings ORDER BY item_id")]
    con.close()
    info("recordings linked to their CDR", f"{linked} of {m}")
    if in_proc_ms:
        info("in-process recording ingest (audit duration_ms: blob put incl. SHA-256, CRC, fsyncs + index)",
             f"{in_proc_ms / 1000:.2f} s = {total / (in_proc_ms / 1000) / MB:.1f} MB/s")
    # gzip -6 on the same files, one process as callvault.
    gz_wall, _, gz_out, gz_err, gz_rc = run.timed(["gzip", "-6", "-k", "-f", *files], what=f"gzip -6 -k of {m} recordings")
    if gz_rc != 0:
        raise CommandFailed(run.last_argv, gz_rc, gz_out, gz_err, what="gzip -6 of the recordings")
    gz_size = sum(Path(str(p) + ".gz").stat().st_size for p in files)
    for p in files:
        os.unlink(str(p) + ".gz")
    gz_rate = total / gz_wall / MB
    info("gzip -6 -k on the same files", f"{gz_wall:.2f} s = {gz_rate:.1f} MB/s, {mb(gz_size)} ({gz_size / total:.1%})")
    result(f"recording ingest throughput, {m} files {mb(total)}",
           f"{cv_rate:.1f} MB/s = {cv_rate / gz_rate:.2f}× gzip -6 ({gz_rate:.1f} MB/s)", "≥ 0.90× gzip -6", cv_rate / gz_rate >= 0.9)
    result(f"stored size, {m} files", f"{mb(stored)} = {stored / total:.1%} of the WAVs; gzip -6 {mb(gz_size)} ({stored / gz_size:.2f}×)",
           "≤ gzip -6", stored <= gz_size)
    # Extract each recording.
    out_dir = work / "extract"
    out_dir.mkdir(exist_ok=True)
    originals = {sha256_file(p) for p in files}
    t_total, n_bytes, bad = 0.0, 0, 0
    with run.quiet("extract"):
        for rid in rec_ids:
            target = out_dir / f"{rid}.wav"
            t = time.monotonic()
            r = run.cv("recording", "extract", rid, "--out", target, "--purpose", "customer-service",
                       "--archive", archive, "--json", check=False)
            t_total += time.monotonic() - t
            if r.returncode != 0:
                bad += 1
                problem(f"extract {rid} failed: {failure(r.args, r.returncode, r.stdout, r.stderr)}")
                continue
            n_bytes += target.stat().st_size
    for f in out_dir.iterdir():
        if sha256_file(f) not in originals:
            bad += 1
            problem(f"extracted {f.name} matches no original")
        f.unlink()
    info(f"extract of the {len(rec_ids)} recordings, one process each",
         f"{mb(n_bytes)} in {t_total:.2f} s = {n_bytes / t_total / MB:.1f} MB/s "
         f"({t_total / max(1, len(rec_ids)) * 1000:.0f} ms per call incl. process start); byte-exact: {'yes' if not bad else 'NO'}")
    return b"".join(pool)


def step_big_recording(args, work, run, pool):
    size = int(args.big_recording_mb * MB)
    log(f"6. big recording: {mb(size)}")
    rng = random.Random(13)
    folder = work / "bigrec"
    folder.mkdir()
    path = folder / "in-0923456789-0401234567-20260315-101500-1773562500.424242.wav"
    h = hashlib.sha256()
    data_bytes = size - 44
    data_bytes -= data_bytes % 2
    with open(path, "wb") as fh:
        head = wav_header(data_bytes)
        fh.write(head)
        h.update(head)
        left = data_bytes
        while left > 0:
            a = rng.randrange(0, max(1, len(pool) // 2 - 1)) * 2
            piece = pool[a:a + min(left, rng.randrange(1, 5) * MiB)]
            if not piece:
                continue
            fh.write(piece)
            h.update(piece)
            left -= len(piece)
    original_sha = h.hexdigest()
    total = path.stat().st_size
    archive = work / "archive-bigrec"
    run.cv_json("init", "--archive", archive)
    wall, rss, out, err, rc = run.timed([run.binary, "ingest", path, "--archive", archive, "--json"], what=f"callvault ingest of the {mb(total)} recording")
    summary = json.loads(out) if out.strip().startswith("{") else {}
    if rc != 0 or summary.get("recordings") != 1:
        problem(f"big recording ingest: rc {rc}, {summary}, {run.why(rc, out, err)}")
        return
    stored = dir_size(archive / "blobs")
    cv_rate = total / wall / MB
    info("callvault ingest of the big recording", f"{mb(total)} in {wall:.2f} s = {cv_rate:.1f} MB/s, peak RSS {mb(rss or 0)}, "
                                                  f"stored {mb(stored)} ({stored / total:.1%})")
    result(f"peak RSS, ingest of a {mb(total)} recording", mb(rss or 0), "< 100 MB", rss is not None and rss < 100 * MB)
    with open(str(path) + ".gz", "wb") as gz_out:
        gz_wall, _, _, gz_err, gz_rc = run.timed(["gzip", "-6", "-c", path], stdout=gz_out, what=f"gzip -6 of the {mb(total)} recording")
    if gz_rc != 0:
        raise CommandFailed(run.last_argv, gz_rc, None, gz_err, what="gzip -6 of the big recording")
    gz_size = os.path.getsize(str(path) + ".gz")
    os.unlink(str(path) + ".gz")
    gz_rate = total / gz_wall / MB
    result(f"recording ingest throughput, one {mb(total)} file", f"{cv_rate:.1f} MB/s = {cv_rate / gz_rate:.2f}× gzip -6 ({gz_rate:.1f} MB/s)",
           "≥ 0.90× gzip -6", cv_rate / gz_rate >= 0.9)
    result(f"stored size, one {mb(total)} file", f"{mb(stored)}; gzip -6 {mb(gz_size)} ({stored / gz_size:.2f}×)", "≤ gzip -6",
           stored <= gz_size)
    walls = []
    for attempt in range(3):
        target = work / f"bigrec-extracted-{attempt}.wav"
        wall, rss_x, out, err, rc = run.timed([run.binary, "recording", "extract", "rec-1", "--out", target, "--purpose",
                                               "customer-service", "--archive", archive, "--json"],
                                              what=f"extract of the {mb(total)} recording, run {attempt + 1}")
        if rc != 0:
            problem(f"big extract failed: {run.failure(rc, out, err)}")
            return
        exact = sha256_file(target) == original_sha and target.stat().st_size == total
        if not exact:
            problem(f"big extract run {attempt + 1} is NOT byte-exact")
        target.unlink()
        walls.append((wall, exact, rss_x))
    wall, exact, rss_x = sorted(walls)[1]
    exact = all(w[1] for w in walls)
    rate = total / wall / MB
    result(f"extract throughput, one {mb(total)} recording",
           f"{rate:.0f} MB/s, median of 3 ({', '.join(f'{total / w[0] / MB:.0f}' for w in walls)}); byte-exact: "
           f"{'yes' if exact else 'NO'}; peak RSS {mb(rss_x or 0)}", "≥ 200 MB/s", rate >= 200 and exact)
    # Baseline: what this disk does for a plain copy with fsync.
    copy = work / "bigrec-copy.wav"
    with run.quiet("disk baseline"):
        t = time.monotonic()
        with open(path, "rb") as src, open(copy, "wb") as dst:
            shutil.copyfileobj(src, dst, 4 * MiB)
            dst.flush()
            os.fsync(dst.fileno())
        copy_wall = time.monotonic() - t
    copy.unlink()
    info("disk baseline: copy + fsync of the same WAV (python)", f"{total / copy_wall / MB:.0f} MB/s")


def step_big_cdr(args, work, run, people, tz):
    size = int(args.big_cdr_gb * (1 << 30))
    log(f"7. big CDR file: {mb(size)}")
    folder = work / "bigcdr"
    folder.mkdir()
    gen = CDRGenerator(people, tz, seed=2, t0=args.t0 - 365 * 86400, t1=args.t0 + 365 * 86400)
    t = time.monotonic()
    rows, written = gen.write(folder / "Master.csv", None, max_bytes=size)
    info("big CDR file generated", f"{rows:,} rows, {mb(written)} in {time.monotonic() - t:.1f} s")
    archive = work / "archive-bigcdr"
    run.cv_json("init", "--archive", archive)
    with run.quiet("customers import"):
        run.cv_json("customers", "import", work / "cdr" / "customers.csv", "--archive", archive)
    wall, rss, out, err, rc = run.timed([run.binary, "ingest", folder / "Master.csv", "--archive", archive, "--json"],
                                        what=f"callvault ingest of the {mb(written)} CDR file")
    summary = json.loads(out) if out.strip().startswith("{") else {}
    if rc != 0 or summary.get("calls") != rows or summary.get("rejected"):
        problem(f"big CDR ingest: rc {rc}, calls {summary.get('calls')} of {rows}, rejected {len(summary.get('rejected', []))}, {run.why(rc, out, err)}")
    info("callvault ingest of the big CDR file", f"{rows:,} rows in {wall:.1f} s = {rows / wall:,.0f} rows/s, "
                                                 f"{written / wall / MB:.1f} MB/s of CSV")
    result(f"peak RSS, ingest of a {mb(written)} CDR file ({rows:,} rows)", mb(rss or 0), "< 100 MB",
           rss is not None and rss < 100 * MB)



# ---------------------------------------------------------------------------

def main(args):
    """Runs the benchmark for the parsed options of scripts/bench-ingest (sizes already resolved);
    writes the report to args.results and exits 1 when a target fails or something went wrong."""
    args.t0 = int(dt.datetime(2025, 11, 1, tzinfo=dt.timezone.utc).timestamp())

    for tool in ("sqlite3", "gzip"):
        need(tool)
    gnu_time()

    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    t_start = time.monotonic()
    if not args.no_build:
        build_release(args.lock_file, report_time=True)
    binary = release_binary()
    env = environment()

    work = work_folder(args.work, "run-")
    # A private copy: a build during the run must not swap the binary between steps.
    run = Runner(private_copy(binary, work / "bin"), lock=lock_path(args), idle_wait=args.idle_wait,
                 timings=report.TIMINGS)
    try:
        tz = Helsinki(range(2024, 2028))
        people = People(seed=3)
        gen, rows, master_size = step_generate(args, work, tz, people)
        archive = work / "archive"
        run.cv_json("init", "--archive", archive)
        reference = step_reference(args, work, run, archive, rows) if "reference" not in args.skip else None
        asterisk_rate = step_callvault_cdrs(args, work, run, archive, rows, master_size, reference)
        if "formats" not in args.skip:
            step_other_formats(args, work, run, people, tz, asterisk_rate)
        if "search" not in args.skip:
            step_search(args, work, run, archive, people)
        shutil.rmtree(work / "ref", ignore_errors=True)
        (work / "cdr" / "ref-items.csv").unlink()
        pool = b""
        if args.recordings > 0:
            pool = step_recordings(args, work, run, archive, tz, gen, load_speech())
        if args.big_recording_mb > 0:
            if not pool:
                rng = random.Random(5)
                pool = make_recording_pcm(load_speech(), rng, 120)
            step_big_recording(args, work, run, pool)
        if args.big_cdr_gb > 0:
            step_big_cdr(args, work, run, people, tz)
    except Exception as e:
        problem(f"the benchmark stopped: {type(e).__name__}: {e}")
        raise
    finally:
        text = ingest_markdown(args, env, started, time.monotonic() - t_start)
        Path(args.results).write_text(text)
        log(f"results written to {args.results}")
        leave_work_folder(work, args.keep)
    if report.failed():
        raise SystemExit(1)
