"""Files, folders and archives on disk: sizes, counts, digests, copies, and the sqlite3 shell's answers
to queries of an archive's index."""

import hashlib
import os

from .report import MiB
from .runner import run_checked


def dir_size(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    return total


def dir_files(path):
    return sum(len(files) for _, _, files in os.walk(path))


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            b = fh.read(4 * MiB)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def copy_archive(source, target):
    """cp -a of an archive with its key folder and anchor file, which live beside it."""
    run_checked(["cp", "-a", str(source), str(target)])
    for suffix in (".keys", ".anchors"):
        beside = source.with_name(source.name + suffix)
        if beside.exists():
            run_checked(["cp", "-a", str(beside), str(target.with_name(target.name + suffix))])


def sql(db, query):
    """The rows the sqlite3 shell prints for a query (one string per row, columns joined by |)."""
    return run_checked(["sqlite3", str(db), query]).stdout.split("\n")[:-1]
