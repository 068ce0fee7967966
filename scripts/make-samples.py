#!/usr/bin/env python3
"""Regenerate samples/: a small, realistic Asterisk/FreePBX export for callvault.

    python3 scripts/make-samples.py

Needs python3 (stdlib only) and the espeak-ng and sox command line tools
(Debian: apt-get install -y espeak-ng sox). The output is deterministic: a fixed
random seed, sox in repeatable mode without dither, and WAV files rewritten by
Python's wave module, so running the script twice gives byte-identical files.

What it writes (see samples/README.md, which this script also writes):
  samples/customers.csv                              customers import file
  samples/asterisk/cdr-csv/Master.csv                Asterisk cdr_csv, UTF-8
  samples/asterisk/cdr-csv/Master-latin1.csv         legacy PBX, ISO-8859-1, one bad line
  samples/asterisk/late/Master-late.csv              a CDR that arrives after its recording
  samples/asterisk/monitor/YYYY/MM/DD/*.wav          FreePBX call recordings
"""

import csv
import io
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "samples"
SEED = 20261023

DID = "0923456789"
QUEUE = "400"
TRUNK = "trunk-elisa"
AMAFLAGS = "DOCUMENTATION"

# ---------------------------------------------------------------------------
# Time: the PBX writes local Europe/Helsinki wall-clock time. EU summer time
# ends on 2026-10-25 at 01:00 UTC (04:00 EEST -> 03:00 EET), so the local hour
# 03:00-04:00 on that day happens twice. The sample spans 2026-10-22..26 only,
# so one transition is all that matters; check_tz() cross-checks with zoneinfo.
# ---------------------------------------------------------------------------
DST_END_UTC = datetime(2026, 10, 25, 1, 0, 0, tzinfo=timezone.utc)
REPEATED_START = datetime(2026, 10, 25, 3, 0, 0)
REPEATED_END = datetime(2026, 10, 25, 4, 0, 0)


def to_local(t_utc):
    off = timedelta(hours=3) if t_utc < DST_END_UTC else timedelta(hours=2)
    return (t_utc + off).replace(tzinfo=None)


def from_local(naive, fold=0):
    """Local wall-clock time to UTC; fold=1 picks the second (EET) 03:xx."""
    if REPEATED_START <= naive < REPEATED_END:
        hours = 3 if fold == 0 else 2
    elif naive < REPEATED_START:
        hours = 3
    else:
        hours = 2
    return (naive - timedelta(hours=hours)).replace(tzinfo=timezone.utc)


def fmt_local(t_utc):
    return to_local(t_utc).strftime("%Y-%m-%d %H:%M:%S")


def epoch(t_utc):
    return int(t_utc.timestamp())


def check_tz():
    try:
        from zoneinfo import ZoneInfo
        zone = ZoneInfo("Europe/Helsinki")
    except Exception:  # no tz database: the fixed rule above stands alone
        return
    t = datetime(2026, 10, 22, 0, 0, tzinfo=timezone.utc)
    while t < datetime(2026, 10, 28, tzinfo=timezone.utc):
        z = t.astimezone(zone)
        assert z.replace(tzinfo=None) == to_local(t), t
        assert from_local(z.replace(tzinfo=None), z.fold) == t, t
        t += timedelta(minutes=7)


# ---------------------------------------------------------------------------
# Customers and the numbers the PBX sees.
# ---------------------------------------------------------------------------
# (customer_id, name, phones as a person typed them, relationship_ended)
CUSTOMERS = [
    ("C001", "Mäkinen Jukka", ["040 123 4567"], ""),
    ("C002", "Äijälä, Sanna", ["+358 50 765 4321", "09-1234567"], ""),
    ("C003", "Äijälä Matti", ["09-1234567", "044 321 7654"], ""),
    ("C004", "Öhman Pekka", ["00358401112223"], ""),
    ("C005", "Åström Linnea", ["+46 70 123 45 67"], ""),
    ("C006", "Virtanen Aino", ["044 987 6543"], ""),
    ("C007", "Oy Esimerkki Ab", ["020 765 4321", "+358 9 8765 4321"], ""),
    ("C008", "Kärkkäinen Tiina", ["045-234 5678"], "2026-06-30"),
    ("C009", "Lehtonen Päivi", ["+358405550101"], ""),
    ("C010", "Nyström Göran", ["050 333 2211"], ""),
    ("C011", "Järvinen Ville", ["0400 765 432"], ""),
    ("C012", "Hämäläinen Outi", ["041 222 3344"], ""),
    ("C013", 'Kahvila "Kulma" Oy', ["(09) 612 3456"], ""),
]

# Caller-ID name the PBX phonebook shows for each customer number (E.164 key).
CLID_NAMES = {
    "+358401234567": "Mäkinen Jukka",
    "+358507654321": "Äijälä Sanna",
    "+35891234567": "Äijälä",
    "+358443217654": "Äijälä Matti",
    "+358401112223": "Öhman Pekka",
    "+46701234567": "Åström Linnea",
    "+358449876543": "Virtanen Aino",
    "+358207654321": "Oy Esimerkki Ab, asiakaspalvelu",
    "+358987654321": "Oy Esimerkki Ab",
    "+358452345678": "Kärkkäinen Tiina",
    "+358405550101": "Lehtonen Päivi",
    "+358503332211": "Nyström Göran",
    "+358400765432": "Järvinen Ville",
    "+358412223344": "Hämäläinen Outi",
    "+35896123456": "Kahvila Kulma",
}

# Numbers that belong to nobody in customers.csv (E.164).
NON_CUSTOMERS = [
    "+358407778899",
    "+358505550123",
    "+358451119988",
    "+358981234567",
    "+358442223311",
    "+4915112345678",
]

AGENTS = {
    "1001": "Mikko Salo",
    "1002": "Laura Lindqvist",
    "1003": "Anna Korhonen",
    "1004": "Jari Nieminen",
    "1005": "Emma Koskinen",
    "1006": "Olli Laine",
}


def normalize(raw):
    """Written form -> E.164, or None for extensions, anonymous and the like."""
    s = raw.strip()
    digits = re.sub(r"\D", "", s)
    if s.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0") and len(digits) >= 6:
        return "+358" + digits[1:]
    return None


def national(e164):
    """How the Finnish trunk presents a Finnish number nationally."""
    assert e164.startswith("+358")
    return "0" + e164[4:]


def dialled(e164):
    """What an agent dials for a number."""
    if e164.startswith("+358"):
        return national(e164)
    return "00" + e164[1:]


def customers_of(e164):
    ids = []
    for cid, _name, phones, _ended in CUSTOMERS:
        if any(normalize(p) == e164 for p in phones):
            ids.append(cid)
    return ids


CUSTOMER_NUMBERS = []  # E.164, in customers.csv order, unique
for _cid, _name, _phones, _ended in CUSTOMERS:
    for _p in _phones:
        _e = normalize(_p)
        if _e not in CUSTOMER_NUMBERS:
            CUSTOMER_NUMBERS.append(_e)
assert set(CUSTOMER_NUMBERS) == set(CLID_NAMES), "CLID_NAMES must cover every customer number"

# ---------------------------------------------------------------------------
# Asterisk cdr_csv writer (cdr/cdr_csv.c, loguniqueid/loguserfield/newcdrcolumns
# = yes): strings quoted with inner quotes doubled, duration/billsec/sequence
# bare integers, an unset time (answer of an unanswered call) an empty field
# with no quotes at all, LF line ends, no header.
# ---------------------------------------------------------------------------
COLUMNS = [
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel",
    "lastapp", "lastdata", "start", "answer", "end", "duration", "billsec",
    "disposition", "amaflags", "uniqueid", "userfield", "peeraccount",
    "linkedid", "sequence",
]
INT_COLUMNS = {"duration", "billsec", "sequence"}
DATE_COLUMNS = {"start", "answer", "end"}


def q(s):
    return '"' + s.replace('"', '""') + '"'


def cdr_line(rec):
    out = []
    for col in COLUMNS:
        v = rec[col]
        if col in INT_COLUMNS:
            out.append(str(int(v)))
        elif col in DATE_COLUMNS and v == "":
            out.append("")
        else:
            out.append(q(v))
    return ",".join(out) + "\n"


def clid(name, number):
    # ast_callerid_merge(): "name" <number>; an empty name still gives "" <number>
    return f'"{name}" <{number}>'


# ---------------------------------------------------------------------------
# The PBX: counters for channel unique ids, PJSIP channel names and CDR sequence.
# ---------------------------------------------------------------------------
class PBX:
    def __init__(self, uniq, chan, seq, tech="PJSIP"):
        self.uniq, self.chan, self.seq, self.tech = uniq, chan, seq, tech

    def channel(self, endpoint, t_utc):
        uid = f"{epoch(t_utc)}.{self.uniq}"
        self.uniq += 1
        name = f"{self.tech}/{endpoint}-{self.chan:08x}"
        self.chan += 1
        return name, uid

    def local_channels(self):
        self.uniq += 2  # Local/...;1 and ;2 of a queue member: ids, no PJSIP name

    def next_seq(self):
        s = self.seq
        self.seq += 1
        return s


def leg_record(*, src, dst, dcontext, clid_, channel, dstchannel, lastapp, lastdata,
               start, answer, end, disposition, uniqueid, linkedid, sequence,
               accountcode="", userfield="", peeraccount=""):
    return {
        "accountcode": accountcode, "src": src, "dst": dst, "dcontext": dcontext,
        "clid": clid_, "channel": channel, "dstchannel": dstchannel,
        "lastapp": lastapp, "lastdata": lastdata,
        "start": fmt_local(start), "answer": fmt_local(answer) if answer else "",
        "end": fmt_local(end),
        "duration": int((end - start).total_seconds()),
        "billsec": int((end - answer).total_seconds()) if answer else 0,
        "disposition": disposition, "amaflags": AMAFLAGS,
        "uniqueid": uniqueid, "userfield": userfield, "peeraccount": peeraccount,
        "linkedid": linkedid, "sequence": sequence,
        "_end_utc": end,
    }


def materialize(pbx, spec):
    """Turn a call spec into CDR legs; returns (legs, uniqueid, final end utc)."""
    kind, t0 = spec["kind"], spec["start"]
    legs = []
    if kind in ("queue", "direct"):
        chan, uid = pbx.channel(TRUNK, t0)
        src = spec["src"]
        cl = spec["clid"]
        t = t0
        for agent, disp, ring, talk in spec["legs"]:
            if kind == "queue":
                pbx.local_channels()
            dchan, _ = pbx.channel(agent, t)
            if disp == "ANSWERED":
                answer, end = t + timedelta(seconds=ring), t + timedelta(seconds=ring + talk)
            else:
                answer, end = None, t + timedelta(seconds=ring)
            if kind == "queue":
                dst, dctx, app, data = QUEUE, "ext-queues", "Queue", f"{QUEUE},t,,,300,,,,,"
            else:
                dst, dctx, app = DID, "from-trunk", "Dial"
                data = f"PJSIP/{agent},20,Trb(func-apply-sipheaders^s^1)"
            legs.append(leg_record(
                src=src, dst=dst, dcontext=dctx, clid_=cl, channel=chan, dstchannel=dchan,
                lastapp=app, lastdata=data, start=t, answer=answer, end=end,
                disposition=disp, uniqueid=uid, linkedid=uid, sequence=pbx.next_seq()))
            t = end + timedelta(seconds=1)
    elif kind in ("out", "internal"):
        ext = spec["ext"]
        chan, uid = pbx.channel(ext, t0)
        (_agent, disp, ring, talk), = spec["legs"]
        if kind == "out":
            dst = spec["dst"]
            dchan, _ = pbx.channel(TRUNK, t0 + timedelta(seconds=1))
            data = f"PJSIP/{dst}@{TRUNK},300,Tb(func-apply-sipheaders^s^1)"
        else:
            dst = spec["dst"]
            dchan, _ = pbx.channel(dst, t0)
            data = f"PJSIP/{dst},60,HhtrIb(func-apply-sipheaders^s^1)"
        if disp == "ANSWERED":
            answer, end = t0 + timedelta(seconds=ring), t0 + timedelta(seconds=ring + talk)
        else:
            answer, end = None, t0 + timedelta(seconds=ring)
        legs.append(leg_record(
            src=ext, dst=dst, dcontext="from-internal", clid_=clid(AGENTS[ext], ext),
            channel=chan, dstchannel=dchan, lastapp="Dial", lastdata=data,
            start=t0, answer=answer, end=end, disposition=disp,
            uniqueid=uid, linkedid=uid, sequence=pbx.next_seq()))
    else:
        raise ValueError(kind)
    return legs, uid, max(l["_end_utc"] for l in legs)


# ---------------------------------------------------------------------------
# Call specs: featured calls (the ones the README points at) + seeded filler.
# ---------------------------------------------------------------------------
def L(y, mo, d, h, mi, s, fold=0):
    return from_local(datetime(y, mo, d, h, mi, s), fold)


def inbound_party(e164, rng=None, form=None, named=True):
    """(src, clid) as the trunk presents a caller."""
    if e164 == "anonymous":
        return "anonymous", clid("Anonymous", "anonymous")
    if form is None:
        form = "intl" if (not e164.startswith("+358") or (rng and rng.random() < 0.3)) else "nat"
    num = e164 if form == "intl" else national(e164)
    name = CLID_NAMES.get(e164, "") if named else ""
    return num, clid(name, num)


ANN_FI = ("fi+f2", 190, "Tervetuloa asiakaspalveluun. Puhelu voidaan tallentaa laadun varmistamiseksi.")
ANN_EN = ("en-gb+f2", 180, "Welcome to customer service. This call may be recorded.")

# Each recording: lines of (espeak voice, words per minute, text).
DIALOGUES = {
    "F1": [("fi+m1", 170, "Moi Jari, Mikko täällä. Voitko soittaa Mäkiselle takaisin?"),
           ("fi+m4", 170, "Joo, soitan heti lounaan jälkeen.")],
    "F2": [ANN_FI,
           ("fi+f3", 170, "Asiakaspalvelu, Anna."),
           ("fi+m3", 165, "Hei, Jukka Mäkinen. Laskussani on virhe.")],
    "F3": [ANN_FI,
           ("fi+f4", 170, "Emma, kiitos odotuksesta."),
           ("fi+f1", 165, "Sanna Äijälä. Haluan vaihtaa osoitteen.")],
    "F4": [("fi+f5", 170, "Hei, Laura asiakaspalvelusta. Puhelu tallennetaan."),
           ("fi+m2", 165, "Hei. Kiitos, asia on jo kunnossa."),
           ("fi+f5", 170, "Hienoa, hyvää päivänjatkoa.")],
    "F9": [ANN_EN,
           ("en-gb+f4", 165, "Emma speaking, how can I help?"),
           ("sv+f1", 160, "Hej, det är Linnea Åström. Jag vill ändra min adress.")],
    "F11": [ANN_FI,
            ("fi+m5", 170, "Päivystys, Olli."),
            ("fi+f2", 165, "Anteeksi, täällä on sähköt poikki.")],
    "F15": [ANN_FI,
            ("fi+f3", 170, "Asiakaspalvelu, Anna."),
            ("fi+m6", 165, "Ville Järvinen. Soitan tilauksesta.")],
}


def featured_specs(talk):
    """talk[key] = recorded talk seconds (= billsec) for recorded calls."""
    S = []

    def add(key, **kw):
        kw["key"] = key
        S.append(kw)

    mak = "+358401234567"
    # Fri 2026-10-23
    add("F1", kind="internal", start=L(2026, 10, 23, 8, 5, 31), ext="1001", dst="1004",
        legs=[("1004", "ANSWERED", 4, talk["F1"])], rec="exten")
    src, cl = inbound_party(mak, form="nat")
    add("F2", kind="direct", start=L(2026, 10, 23, 9, 14, 22), src=src, clid=cl,
        legs=[("1003", "ANSWERED", 7, talk["F2"])], rec="in")
    src, cl = inbound_party("+358507654321", form="intl")
    add("F3", kind="queue", start=L(2026, 10, 23, 10, 2, 48), src=src, clid=cl,
        legs=[("1003", "NO ANSWER", 21, 0), ("1004", "NO ANSWER", 15, 0),
              ("1005", "ANSWERED", 6, talk["F3"])], rec="q")
    add("F4", kind="out", start=L(2026, 10, 23, 11, 37, 5), ext="1002",
        dst=dialled("+358401112223"), legs=[("", "ANSWERED", 9, talk["F4"])], rec="out")
    src, cl = inbound_party("+358207654321", form="nat")
    add("F5", kind="queue", start=L(2026, 10, 23, 13, 20, 40), src=src, clid=cl,
        legs=[("1001", "ANSWERED", 12, 214)])
    src, cl = inbound_party("anonymous")
    add("F6", kind="queue", start=L(2026, 10, 23, 14, 5, 12), src=src, clid=cl,
        legs=[("1006", "ANSWERED", 31, 47)])
    add("F7", kind="out", start=L(2026, 10, 23, 15, 48, 30), ext="1002", dst="040123",
        legs=[("", "FAILED", 1, 0)])
    add("F8", kind="out", start=L(2026, 10, 23, 16, 22, 10), ext="1004",
        dst=dialled("+358449876543"), legs=[("", "BUSY", 3, 0)])
    # Sat 2026-10-24
    src, cl = inbound_party("+46701234567")
    add("F9", kind="queue", start=L(2026, 10, 24, 11, 3, 44), src=src, clid=cl,
        legs=[("1005", "ANSWERED", 18, talk["F9"])], rec="q")
    add("F10", kind="out", start=L(2026, 10, 24, 12, 30, 0), ext="1005",
        dst=dialled("+46701234567"), legs=[("", "CONGESTION", 2, 0)])
    # Sun 2026-10-25: the repeated hour. F11 starts 03:57:40 EEST (00:57:40Z) and
    # ends 03:00:xx EET, so its local end is "before" its start; F12 is at
    # 03:20:05 EET (01:20:05Z), i.e. 37 real minutes after F11 began.
    f11_start = L(2026, 10, 25, 3, 57, 40, fold=0)
    f11_end = datetime(2026, 10, 25, 1, 0, 8, tzinfo=timezone.utc)
    ring = int((f11_end - f11_start).total_seconds()) - talk["F11"]
    src, cl = inbound_party("+358449876543", form="nat")
    add("F11", kind="queue", start=f11_start, src=src, clid=cl,
        legs=[("1006", "ANSWERED", ring, talk["F11"])], rec="q")
    src, cl = inbound_party("+358451119988", form="intl")
    add("F12", kind="queue", start=L(2026, 10, 25, 3, 20, 5, fold=1), src=src, clid=cl,
        legs=[("1006", "NO ANSWER", 26, 0)])
    # Mon 2026-10-26
    src, cl = inbound_party("+35891234567", form="nat")
    add("F13", kind="queue", start=L(2026, 10, 26, 9, 41, 18), src=src, clid=cl,
        legs=[("1002", "ANSWERED", 9, 388)])
    add("F14", kind="out", start=L(2026, 10, 26, 10, 15, 0), ext="1002",
        dst=dialled(mak), legs=[("", "ANSWERED", 11, 152)])
    src, cl = inbound_party("+358400765432", form="nat")
    add("F15", kind="direct", start=L(2026, 10, 26, 16, 47, 52), src=src, clid=cl,
        legs=[("1003", "ANSWERED", 6, talk["F15"])], rec="in", late=True)
    src, cl = inbound_party("+358452345678", form="nat")
    add("F16", kind="queue", start=L(2026, 10, 26, 12, 10, 33), src=src, clid=cl,
        legs=[("1004", "ANSWERED", 14, 95)])
    return S


def filler_specs(rng, taken):
    """Ordinary traffic around the featured calls."""
    S = []
    plan = [  # (day, first hour, last hour, calls, agents on duty)
        (date(2026, 10, 23), 8, 17, 19, ["1001", "1002", "1003", "1004", "1005", "1006"]),
        (date(2026, 10, 24), 10, 15, 5, ["1005", "1006"]),
        (date(2026, 10, 25), 10, 15, 4, ["1005", "1006"]),
        (date(2026, 10, 26), 8, 17, 19, ["1001", "1002", "1003", "1004", "1005", "1006"]),
    ]
    weights_cust = [5 if e == "+358401234567" else 2 for e in CUSTOMER_NUMBERS]
    n = 0
    for day, h0, h1, count, agents in plan:
        for _ in range(count):
            while True:
                secs = rng.randrange(h0 * 3600, h1 * 3600)
                t = from_local(datetime(day.year, day.month, day.day) + timedelta(seconds=secs))
                if all(abs((t - u).total_seconds()) > 120 for u in taken):
                    break
            taken.append(t)
            n += 1
            key = f"R{n:02d}"
            weekend = day.weekday() >= 5
            kind = rng.choices(["queue", "direct", "out", "internal"],
                               weights=[55, 8, 25, 0 if weekend else 12])[0]
            if kind in ("queue", "direct"):
                if rng.random() < 0.72:
                    e164 = rng.choices(CUSTOMER_NUMBERS, weights=weights_cust)[0]
                    named = rng.random() < 0.85
                else:
                    e164 = rng.choice(NON_CUSTOMERS)
                    named = False
                src, cl = inbound_party(e164, rng=rng, named=named)
                if not named and rng.random() < 0.5 and src != "anonymous":
                    cl = clid(src, src)  # trunk put the number in the name too
                a = rng.choice(agents)
                r = rng.random()
                if kind == "queue":
                    if r < 0.66:
                        legs = [(a, "ANSWERED", rng.randint(4, 45), rng.randint(40, 620))]
                    elif r < 0.78 and len(agents) > 1:
                        b = rng.choice([x for x in agents if x != a])
                        legs = [(a, "NO ANSWER", rng.randint(15, 25), 0),
                                (b, "ANSWERED", rng.randint(3, 12), rng.randint(40, 500))]
                    else:  # caller gave up while an agent's phone rang
                        legs = [(a, "NO ANSWER", rng.randint(8, 70), 0)]
                else:
                    if r < 0.7:
                        legs = [(a, "ANSWERED", rng.randint(4, 20), rng.randint(30, 400))]
                    elif r < 0.88:
                        legs = [(a, "NO ANSWER", 20, 0)]
                    else:
                        legs = [(a, "BUSY", rng.randint(1, 3), 0)]
                S.append(dict(key=key, kind=kind, start=t, src=src, clid=cl, legs=legs))
            elif kind == "out":
                ext = rng.choice(agents)
                if rng.random() < 0.8:
                    e164 = rng.choices(CUSTOMER_NUMBERS, weights=weights_cust)[0]
                else:
                    e164 = rng.choice(NON_CUSTOMERS)
                r = rng.random()
                if r < 0.7:
                    legs = [("", "ANSWERED", rng.randint(6, 25), rng.randint(30, 500))]
                elif r < 0.86:
                    legs = [("", "NO ANSWER", rng.randint(25, 45), 0)]
                else:
                    legs = [("", "BUSY", rng.randint(2, 6), 0)]
                S.append(dict(key=key, kind="out", start=t, ext=ext, dst=dialled(e164), legs=legs))
            else:
                ext, other = rng.sample(agents, 2)
                if rng.random() < 0.85:
                    legs = [(other, "ANSWERED", rng.randint(2, 10), rng.randint(15, 240))]
                else:
                    legs = [(other, "NO ANSWER", rng.randint(15, 30), 0)]
                S.append(dict(key=key, kind="internal", start=t, ext=ext, dst=other, legs=legs))
    return S


# ---------------------------------------------------------------------------
# Audio
# ---------------------------------------------------------------------------
def run(cmd):
    r = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit(f"command failed: {' '.join(map(str, cmd))}\n{r.stderr.decode(errors='replace')}")


def wav_seconds(path):
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def synthesize(lines, tmp, tag):
    """Speech for one call at 8 kHz; returns (path, whole seconds it will last)."""
    parts = []
    gap = tmp / "gap.wav"
    if not gap.exists():
        run(["sox", "-R", "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
             gap, "trim", "0", "0.3"])
    for i, (voice, wpm, text) in enumerate(lines):
        raw = tmp / f"{tag}-{i}-raw.wav"
        run(["espeak-ng", "-v", voice, "-s", wpm, "-w", raw, text])
        conv = tmp / f"{tag}-{i}.wav"
        # telephone band, normalised; the far end (customer) a bit quieter
        level = "0.9" if i % 2 == 0 else "0.6"
        run(["sox", "-R", "-D", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
             conv, "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse",
             "highpass", "300", "lowpass", "3400", "gain", "-n", "-3", "vol", level])
        parts += [conv, gap]
    speech = tmp / f"{tag}-speech.wav"
    run(["sox", "-R", "-D", *parts[:-1], speech])
    seconds = math.ceil(wav_seconds(speech) + 0.5)
    if not 4 <= seconds <= 12:
        sys.exit(f"recording {tag} would last {seconds} s; keep dialogues to 4-12 s")
    return speech, seconds


def render(speech, seconds, tmp, tag, dest, index):
    padded = tmp / f"{tag}-padded.wav"
    run(["sox", "-R", "-D", speech, padded, "pad", "0.3", str(seconds), "trim", "0", str(seconds)])
    # sox -R seeds its generator the same way every run: make one long stretch of
    # line noise and give each recording its own slice of it
    hiss = tmp / "hiss.wav"
    if not hiss.exists():
        run(["sox", "-R", "-D", "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
             hiss, "synth", "120", "whitenoise", "vol", "0.01"])
    noise = tmp / f"{tag}-noise.wav"
    run(["sox", "-R", "-D", hiss, noise, "trim", str(index * 13), str(seconds)])
    mixed = tmp / f"{tag}-mixed.wav"
    run(["sox", "-R", "-D", "-m", "-v", "1", padded, "-v", "1", noise,
         "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", mixed])
    # rewrite with a plain 44-byte RIFF/WAVE PCM header
    with wave.open(str(mixed), "rb") as r:
        assert (r.getframerate(), r.getnchannels(), r.getsampwidth()) == (8000, 1, 2)
        frames = r.readframes(r.getnframes())
    assert len(frames) == seconds * 8000 * 2, (tag, len(frames))
    dest.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(dest), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(frames)


def recording_name(spec, legs, uid):
    """FreePBX: <dir>-<to>-<from>-YYYYMMDD-HHMMSS-<uniqueid>.wav under YYYY/MM/DD."""
    loc = to_local(spec["start"])
    stamp = loc.strftime("%Y%m%d-%H%M%S")
    kind = spec["rec"]
    first = legs[0]
    if kind == "in":
        name = f"in-{DID}-{first['src']}-{stamp}-{uid}.wav"
    elif kind == "q":
        name = f"q-{QUEUE}-{first['src']}-{stamp}-{uid}.wav"
    elif kind == "out":
        name = f"out-{first['dst']}-{first['src']}-{stamp}-{uid}.wav"
    elif kind == "exten":
        name = f"exten-{first['dst']}-{first['src']}-{stamp}-{uid}.wav"
    else:
        raise ValueError(kind)
    return Path(loc.strftime("%Y")) / loc.strftime("%m") / loc.strftime("%d") / name


# ---------------------------------------------------------------------------
# Legacy PBX (ISO-8859-1, chan_sip, another office) with one malformed line.
# ---------------------------------------------------------------------------
def legacy_lines():
    pbx = PBX(uniq=1187, chan=0x12F, seq=5021, tech="SIP")
    did = "0923456700"
    recs = []

    def inbound(t0, e164, ext, disp, ring, talk):
        chan, uid = pbx.channel("elisa-legacy", t0)
        dchan, _ = pbx.channel(ext, t0)
        num = national(e164)
        answer = t0 + timedelta(seconds=ring) if disp == "ANSWERED" else None
        end = t0 + timedelta(seconds=ring + talk)
        return leg_record(src=num, dst=did, dcontext="from-pstn",
                          clid_=clid(CLID_NAMES[e164], num), channel=chan, dstchannel=dchan,
                          lastapp="Dial", lastdata=f"SIP/{ext},30,tT", start=t0, answer=answer,
                          end=end, disposition=disp, uniqueid=uid, linkedid=uid,
                          sequence=pbx.next_seq())

    recs.append(inbound(L(2026, 10, 23, 10, 44, 2), "+358412223344", "201", "ANSWERED", 8, 131))
    bad = inbound(L(2026, 10, 23, 11, 0, 27), "+358452345678", "202", "ANSWERED", 5, 98)
    bad["start"] = "2026-13-45 99:00:00"
    recs.append(bad)
    recs.append(inbound(L(2026, 10, 24, 9, 12, 55), "+358503332211", "201", "NO ANSWER", 30, 0))
    t0 = L(2026, 10, 26, 14, 3, 10)
    chan, uid = pbx.channel("202", t0)
    dchan, _ = pbx.channel("elisa-legacy", t0)
    recs.append(leg_record(src="202", dst="0452345678", dcontext="from-internal",
                           clid_=clid("Myynti Jyväskylä", "202"), channel=chan, dstchannel=dchan,
                           lastapp="Dial", lastdata="SIP/elisa-legacy/0452345678,120,T",
                           start=t0, answer=t0 + timedelta(seconds=12),
                           end=t0 + timedelta(seconds=12 + 246), disposition="ANSWERED",
                           uniqueid=uid, linkedid=uid, sequence=pbx.next_seq()))
    return recs


# ---------------------------------------------------------------------------
# customers.csv (RFC 4180: CRLF, quotes only where needed, plus the phones
# field quoted whenever it holds several numbers)
# ---------------------------------------------------------------------------
def customers_csv():
    def field(s, force=False):
        if force or any(c in s for c in ',"\r\n'):
            return q(s)
        return s

    rows = ["customer_id,name,phones,relationship_ended"]
    for cid, name, phones, ended in CUSTOMERS:
        rows.append(",".join([cid, field(name), field(";".join(phones), len(phones) > 1), ended]))
    return "\r\n".join(rows) + "\r\n"


# ---------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------
def calls_by_linkedid(recs):
    calls = {}
    for r in recs:
        calls.setdefault(r["linkedid"], []).append(r)
    return calls


def call_numbers(legs):
    nums = set()
    for r in legs:
        for v in (r["src"], r["dst"]):
            e = normalize(v)
            if e:
                nums.add(e)
    return nums


def readme(master, late, legacy, recordings, featured_uids):
    mcalls = calls_by_linkedid(master)
    dispositions = {}
    for r in master:
        dispositions[r["disposition"]] = dispositions.get(r["disposition"], 0) + 1
    multi = [uid for uid, legs in mcalls.items() if len(legs) > 1]

    def count_number(e164, calls):
        return sum(1 for legs in calls.values() if e164 in call_numbers(legs))

    rec_by_uid = {r["uniqueid"]: r for r in recordings}
    lines = []
    w = lines.append
    w("# callvault samples")
    w("")
    w("A small, made-up but realistic export from an Asterisk 20 / FreePBX 17 PBX of a Finnish")
    w("customer-service team, 2026-10-23 (Fri) .. 2026-10-26 (Mon), Europe/Helsinki time. Every")
    w("name and number is fictional. Generated by `python3 scripts/make-samples.py` (needs")
    w("`espeak-ng` and `sox`); rerunning it rewrites this folder byte for byte.")
    w("")
    w("## Try it")
    w("")
    w("```sh")
    w("callvault init")
    w("callvault customers import samples/customers.csv")
    w("callvault ingest samples/asterisk            # everything: CDRs, recordings, the late CDR")
    w("callvault search --number '040 123 4567'")
    w("```")
    w("")
    w("To see a recording arrive before its CDR, ingest in two steps instead:")
    w("")
    w("```sh")
    w("callvault ingest samples/asterisk/cdr-csv samples/asterisk/monitor")
    w(f"callvault search --number '0400 765 432' --from {late[0]['start'][:10]}   # the recording, no call yet")
    w("callvault ingest samples/asterisk/late        # its CDR arrives; the recording links to it")
    w("```")
    w("")
    w("## Files")
    w("")
    w("| file | what it is |")
    w("|---|---|")
    w(f"| `customers.csv` | {len(CUSTOMERS)} customers for `customers import`: header `customer_id,name,phones,relationship_ended`, RFC 4180 (CRLF, quoted fields, `\"\"` inside quotes), several numbers per customer separated by `;`, numbers written every which way |")
    w(f"| `asterisk/cdr-csv/Master.csv` | {len(master)} CDR records ({len(mcalls)} calls) as Asterisk's `cdr_csv` writes them with `loguniqueid`, `loguserfield` and `newcdrcolumns` on: UTF-8, no header, 21 columns |")
    w(f"| `asterisk/cdr-csv/Master-latin1.csv` | {len(legacy)} lines from an older PBX at another office, ISO-8859-1, same 21 columns, one line deliberately broken (below) |")
    w("| `asterisk/late/Master-late.csv` | 1 CDR whose recording is already in `monitor/` (a CDR that arrives late) |")
    w(f"| `asterisk/monitor/YYYY/MM/DD/*.wav` | {len(recordings)} FreePBX call recordings: 8 kHz mono 16-bit PCM WAV, 4-12 s of synthetic speech (espeak-ng) with line noise |")
    w("")
    w("The 21 columns, in order: accountcode, src, dst, dcontext, clid, channel, dstchannel,")
    w("lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags, uniqueid,")
    w("userfield, peeraccount, linkedid, sequence. As in real Asterisk: every field is quoted")
    w("except duration, billsec and sequence; `\"` inside a field is doubled; the answer time of")
    un = next(r for r in master if not r["answer"])
    w(f"an unanswered call is an empty field without quotes (`...\"{un['start']}\",,\"{un['end']}\",{un['duration']},0,...`);")
    w("rows are written when a call ends, so they are in end-time order, not start-time order;")
    w("times are local wall-clock time without an offset.")
    w("")
    w("## Customers and their numbers")
    w("")
    w("| id | name | phones as written | E.164 | calls (CDR records) in Master.csv | elsewhere |")
    w("|---|---|---|---|---|---|")
    good_legacy = calls_by_linkedid([r for r in legacy if not r["start"].startswith("2026-13")])
    bad_legacy = calls_by_linkedid([r for r in legacy if r["start"].startswith("2026-13")])
    lcalls = calls_by_linkedid(late)
    for cid, name, phones, ended in CUSTOMERS:
        es = set(normalize(p) for p in phones)
        hit = [legs for legs in mcalls.values() if call_numbers(legs) & es]
        other = []
        for label, calls in (("in late", lcalls), ("in latin1", good_legacy), ("on latin1's bad line", bad_legacy)):
            k = sum(1 for legs in calls.values() if call_numbers(legs) & es)
            if k:
                other.append(f"{k} {label}")
        note = f" (relationship ended {ended})" if ended else ""
        w(f"| {cid} | {name}{note} | {'; '.join('`' + p + '`' for p in phones)} | "
          f"{', '.join(sorted(es))} | {len(hit)} ({sum(len(l) for l in hit)}) | {', '.join(other) or '-'} |")
    w("")
    w("`09-1234567` is the Äijälä family landline: it belongs to both C002 and C003, so calls from")
    w("or to it link to both customers. C008's relationship ended on 2026-06-30, yet she still calls.")
    w("C005 is Swedish (+46). Callers from " + ", ".join(NON_CUSTOMERS) + " are not customers;")
    w("one caller is anonymous (src `anonymous`).")
    w("")
    w("## Worth trying")
    w("")
    mak = "+358401234567"
    mak_calls = [legs for legs in mcalls.values() if mak in call_numbers(legs)]
    w(f"- `search --number '040 123 4567'` (or `0401234567`, `+358 40 123 4567`, `00358401234567`):"
      f" {len(mak_calls)} calls ({sum(len(l) for l in mak_calls)} CDR records) in Master.csv, inbound as"
      f" `0401234567` and `+358401234567`, outbound dialled as `0401234567`; one of them"
      f" ({featured_uids['F2']}) has a recording.")
    land = "+35891234567"
    w(f"- `search --number '09-1234567'`: {count_number(land, mcalls)} calls to or from the shared landline;"
      f" `search --customer C002` and `search --customer C003` both include them.")
    w(f"- `search --customer C005` (Åström, `+46 70 123 45 67`): {count_number('+46701234567', mcalls)} calls,"
      " one of them an outbound attempt dialled `0046701234567` that hit CONGESTION.")
    w("- `search --agent 1005`; `search --from 2026-10-25T03:00+03:00 --to 2026-10-25T04:00+02:00`"
      " (both passes of the repeated hour, 00:00Z-02:00Z: the two calls below).")
    w("- dispositions in Master.csv: " + ", ".join(f"{k} {v}" for k, v in sorted(dispositions.items())) + ".")
    w("")
    w("### Calls with more than one CDR record")
    w("")
    w("A queue call gets one record per agent rung. All its records share the caller channel's")
    w("`uniqueid` and `linkedid` and differ in `sequence` (that is what Asterisk writes; the")
    w("stable key is uniqueid + sequence):")
    w("")
    for uid in multi:
        legs = mcalls[uid]
        desc = "; ".join(f"seq {l['sequence']} {l['dstchannel'].split('/')[1].split('-')[0]} {l['disposition']}"
                         for l in legs)
        w(f"- `{uid}` from `{legs[0]['src']}` {legs[0]['start']}: {desc}")
    w("")
    w("### Daylight saving time (2026-10-25, 04:00 EEST -> 03:00 EET)")
    w("")
    for uid in featured_uids["F11"], featured_uids["F12"]:
        legs = mcalls[uid]
        l = legs[0]
        w(f"- `{uid}` start `{l['start']}` end `{legs[-1]['end']}`, duration {l['duration']} s,"
          f" {l['disposition']}: start is {datetime.fromtimestamp(int(uid.split('.')[0]), timezone.utc).strftime('%H:%M:%SZ')}.")
    w("")
    w("The first call starts in the first 03:xx (EEST, UTC+3) and ends in the second (EET, UTC+2),")
    w("so its local end time is earlier than its start; the second starts 03:20:05 in the second")
    w("03:xx. Only the uniqueid (UTC epoch) and duration disambiguate them.")
    w("")
    w("## Recordings")
    w("")
    w("FreePBX names: `in-<DID>-<caller>-…` inbound to the DID, `q-<queue>-<caller>-…` queue,")
    w("`out-<dialled>-<extension>-…` outbound, `exten-<extension>-<caller>-…` internal, then the")
    w("local start `YYYYMMDD-HHMMSS` and the CDR `uniqueid`. The audio lasts exactly the call's billsec.")
    w("")
    w("| file | CDR in | customers |")
    w("|---|---|---|")
    for r in recordings:
        w(f"| `monitor/{r['path']}` | {r['cdr_file']} | {', '.join(r['customers']) or '-'} |")
    w("")
    w("## What is intentionally wrong")
    w("")
    w("- `Master-latin1.csv` is ISO-8859-1, not UTF-8 (`Hämäläinen`, `Kärkkäinen`, `Nyström`,")
    w("  `Jyväskylä` are single bytes such as 0xE4), from an older chan_sip PBX.")
    bad_index = next(i for i, r in enumerate(legacy) if r["start"].startswith("2026-13"))
    w(f"- Line {bad_index + 1} of `Master-latin1.csv` has 21 fields but the start time `2026-13-45 99:00:00`:")
    w("  it must be rejected with file, line and reason, and the other lines ingested.")
    w(f"- The recording `{[r for r in recordings if r['cdr_file'] == 'late/Master-late.csv'][0]['path'].name}`")
    w("  has no CDR in `Master.csv`; its CDR is in `late/Master-late.csv`.")
    w("- The call spanning the DST change has an end time earlier than its start time (see above).")
    empty = next(r for r in master if r["clid"].startswith('"" <'))
    w(f"- Caller IDs such as `{empty['clid']}` (empty name), a caller name with a comma")
    w("  (`\"Oy Esimerkki Ab, asiakaspalvelu\"`), and an invalid dialled number `040123` (FAILED).")
    w("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
def main():
    check_tz()
    for tool in ("espeak-ng", "sox"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: apt-get install -y espeak-ng sox")
    rng = random.Random(SEED)

    OUT.mkdir(exist_ok=True)
    shutil.rmtree(OUT / "asterisk", ignore_errors=True)
    monitor = OUT / "asterisk" / "monitor"

    with tempfile.TemporaryDirectory(prefix="callvault-samples-") as td:
        tmp = Path(td)
        speech = {}
        for key in sorted(DIALOGUES):
            speech[key] = synthesize(DIALOGUES[key], tmp, key)
        talk = {k: v[1] for k, v in speech.items()}

        featured = featured_specs(talk)
        taken = [s["start"] for s in featured]
        specs = featured + filler_specs(rng, taken)
        specs.sort(key=lambda s: s["start"])

        pbx = PBX(uniq=45, chan=0x29, seq=17)
        master, late, recordings = [], [], []
        featured_uids = {}
        for spec in specs:
            legs, uid, _end = materialize(pbx, spec)
            featured_uids[spec["key"]] = uid
            (late if spec.get("late") else master).extend(legs)
            if spec.get("rec"):
                rel = recording_name(spec, legs, uid)
                dest = monitor / rel
                render(speech[spec["key"]][0], talk[spec["key"]], tmp, spec["key"], dest, len(recordings))
                answered = [l for l in legs if l["disposition"] == "ANSWERED"]
                assert answered and answered[-1]["billsec"] == talk[spec["key"]]
                end = answered[-1]["_end_utc"].timestamp()
                os.utime(dest, (end, end))
                recordings.append({
                    "path": rel, "uniqueid": uid,
                    "cdr_file": "late/Master-late.csv" if spec.get("late") else "cdr-csv/Master.csv",
                    "customers": sorted(set(c for e in call_numbers(legs) for c in customers_of(e))),
                })

    # Asterisk writes each call's records when the call ends.
    master.sort(key=lambda r: (r["_end_utc"], r["sequence"]))
    legacy = legacy_lines()

    cdr_dir = OUT / "asterisk" / "cdr-csv"
    cdr_dir.mkdir(parents=True, exist_ok=True)
    (cdr_dir / "Master.csv").write_bytes("".join(cdr_line(r) for r in master).encode("utf-8"))
    (cdr_dir / "Master-latin1.csv").write_bytes(
        "".join(cdr_line(r) for r in legacy).encode("iso-8859-1"))
    late_dir = OUT / "asterisk" / "late"
    late_dir.mkdir(parents=True, exist_ok=True)
    (late_dir / "Master-late.csv").write_bytes("".join(cdr_line(r) for r in late).encode("utf-8"))
    (OUT / "customers.csv").write_bytes(customers_csv().encode("utf-8"))
    (OUT / "README.md").write_bytes(
        readme(master, late, legacy, recordings, featured_uids).encode("utf-8"))

    self_check()
    print(f"wrote {OUT}: {len(master)} CDRs in Master.csv, {len(late)} late, "
          f"{len(legacy)} legacy lines, {len(recordings)} recordings")


def self_check():
    """Parse what was written the way an ingest would, and check the links."""
    def rows(path, enc):
        with open(path, newline="", encoding=enc) as f:
            return list(csv.reader(f))

    ast = OUT / "asterisk"
    master = rows(ast / "cdr-csv" / "Master.csv", "utf-8")
    late = rows(ast / "late" / "Master-late.csv", "utf-8")
    legacy = rows(ast / "cdr-csv" / "Master-latin1.csv", "iso-8859-1")
    for name, rs in (("Master", master), ("late", late), ("latin1", legacy)):
        for i, r in enumerate(rs, 1):
            assert len(r) == 21, (name, i, len(r))
    ui, si = COLUMNS.index("uniqueid"), COLUMNS.index("sequence")
    keys = [(r[ui], r[si]) for r in master + late + legacy]
    assert len(keys) == len(set(keys)), "duplicate uniqueid+sequence"
    assert not ({r[ui] for r in legacy} & {r[ui] for r in master + late}), "legacy uniqueid collides"
    known = {r[ui] for r in master} | {r[ui] for r in late}
    wavs = sorted((ast / "monitor").rglob("*.wav"))
    for p in wavs:
        uid = re.match(r".*-(\d+\.\d+)\.wav$", p.name).group(1)
        assert uid in known, p
        assert p.read_bytes()[36:40] == b"data", p  # 44-byte header
    with open(OUT / "customers.csv", newline="", encoding="utf-8") as f:
        cust = list(csv.DictReader(f))
    assert len(cust) == len(CUSTOMERS)


if __name__ == "__main__":
    main()
