"""callvault's benchmarks as a package; the scripts/bench-* entry scripts parse options and call it.

Python 3 standard library only. Modules, one job each:

    helsinki    Europe/Helsinki wall-clock time for the generated records
    people      customers, their numbers, other callers, agents
    generators  Asterisk, FreeSWITCH and Kannel record generators (and what callvault must store)
    audio       recordings made from the sample speech WAVs
    calls       synthetic calls made with espeak-ng and sox as make-samples.py makes the samples,
                their G.711 forms and WAV files (bench-audio)
    files       sizes, digests and copies of files and archives
    runner      locating/building the binary, the work folder, the build lock, running and timing
                commands (wall time, CPU, peak RSS), and failures that say why
    report      the log, results, and the markdown report of bench-ingest
    ingest, expire, serve, erase, export, audiocodec
                the benchmarks themselves (scripts/bench-ingest, bench-expire, ..., bench-audio)
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # the repository: scripts/bench/ -> scripts/ -> root
