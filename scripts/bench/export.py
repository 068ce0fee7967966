"""bench-export: peak memory of `callvault export` against the size of the customer's data (the
steps; scripts/bench-export parses the options and calls main)."""

import datetime as dt
import json
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile

from .report import log
from .runner import (BENCH_FOLDER, build_release, failure, gnu_time, held, lock_path, need, os_login, release_binary,
                     leave_work_folder, run_checked)

NUMBER = "0409998877"


def cdr_line(i, start):
    end = start + dt.timedelta(seconds=90)
    uid = f"{1_790_000_000 + i * 7}.{i}"
    fields = ["", NUMBER, "400", "ext-queues", f'"" <{NUMBER}>', f"PJSIP/trunk-{i:08x}", f"PJSIP/1005-{i:08x}", "Queue",
              "400,t", start.strftime("%Y-%m-%d %H:%M:%S"), (start + dt.timedelta(seconds=5)).strftime("%Y-%m-%d %H:%M:%S"),
              end.strftime("%Y-%m-%d %H:%M:%S"), "90", "85", "ANSWERED", "DOCUMENTATION", uid, "", "", uid, str(i)]
    quoted = {12, 13, 20}
    return ",".join(f if n in quoted else '"' + f.replace('"', '""') + '"' for n, f in enumerate(fields))


def wav(path, seconds, seed):
    rng = random.Random(seed)
    frames = 8000 * seconds
    data = bytes(rng.getrandbits(8) for _ in range(2 * frames)) if frames < 50_000 else os.urandom(2 * frames)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    with open(path, "wb") as out:
        out.write(header + b"data" + struct.pack("<I", len(data)) + data)


def make_archive(binary, work, cdrs, recordings, env):
    archive = os.path.join(work, f"archive-{cdrs}-{recordings}")
    shutil.rmtree(archive, ignore_errors=True)
    # A new archive gets a new key folder and anchor file (they live beside it).
    shutil.rmtree(archive + ".keys", ignore_errors=True)
    if os.path.exists(archive + ".anchors"):
        os.remove(archive + ".anchors")
    data = os.path.join(work, f"data-{cdrs}-{recordings}")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(os.path.join(data, "monitor"))
    with open(os.path.join(data, "customers.csv"), "w") as out:
        out.write(f"customer_id,name,phones,relationship_ended\nC900,Bench Customer,{NUMBER},\n")
    start = dt.datetime(2026, 1, 5, 8, 0, 0)
    with open(os.path.join(data, "Master.csv"), "w") as out:
        for i in range(cdrs):
            out.write(cdr_line(i, start + dt.timedelta(minutes=7 * i)) + "\n")
    for r in range(recordings):
        when = start + dt.timedelta(minutes=7 * r)
        name = f"in-0923456789-{NUMBER}-{when:%Y%m%d-%H%M%S}-{1_790_000_000 + r * 7}.{r}.wav"
        wav(os.path.join(data, "monitor", name), 128, r)
    run([binary, "init", "--archive", archive], env)
    # callvault acts as the account this OS login is mapped to (issue 16): the first admin
    # (mapped by the bootstrap) loads the data, a compliance account mapped to the same login exports.
    login = os_login()
    run([binary, "users", "add", "bench.admin", "--role", "admin", "--password-stdin", "--archive", archive], env, stdin=PASSPHRASE)
    run([binary, "users", "add", "bench.officer", "--role", "compliance", "--password-stdin", "--os-user", login,
         "--as", "bench.admin", "--archive", archive], env, stdin=PASSPHRASE)
    run([binary, "customers", "import", os.path.join(data, "customers.csv"), "--as", "bench.admin", "--archive", archive], env)
    run([binary, "ingest", os.path.join(data, "Master.csv"), os.path.join(data, "monitor"), "--as", "bench.admin", "--archive", archive, "--json"], env)
    shutil.rmtree(data, ignore_errors=True)
    return archive


PASSPHRASE = "a long bench passphrase\n"


def run(command, env, stdin=None):
    result = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"failed: {failure(command, result.returncode, result.stdout, result.stderr)}")
    return result


def measure_export(binary, archive, out, env, lock):
    if os.path.exists(out):
        os.remove(out)
    time_file = out + ".time"  # GNU time's report, apart from export's own stderr
    command = [gnu_time(), "-v", "-o", time_file, binary, "export", "--customer", "C900", "--out", out, "--purpose",
               "complaint", "--as", "bench.officer", "--archive", archive, "--json"]
    os.sync()
    with held(lock, "export"):
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    timing = open(time_file).read() if os.path.exists(time_file) else ""
    if os.path.exists(time_file):
        os.remove(time_file)
    if result.returncode != 0:
        raise SystemExit(f"export failed: {failure(command[4:], result.returncode, result.stdout, result.stderr)}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", timing).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** (len(parts) - 1 - n) for n, p in enumerate(parts))
    summary = json.loads(result.stdout)
    run_checked(["unzip", "-tq", out], what="the ZIP check")
    return rss_kb / 1024, seconds, summary


def main(args):
    """Runs the benchmark for the parsed options of scripts/bench-export; prints the results and
    exits 1 when the target fails."""
    cdrs, recordings = (5_000, 10) if args.quick else (50_000, 100)
    need("unzip")
    gnu_time()
    if args.work:
        work = args.work
        os.makedirs(work, exist_ok=True)
    else:
        BENCH_FOLDER.mkdir(exist_ok=True)
        work = tempfile.mkdtemp(prefix="export-", dir=BENCH_FOLDER)
    log(f"work folder {work}")
    ok = False
    try:
        if not args.no_build:
            build_release(lock_path(args))
        binary = os.path.join(work, "callvault")
        shutil.copy2(release_binary(), binary)
        env = {k: v for k, v in os.environ.items() if k not in ("CALLVAULT_USER", "CALLVAULT_ROLE")}
        rows = []
        for n, m in ((cdrs // 2, recordings // 2), (cdrs, recordings)):
            archive = make_archive(binary, work, n, m, env)
            rss, seconds, summary = measure_export(binary, archive, os.path.join(work, f"export-{n}.zip"), env, lock_path(args))
            rows.append((n, m, summary["bytes"], rss, seconds, summary["items"]))
            print(f"{n} CDRs, {m} recordings: zip {summary['bytes'] / 1e6:.0f} MB, {summary['items']} items, "
                  f"peak RSS {rss:.0f} MB, {seconds:.1f} s", flush=True)
        growth = rows[1][3] - rows[0][3]
        ok = all(r[3] < 100 for r in rows)
        print(f"peak RSS grows {growth:+.1f} MB when the data doubles ({rows[0][2] / 1e6:.0f} MB → {rows[1][2] / 1e6:.0f} MB); "
              f"target < 100 MB: {'PASS' if ok else 'FAIL'}")
    finally:
        leave_work_folder(work, args.keep)
    raise SystemExit(0 if ok else 1)
