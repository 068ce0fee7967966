"""Running things: the callvault binary (built or located, then a private copy), the work folder,
the build lock, external commands that say why they failed, and timed runs (wall time, CPU,
peak RSS)."""

import fcntl
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from . import ROOT
from .report import log

# The build lock is an flock(2) on a file in the temporary folder: builds take it, and timed
# steps hold it so that no build competes for the cores meanwhile. Nothing has to exist
# beforehand (the file is created); --lock-file picks another file, --no-lock turns it off.
DEFAULT_LOCK = os.path.join(tempfile.gettempdir(), "cv-build.lock")
RELEASE_BINARY = ROOT / ".build" / "release" / "callvault"
BENCH_FOLDER = ROOT / ".build-bench"  # default home of the work folders (ignored by git: .build-*/)


# ---------------------------------------------------------------------------
# Failures that say why
# ---------------------------------------------------------------------------

def tail(text, lines=20):
    """The last `lines` non-empty-trailing lines of a command's output (bytes or text)."""
    if text is None:
        return []
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text.rstrip().splitlines()[-lines:] if text.strip() else []


def exit_text(returncode):
    if returncode is None:
        return "did not run"
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited {returncode}"


def command_line(argv, limit=800):
    text = " ".join(shlex.quote(str(a)) for a in argv)
    return text if len(text) <= limit else text[:limit] + " …"


def failure(argv, returncode, stdout=None, stderr=None, lines=20, ended=None):
    """What a failed command was, how it ended (`ended`, else its exit status), and the last lines
    of what it printed. A stream that was not captured (None) is left out; one that was captured
    and empty says so."""
    parts = [f"`{command_line(argv)}` {ended or exit_text(returncode)}"]
    for name, text in (("stderr", stderr), ("stdout", stdout)):
        if text is None:
            continue
        rows = tail(text, lines)
        if rows:
            head = f"last {len(rows)} lines of its {name}:" if len(rows) > 1 else f"last line of its {name}:"
            parts.append(head + "".join("\n    " + r for r in rows))
        else:
            parts.append(f"its {name} was empty")
    return "\n  ".join(parts)


class CommandFailed(RuntimeError):
    def __init__(self, argv, returncode, stdout=None, stderr=None, what=None):
        self.argv, self.returncode, self.stdout, self.stderr = list(argv), returncode, stdout, stderr
        text = failure(argv, returncode, stdout, stderr)
        super().__init__(f"{what} failed: {text}" if what else text)


def run_checked(argv, what=None, **kwargs):
    """subprocess.run with stdout and stderr captured as text (unless given); a non-zero exit, or a
    program that cannot start, raises CommandFailed naming the command, its exit and its output."""
    argv = [str(a) for a in argv]
    if "stdout" not in kwargs and "stderr" not in kwargs and "capture_output" not in kwargs:
        kwargs["capture_output"] = True
    kwargs.setdefault("text", True)
    try:
        r = subprocess.run(argv, **kwargs)
    except OSError as e:
        raise CommandFailed(argv, None, None, f"could not start: {e}", what) from e
    if r.returncode != 0:
        raise CommandFailed(argv, r.returncode, r.stdout, r.stderr, what)
    return r


def need(tool, package=None):
    """Stops with how to get `tool` when it is not on PATH."""
    path = shutil.which(tool)
    if not path:
        raise SystemExit(f"needs {tool}: apt-get install -y {package or tool}")
    return path


def gnu_time():
    """GNU time, for peak RSS and CPU times (`time -v`)."""
    for candidate in ("/usr/bin/time", shutil.which("time")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("needs GNU time (/usr/bin/time): apt-get install -y time")


def os_login():
    """The OS login callvault maps this process to (issue 16)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        raise SystemExit(f"uid {os.geteuid()} has no passwd entry: callvault maps accounts to OS logins, so the "
                         f"benchmarks need one")


# ---------------------------------------------------------------------------
# The build lock
# ---------------------------------------------------------------------------

def add_lock_options(ap, no_lock_help="do not hold the build lock while timing"):
    ap.add_argument("--no-lock", action="store_true", help=no_lock_help)
    ap.add_argument("--lock-file", default=DEFAULT_LOCK, metavar="PATH",
                    help="the build lock: a file that builds and timed steps hold with flock(2), so that no build "
                         "competes for the cores while timing; created when missing (default %(default)s)")


def lock_path(args):
    """The build lock to hold while timing, or None with --no-lock."""
    return None if args.no_lock else args.lock_file


def _open_lock(path):
    try:
        return open(path, "a")
    except PermissionError:
        try:
            return open(path, "r")  # another user's lock file: flock works on a read-only descriptor too
        except OSError as e:
            raise SystemExit(f"cannot open the build lock {path}: {e.strerror}; pass --lock-file PATH or --no-lock")
    except OSError as e:
        raise SystemExit(f"cannot open the build lock {path}: {e.strerror}; pass --lock-file PATH or --no-lock")


@contextmanager
def held(path, what):
    """Holds the build lock at `path` (nothing when path is None)."""
    if not path:
        yield
        return
    fh = _open_lock(path)
    try:
        t = time.monotonic()
        fcntl.flock(fh, fcntl.LOCK_EX)
        waited = time.monotonic() - t
        if waited > 1:
            log(f"  (waited {waited:.0f} s for the build lock before {what})")
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


# ---------------------------------------------------------------------------
# The binary and the work folder
# ---------------------------------------------------------------------------

def build_release(lock, message="building release (through the build lock)", report_time=False):
    """`swift build -c release --product callvault` in the repository, holding the build lock
    (`lock`; None builds without it). Stops, saying so, when the build fails."""
    argv = ["swift", "build", "-c", "release", "--product", "callvault"]
    log(message)
    t = time.monotonic()
    with held(lock, "the build"):
        try:
            r = subprocess.run(argv, cwd=ROOT)
        except OSError as e:
            raise SystemExit(f"release build failed: `{command_line(argv)}` could not start ({e}); "
                             f"install Swift or pass --no-build with an existing {RELEASE_BINARY}")
    if r.returncode != 0:
        raise SystemExit(f"release build failed: `{command_line(argv)}` in {ROOT} {exit_text(r.returncode)} "
                         f"(its output is above)")
    if report_time:
        log(f"  built in {time.monotonic() - t:.0f} s")


def release_binary(hint=": build it or drop --no-build"):
    if not RELEASE_BINARY.exists():
        raise SystemExit(f"{RELEASE_BINARY} is missing{hint}")
    return RELEASE_BINARY


def work_folder(given, prefix):
    """--work DIR (must be empty or new), or a new folder under .build-bench/ of the repository."""
    if given:
        work = Path(given).resolve()
        if work.exists() and any(work.iterdir()):
            raise SystemExit(f"--work {work} is not empty")
        work.mkdir(parents=True, exist_ok=True)
    else:
        BENCH_FOLDER.mkdir(exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=prefix, dir=BENCH_FOLDER))
    log(f"work folder {work}")
    return work


def leave_work_folder(work, keep):
    """At the end of a run: keep the work folder (--keep) and say where, or remove it."""
    if keep:
        log(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


def private_copy(binary, folder):
    """A copy of the binary in the work folder: a build during the run must not swap it between steps."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "callvault"
    shutil.copy2(binary, target)
    return target


# ---------------------------------------------------------------------------
# Running callvault and timing it
# ---------------------------------------------------------------------------

def cpu_busy_seconds():
    """Busy CPU time of the whole machine so far (all cores), from /proc/stat."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Runner:
    """Runs one callvault binary: as the bench accounts, timed under GNU time, and holding the
    build lock (`lock`, a path or None) while timing."""

    def __init__(self, binary, lock=None, idle_wait=180, timings=None):
        self.binary = str(binary)
        self.lock = lock
        self.idle_wait = idle_wait
        self.timings = timings if timings is not None else []  # what timed() measured, in order
        self.last_argv = None  # the command line timed() ran last (for failure reports)

    @contextmanager
    def quiet(self, what):
        """Holds the build lock while timing, so no build competes for the 2 cores."""
        with held(self.lock, what):
            os.sync()  # earlier steps' dirty pages are not written back on this step's time
            self.wait_until_idle(what)
            yield

    def wait_until_idle(self, what):
        """Waits (up to idle_wait s) until the rest of the machine uses < 0.25 of a core: other sessions'
        tests and ingests do not take the build lock."""
        deadline = time.monotonic() + self.idle_wait
        while True:
            b0 = cpu_busy_seconds()
            time.sleep(1.0)
            used = cpu_busy_seconds() - b0
            if used < 0.25:
                return
            if time.monotonic() > deadline:
                log(f"  (the machine is still busy, {used:.1f} cores used by others; timing {what} anyway)")
                return

    # callvault acts as the account the OS login running it is mapped to (issue 16). A bench
    # archive gets two accounts mapped to this login, created right after `init`: the admin
    # loads files and customers and runs expiry, the compliance account searches, extracts,
    # exports and erases; every command picks its account with --as.
    ADMIN, OFFICER, PASSPHRASE = "bench.admin", "bench.officer", "a long bench passphrase"
    ACTS_AS = {"customers": ADMIN, "ingest": ADMIN, "expire": ADMIN, "verify": ADMIN, "users": ADMIN,
               "search": OFFICER, "show": OFFICER, "recording": OFFICER, "export": OFFICER, "erase": OFFICER,
               "bench-search": OFFICER, "bench-search-loop": OFFICER, "audit": OFFICER}

    @classmethod
    def acting(cls, args):
        """`args` (a callvault command line without the binary) with `--as` for its command."""
        args = [str(a) for a in args]
        account = cls.ACTS_AS.get(args[0]) if args else None
        return args + ["--as", account] if account and "--as" not in args else args

    def add_accounts(self, archive):
        """The bench accounts of a fresh archive: the first admin (mapped to this OS login by the
        bootstrap) and the compliance officer, mapped to the same login."""
        login = os_login()
        for name, role, extra in ((self.ADMIN, "admin", []), (self.OFFICER, "compliance", ["--os-user", login, "--as", self.ADMIN])):
            run_checked([self.binary, "users", "add", name, "--role", role, "--password-stdin", *extra, "--archive", str(archive)],
                        input=self.PASSPHRASE + "\n", what=f"callvault users add {name}")

    def cv(self, *args, check=True):
        argv = [self.binary, *self.acting(args)]
        r = subprocess.run(argv, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise CommandFailed(argv, r.returncode, r.stdout, r.stderr, what=f"callvault {args[0]}" if args else None)
        if args and args[0] == "init" and '"has_admin":false' in r.stdout.replace(" ", ""):
            self.add_accounts(args[args.index("--archive") + 1])
        return r

    def cv_json(self, *args):
        r = self.cv(*args, "--json")
        try:
            return json.loads(r.stdout)
        except ValueError:
            raise CommandFailed([self.binary, *self.acting([*args, "--json"])], r.returncode, r.stdout, r.stderr,
                                what="reading its JSON (not JSON)")

    def timed(self, argv, stdin=None, stdout=None, what="", measure_rss=True):
        """Runs argv under GNU time -v; returns (wall s, max RSS bytes, stdout text, stderr text, rc).
        The command line run is left in self.last_argv (see failure())."""
        if argv and str(argv[0]) == self.binary:
            argv = [self.binary, *self.acting(argv[1:])]
        argv = [str(a) for a in argv]
        self.last_argv = argv
        time_file = None
        if measure_rss:
            with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
                time_file = tf.name
            full = [gnu_time(), "-v", "-o", time_file, *argv]
        else:
            full = list(argv)
        with self.quiet(what):
            busy0 = cpu_busy_seconds()
            t = time.monotonic()
            try:
                r = subprocess.run(full, stdin=stdin, stdout=stdout if stdout is not None else subprocess.PIPE,
                                   stderr=subprocess.PIPE)
            except OSError as e:
                if time_file:
                    os.unlink(time_file)
                raise CommandFailed(argv, None, None, f"could not start: {e}", what=what or None) from e
            wall = time.monotonic() - t
            busy = cpu_busy_seconds() - busy0
        rss, cpu = None, None
        if measure_rss:
            try:
                text = open(time_file).read()
            finally:
                os.unlink(time_file)
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
            rss = int(m.group(1)) * 1024 if m else None
            u = re.search(r"User time \(seconds\): ([\d.]+)", text)
            k = re.search(r"System time \(seconds\): ([\d.]+)", text)
            if u and k:
                cpu = (float(u.group(1)), float(k.group(1)))
        # CPU seconds the rest of the machine used meanwhile (the measured process's own CPU taken out).
        other = max(0.0, busy - sum(cpu)) if cpu else None
        self.timings.append((what, wall, cpu, rss, other))
        out = r.stdout.decode("utf-8", "replace") if isinstance(r.stdout, bytes) else ""
        return wall, rss, out, r.stderr.decode("utf-8", "replace"), r.returncode

    def failure(self, rc, out, err):
        """failure() of the command timed() ran last."""
        return failure(self.last_argv or ["?"], rc, out, err)

    def why(self, rc, out, err, lines=5):
        """For a report of a step that went wrong: the failure when the command failed, else the
        last lines of its stderr."""
        if rc != 0:
            return self.failure(rc, out, err)
        rows = tail(err, lines)
        return "stderr: " + (" | ".join(rows) if rows else "(empty)")
