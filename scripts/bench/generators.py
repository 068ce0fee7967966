"""Record generators: Asterisk cdr_csv (with the rows callvault must store), FreeSWITCH
mod_cdr_csv and a Kannel access log (with the counts and sums callvault must hold)."""

import heapq
import json
import random
import time

from .people import AGENTS, DID, FIRST_NAMES, QUEUE, SURNAMES, TRUNK

DISPOSITION = {"ANSWERED": "answered", "NO ANSWER": "no-answer", "BUSY": "busy",
               "FAILED": "failed", "CONGESTION": "congestion"}
REF_COLUMNS = ["kind", "source_key", "format", "start_utc", "direction", "from_raw", "from_e164", "from_rev",
               "to_raw", "to_e164", "to_rev", "duration_s", "disposition", "agent", "caller_name", "context",
               "pbx_unique_id", "linked_id", "answer_utc", "end_utc", "billsec", "details", "retain_until",
               "ingested_at"]
NULLABLE = {"direction", "from_raw", "from_e164", "from_rev", "to_raw", "to_e164", "to_rev", "disposition",
            "agent", "caller_name", "context", "pbx_unique_id", "linked_id", "answer_utc", "end_utc", "billsec"}


def q(s):
    return '"' + s.replace('"', '""') + '"'


def jstr(s):
    # As callvault writes `details`: UTF-8, only `"`, `\` and control characters escaped.
    return json.dumps(s, ensure_ascii=False)


class CDRGenerator:
    def __init__(self, people, tz, seed, t0, t1, first_sequence=1):
        self.p = people
        self.tz = tz
        self.rng = random.Random(seed)
        self.t0, self.t1 = t0, t1
        self.seq = first_sequence
        self.call_no = 0
        self.chan = 0x100
        self.retain = 365 * 86400
        self.ingested_at = int(time.time())
        self.recording_candidates = []  # answered calls a recording can belong to
        self.rows = 0
        self.calls = 0

    # --- call start times: weekdays busier, office hours busier ---------------
    def start_times(self, calls_wanted):
        rng = self.rng
        days = []
        t = self.t0
        while t < self.t1:
            wd = time.gmtime(t).tm_wday
            days.append((t, 1.0 if wd < 5 else (0.25 if wd == 5 else 0.1)))
            t += 86400
        total_w = sum(w for _, w in days)
        carry = 0.0
        for day_start, w in days:
            want = calls_wanted * w / total_w + carry
            n = int(want)
            carry = want - n
            off = self.tz.offset(day_start + 43200)
            local_midnight_utc = day_start - off  # day_start is 00:00 UTC of the date
            ts = []
            for _ in range(n):
                if rng.random() < 0.85:
                    ts.append(local_midnight_utc + rng.randrange(8 * 3600, 17 * 3600))
                else:
                    ts.append(local_midnight_utc + rng.randrange(0, 86400))
            ts.sort()
            yield from ts

    def chan_id(self):
        self.chan += 1
        return f"{self.chan:08x}"

    def caller(self):
        """A calling number: (raw as in the CDR, e164, rev, clid name or None)."""
        rng = self.rng
        r = rng.random()
        if r < 0.02:
            return "anonymous", None, None, "Anonymous"
        if r < 0.86:
            n, name = self.p.numbers[int(rng.random() ** 1.3 * len(self.p.numbers))]
            if rng.random() < 0.15:
                name = ""  # caller id without a name
        else:
            n = self.p.others[rng.randrange(len(self.p.others))]
            name = f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)}" if rng.random() < 0.5 else ""
        raw = n.intl if rng.random() < 0.3 else n.national
        return raw, n.e164, n.rev, name

    def outbound_number(self):
        rng = self.rng
        if rng.random() < 0.85:
            n, _ = self.p.numbers[rng.randrange(len(self.p.numbers))]
        else:
            n = self.p.others[rng.randrange(len(self.p.others))]
        return n.national, n.e164, n.rev

    def rows_iter(self, rows_wanted):
        """Yields (master_line, ref_line) for about rows_wanted records (exactly, when reached)."""
        rng = self.rng
        tz = self.tz
        did_e164 = "+358" + DID[1:]
        did_rev = did_e164[1:][::-1]
        produced = 0
        for start in self.start_times(int(rows_wanted / 1.11) + 10):
            if produced >= rows_wanted:
                return
            self.call_no += 1
            self.calls += 1
            uid = f"{start}.{self.call_no}"
            kind = rng.random()
            legs = []  # each: dict of fields
            if kind < 0.45:
                # inbound to the DID, dialled to one agent
                raw, e164, rev, name = self.caller()
                agent = rng.choice(AGENTS)
                r = rng.random()
                disp = "ANSWERED" if r < 0.80 else "NO ANSWER" if r < 0.92 else "BUSY" if r < 0.97 else "CONGESTION" if r < 0.99 else "FAILED"
                legs.append(dict(src=raw, src_e164=e164, src_rev=rev, dst=DID, dst_e164=did_e164, dst_rev=did_rev,
                                 ctx="from-trunk", clid_name=name, clid_num=raw,
                                 chan=f"PJSIP/{TRUNK}-{self.chan_id()}", dchan=f"PJSIP/{agent}-{self.chan_id()}",
                                 app="Dial", data=f"PJSIP/{agent},20,Trb(func-apply-sipheaders^s^1)",
                                 disp=disp, agent=agent, direction="inbound", rtype="in"))
            elif kind < 0.75:
                # queue call: one leg per agent rung, the last one answered (mostly)
                raw, e164, rev, name = self.caller()
                n_legs = 1 if rng.random() < 0.7 else (2 if rng.random() < 0.7 else 3)
                agents = rng.sample(AGENTS, n_legs)
                final = "ANSWERED" if rng.random() < 0.85 else "NO ANSWER"
                for i, agent in enumerate(agents):
                    disp = final if i == n_legs - 1 else "NO ANSWER"
                    legs.append(dict(src=raw, src_e164=e164, src_rev=rev, dst=QUEUE, dst_e164=None, dst_rev=QUEUE[::-1],
                                     ctx="ext-queues", clid_name=name, clid_num=raw,
                                     chan=f"PJSIP/{TRUNK}-{self.chan_id()}", dchan=f"PJSIP/{agent}-{self.chan_id()}",
                                     app="Queue", data="400,t,,,300,,,,,", disp=disp, agent=agent,
                                     direction="inbound", rtype="q"))
            elif kind < 0.95:
                # outbound: an agent calls a customer
                agent = rng.choice(AGENTS)
                national, e164, rev = self.outbound_number()
                r = rng.random()
                disp = "ANSWERED" if r < 0.65 else "NO ANSWER" if r < 0.85 else "BUSY" if r < 0.95 else "CONGESTION" if r < 0.98 else "FAILED"
                legs.append(dict(src=agent, src_e164=None, src_rev=agent[::-1], dst=national, dst_e164=e164, dst_rev=rev,
                                 ctx="from-internal", clid_name=self.p.agent_names[agent], clid_num=agent,
                                 chan=f"PJSIP/{agent}-{self.chan_id()}", dchan=f"PJSIP/{TRUNK}-{self.chan_id()}",
                                 app="Dial", data=f"PJSIP/{TRUNK}/{national},120,T", disp=disp, agent=agent,
                                 direction="outbound", rtype="out"))
            else:
                # internal: agent to agent
                a, b = rng.sample(AGENTS, 2)
                disp = "ANSWERED" if rng.random() < 0.8 else "NO ANSWER"
                legs.append(dict(src=a, src_e164=None, src_rev=a[::-1], dst=b, dst_e164=None, dst_rev=b[::-1],
                                 ctx="from-internal", clid_name=self.p.agent_names[a], clid_num=a,
                                 chan=f"PJSIP/{a}-{self.chan_id()}", dchan=f"PJSIP/{b}-{self.chan_id()}",
                                 app="Dial", data=f"PJSIP/{b},60,HhtrIb(func-apply-sipheaders^s^1)", disp=disp, agent=a,
                                 direction="internal", rtype="exten"))
            for leg in legs:
                if produced >= rows_wanted:
                    return
                disp = leg["disp"]
                if disp == "ANSWERED":
                    ring = rng.randrange(2, 25)
                    bill = min(3600, int(rng.expovariate(1 / 180)) + 5)
                elif disp == "NO ANSWER":
                    ring, bill = rng.randrange(15, 60), 0
                else:
                    ring, bill = rng.randrange(0, 5), 0
                duration = ring + bill
                end = start + duration
                answer = start + ring if disp == "ANSWERED" else None
                seq = self.seq
                self.seq += 1
                name = leg["clid_name"]
                clid = f'"{name}" <{leg["clid_num"]}>'
                start_l = tz.local(start)
                answer_l = tz.local(answer) if answer is not None else ""
                end_l = tz.local(end)
                master = ",".join((
                    '""', q(leg["src"]), q(leg["dst"]), q(leg["ctx"]), q(clid), q(leg["chan"]), q(leg["dchan"]),
                    q(leg["app"]), q(leg["data"]), q(start_l), q(answer_l) if answer_l else "", q(end_l),
                    str(duration), str(bill), q(disp), '"DOCUMENTATION"', q(uid), '""', '""', q(uid), str(seq)))
                # What callvault stores for this record.
                s_utc, e_utc, a_utc = start, end, answer
                sw, ew = start + tz.offset(start), end + tz.offset(end)
                if tz.ambiguous(sw) or tz.ambiguous(ew) or (answer is not None and tz.ambiguous(answer + tz.offset(answer))):
                    s_utc, e_utc = self.resolve(sw, ew, duration)
                    if answer is not None:
                        aw = answer + tz.offset(answer)
                        a_utc = min(tz.candidates(aw), key=lambda c: abs(c - s_utc))
                caller_name = name
                if not name or name == leg["src"] or name == leg["clid_num"] or name.lower() == "anonymous":
                    caller_name = None
                details = ('{"amaflags":"DOCUMENTATION","channel":' + jstr(leg["chan"]) + ',"dstchannel":' + jstr(leg["dchan"])
                           + ',"lastapp":' + jstr(leg["app"]) + ',"lastdata":' + jstr(leg["data"]) + ',"sequence":"' + str(seq) + '"}')
                ref = ",".join(q(v) if v is not None else "" for v in (
                    "call", f"asterisk-csv:{uid}:{seq}", "asterisk-csv", str(s_utc), leg["direction"],
                    leg["src"], leg["src_e164"], leg["src_rev"], leg["dst"], leg["dst_e164"], leg["dst_rev"],
                    str(duration), DISPOSITION[disp], leg["agent"], caller_name, leg["ctx"], uid, uid,
                    None if a_utc is None else str(a_utc), str(e_utc), str(bill), details,
                    str(s_utc + self.retain), str(self.ingested_at)))
                produced += 1
                self.rows += 1
                if disp == "ANSWERED" and bill >= 20 and len(self.recording_candidates) < 200_000:
                    self.recording_candidates.append((uid, start, leg["rtype"], leg["src"], leg["dst"], leg["agent"]))
                yield master, ref

    def resolve(self, sw, ew, duration):
        starts, ends = self.tz.candidates(sw), self.tz.candidates(ew)
        best, best_err = (starts[0], ends[0]), None
        for s in starts:
            for e in ends:
                err = abs(e - s - duration)
                if best_err is None or err < best_err:
                    best, best_err = (s, e), err
        return best

    def write(self, master_path, ref_path=None, rows=None, max_bytes=None, avg_line=300):
        """Writes rows (or up to max_bytes of Master.csv). Returns (rows, master bytes)."""
        if rows is None:
            rows = int(max_bytes / avg_line * 1.15) + 1000
        written = 0
        count = 0
        mfh = open(master_path, "wb")
        rfh = open(ref_path, "wb") if ref_path else None
        try:
            mbuf, rbuf = [], []
            for master, ref in self.rows_iter(rows):
                mbuf.append(master)
                if rfh:
                    rbuf.append(ref)
                count += 1
                if len(mbuf) >= 20000:
                    data = ("\n".join(mbuf) + "\n").encode()
                    if max_bytes is not None and written + len(data) >= max_bytes:
                        # Write whole lines up to the limit.
                        for line in mbuf:
                            b = (line + "\n").encode()
                            mfh.write(b)
                            written += len(b)
                            if written >= max_bytes:
                                break
                        mbuf = []
                        break
                    mfh.write(data)
                    written += len(data)
                    mbuf = []
                    if rfh:
                        rfh.write(("\n".join(rbuf) + "\n").encode())
                        rbuf = []
            if mbuf:
                data = ("\n".join(mbuf) + "\n").encode()
                mfh.write(data)
                written += len(data)
            if rfh and rbuf:
                rfh.write(("\n".join(rbuf) + "\n").encode())
        finally:
            mfh.close()
            if rfh:
                rfh.close()
        if max_bytes is not None:
            count = sum(1 for _ in open(master_path, "rb"))
        return count, written


# ---------------------------------------------------------------------------
# FreeSWITCH cdr_csv and Kannel access-log generation (issue 3: the other record formats)
# ---------------------------------------------------------------------------

FS_DID = "+358" + DID[1:]          # FreeSWITCH's trunk delivers the DID in E.164
FS_CAUSES_UNANSWERED = [("ORIGINATOR_CANCEL", "no-answer"), ("NO_ANSWER", "no-answer"), ("USER_BUSY", "busy"),
                        ("CALL_REJECTED", "failed"), ("NORMAL_CIRCUIT_CONGESTION", "congestion")]
# Characters of GSM 03.38's extension table: two septets each (callvault counts parts the same way).
GSM_EXTENSION = set("^{}\\[~]|€\f")
KANNEL_SMSC = "elisa-smpp"
KANNEL_SERVICE = "asiakaspalvelu"
KANNEL_ACCOUNT = "esim_cs"
SMS_TEMPLATES_OUT = [
    "Hei {first}, tilauksesi {n} on lähetetty. Toimitus arviolta {d} Terveisin Esimerkki Oy asiakaspalvelu",
    "Hei {first}, uusi aikasi: {d} klo 10.00 [vahvista: vastaa K] [peru: vastaa P]",
    "Muistutus: ajanvarauksesi {d} klo 14.30. Peru viimeistään 24 h ennen. Esimerkki Oy",
    "Hei {first}, huoltokäynti on sovittu {d} klo 8-12. Asentaja soittaa noin puoli tuntia ennen saapumistaan. "
    "Jos aika ei sovi, vastaa tähän viestiin tai soita 09 2345 6789 (ma-pe 8-16). Ystävällisin terveisin, Esimerkki Oy",
    "Hei {first}, laskusi {n} (49,90 €) erääntyy {d} Kiitos että asioit kanssamme!",
    "Hei {first}, pakettisi on noudettavissa Postista {d} asti. Seurantakoodi JJFI64471000{n}",
    "Hei {first}, soitamme {d} klo 9.30. T. Esimerkki Oy asiakaspalvelu",
]
SMS_TEMPLATES_IN = [
    "Moi! Voinko siirtää huomisen huoltoajan ensi viikolle? t. {first}",
    "Kiitos nopeasta avusta, kaikki toimii taas!",
    "Soitatteko minulle maanantaina? Olen tavoitettavissa klo 9-12.",
    "Hei, laskussa {n} on virhe: summa 49,90 € eikä 94,90 €. Voitteko korjata?",
    "K",
    "P",
    "Tuleeko asentaja tänään vai huomenna?",
    "LOPETA",
    "Kiitos, sain laskun {n}. Maksan sen perjantaina.",
]
SMS_TEMPLATES_UCS2 = ["Tack för hjälpen igår! Fakturan är betald nu 😊", "Спасибо, всё работает.", "Danke! Bis Montag 👍"]


class HangupQueue:
    """Lines written when their event happens (a CDR at hang-up, a DLR when it arrives), not in start order."""

    def __init__(self):
        self.heap = []
        self.n = 0

    def push(self, when, line, on_write=None):
        self.n += 1
        heapq.heappush(self.heap, (when, self.n, line, on_write))

    def due(self, now):
        while self.heap and self.heap[0][0] <= now:
            yield heapq.heappop(self.heap)

    def rest(self):
        while self.heap:
            yield heapq.heappop(self.heap)


class Expected:
    """What callvault must hold after ingesting a generated file: counts and sums the file implies."""

    def __init__(self, owners):
        self.owners = owners
        self.items = 0
        self.links = 0
        self.names = 0
        self.by = {}      # ("direction"|"disposition", value) -> count
        self.sums = {}    # name -> sum

    def add(self, direction, from_e164, to_e164, name=False, **sums):
        self.items += 1
        self.by[("direction", direction)] = self.by.get(("direction", direction), 0) + 1
        ids = set(self.owners.get(from_e164, ())) | set(self.owners.get(to_e164, ()))
        self.links += len(ids)
        self.names += 1 if name else 0
        for k, v in sums.items():
            self.sums[k] = self.sums.get(k, 0) + v

    def disposition(self, value, delta=1):
        key = ("disposition", value)
        self.by[key] = self.by.get(key, 0) + delta


def uuid4(rng):
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def write_time_ordered(path, rows, start_times, produce):
    """Writes at most `rows` lines to `path` in the order of their times: for each start time,
    `produce(start, queue)` queues the lines of one call or message (some due later, such as a
    hang-up or a delivery report), and a line's `on_write` (what it adds to the expected
    counts) runs only when the line is written. Returns (lines, bytes)."""
    queue = HangupQueue()
    written = 0
    size = 0
    out = []
    fh = open(path, "wb")

    def emit(line, on_write):
        nonlocal written, size
        if written >= rows:
            return
        on_write()
        data = line.encode()
        out.append(data)
        size += len(data) + 1
        written += 1
        if len(out) >= 20000:
            fh.write(b"\n".join(out) + b"\n")
            out.clear()

    try:
        for start in start_times:
            for _, _, line, on_write in queue.due(start):
                emit(line, on_write)
            if written + len(queue.heap) >= rows:
                break
            produce(start, queue)
        for _, _, line, on_write in queue.rest():
            emit(line, on_write)
        if out:
            fh.write(b"\n".join(out) + b"\n")
    finally:
        fh.close()
    return written, size


class FreeSWITCHGenerator:
    """FreeSWITCH mod_cdr_csv Master.csv with the template FreeSWITCH ships as its default (`example`,
    15 columns, every value quoted, no escaping), `legs="a"`: one line per call, written when the call
    hangs up. The same customers call the same DID as in the Asterisk data (context `public`, E.164
    numbers from the trunk); agents (extensions 1001-1050) call customers and each other from `default`."""

    def __init__(self, people, tz, seed, t0, t1):
        self.p = people
        self.tz = tz
        self.times = CDRGenerator(people, tz, seed + 100, t0, t1)  # the same office-hours distribution
        self.rng = random.Random(seed)
        self.expected = Expected(people.owners())

    def write(self, path, rows):
        return write_time_ordered(path, rows, self.times.start_times(rows + 10), self.call)

    def call(self, start, queue):
        rng, tz = self.rng, self.tz
        kind = rng.random()
        if kind < 0.70:
            # inbound: a customer (or a stranger) calls the DID; the trunk gives E.164
            r = rng.random()
            if r < 0.02:
                name, number, e164 = "Anonymous", "anonymous", None
            else:
                if r < 0.86:
                    n, name = self.p.numbers[int(rng.random() ** 1.3 * len(self.p.numbers))]
                    name = name.replace('"', "")
                    if rng.random() < 0.3:
                        name = ""
                else:
                    n = self.p.others[rng.randrange(len(self.p.others))]
                    name = f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)}" if rng.random() < 0.4 else ""
                number, e164 = n.e164, n.e164
            dest, dest_e164, context, codec, direction = FS_DID, FS_DID, "public", "PCMA", "inbound"
            answered = rng.random() < 0.80
        elif kind < 0.93:
            agent = rng.choice(AGENTS)
            n = self.p.numbers[rng.randrange(len(self.p.numbers))][0] if rng.random() < 0.85 else \
                self.p.others[rng.randrange(len(self.p.others))]
            name, number, e164 = self.p.agent_names[agent], agent, None
            dest, dest_e164, context, codec, direction = n.national, n.e164, "default", "G722", "outbound"
            answered = rng.random() < 0.65
        else:
            a, b = rng.sample(AGENTS, 2)
            name, number, e164 = self.p.agent_names[a], a, None
            dest, dest_e164, context, codec, direction = b, None, "default", "G722", "internal"
            answered = rng.random() < 0.80
        if answered:
            ring = rng.randrange(2, 25)
            bill = min(3600, int(rng.expovariate(1 / 180)) + 5)
            cause, disposition = "NORMAL_CLEARING", "answered"
        else:
            cause, disposition = FS_CAUSES_UNANSWERED[min(4, int(rng.random() ** 2.5 * 5))]
            ring = rng.randrange(15, 60) if disposition == "no-answer" else rng.randrange(0, 5)
            bill = 0
        duration = ring + bill
        end = start + duration
        uuid = uuid4(rng)
        bleg = uuid4(rng) if (answered or rng.random() < 0.7) else ""
        line = ",".join('"' + v + '"' for v in (
            name, number, dest, context, tz.local(start), tz.local(start + ring) if answered else "", tz.local(end),
            str(duration), str(bill), cause, uuid, bleg, "", codec, codec))
        has_name = bool(name) and name != number and name.lower() not in ("anonymous", "unknown")
        exp = self.expected
        queue.push(end, line, lambda: (exp.add(direction, e164, dest_e164, has_name, duration=duration, billsec=bill),
                                       exp.disposition(disposition)))


class KannelGenerator:
    """A Kannel bearerbox access log (default access-log-format, Kannel 1.5, local time) of the team's SMS
    traffic with the same customers: `Receive SMS` from customers to the DID, `Sent SMS` to customers
    (from the DID or the alphanumeric `Esimerkki`), and the `Receive DLR` lines the SMSC sends back
    (Kannel's `ACK/` for dlr-mask 31, then the SMSC's receipt). Lines are in time order."""

    def __init__(self, people, tz, seed, t0, t1):
        self.p = people
        self.tz = tz
        self.times = CDRGenerator(people, tz, seed + 100, t0, t1)
        self.rng = random.Random(seed)
        self.expected = Expected(people.owners())
        self.fid = 0x6F3A0000
        self.status = {}      # fid -> current status, for the expected dispositions

    def text(self, templates):
        rng = self.rng
        return rng.choice(templates).format(first=rng.choice(FIRST_NAMES), n=rng.randrange(1000, 9999),
                                            d=f"{rng.randrange(1, 29)}.{rng.randrange(1, 13)}.")

    @staticmethod
    def parts(text, ucs2):
        if ucs2:
            units = len(text.encode("utf-16-be")) // 2
            return 1 if units <= 70 else -(-units // 67)
        septets = sum(2 if c in GSM_EXTENSION else 1 for c in text)
        return 1 if septets <= 160 else -(-septets // 153)

    def line(self, when, event, frm, to, body, fid="", svc="", act="", meta="", flags="-1:0:-1:0:-1", ucs2=False):
        if ucs2:
            raw = body.encode("utf-16-be")
            n, text = len(raw), raw.hex().upper()
        else:
            text = body
            n = len(body.encode())
        return (f"{self.tz.local(when)} {event} [SMSC:{KANNEL_SMSC}] [SVC:{svc}] [ACT:{act}] [BINF:] [FID:{fid}] "
                f"[META:{meta}] [from:{frm}] [to:{to}] [flags:{flags}] [msg:{n}:{text}] [udh:0:]")

    def write(self, path, rows):
        # About 1.9 lines per message: 45% inbound (1 line), 55% outbound (1 + 0..3 reports); the last days are cut off.
        return write_time_ordered(path, rows, self.times.start_times(int(rows / 1.8) + 10), self.message)

    def set_status(self, fid, status):
        old = self.status.get(fid)
        if old is not None:
            self.expected.disposition(old, -1)
        self.status[fid] = status
        self.expected.disposition(status)

    def message(self, when, queue):
        rng, exp = self.rng, self.expected
        if rng.random() < 0.45:
            if rng.random() < 0.9:
                n = self.p.numbers[int(rng.random() ** 1.3 * len(self.p.numbers))][0]
            else:
                n = self.p.others[rng.randrange(len(self.p.others))]
            ucs2 = rng.random() < 0.03
            body = rng.choice(SMS_TEMPLATES_UCS2) if ucs2 else self.text(SMS_TEMPLATES_IN)
            line = self.line(when, "Receive SMS", n.e164, FS_DID, body, meta="?smpp?",
                             flags=f"-1:{2 if ucs2 else 0}:-1:0:-1", ucs2=ucs2)
            parts = self.parts(body, ucs2)
            queue.push(when, line, lambda: (exp.add("inbound", n.e164, FS_DID, parts=parts), exp.disposition("received")))
            return
        n = self.p.numbers[rng.randrange(len(self.p.numbers))][0] if rng.random() < 0.95 else \
            self.p.others[rng.randrange(len(self.p.others))]
        to = n.e164 if rng.random() < 0.9 else n.national
        frm = FS_DID if rng.random() < 0.8 else "Esimerkki"
        frm_e164 = FS_DID if frm == FS_DID else None
        body = self.text(SMS_TEMPLATES_OUT)
        parts = self.parts(body, False)
        r = rng.random()
        mask = 31 if r < 0.7 else 19 if r < 0.95 else 0
        self.fid += rng.randrange(1, 40)
        fid = f"{self.fid:08X}"
        line = self.line(when, "Sent SMS", frm, to, body, fid=fid, svc=KANNEL_SERVICE, flags=f"-1:0:-1:0:{mask}")

        def sent():
            exp.add("outbound", frm_e164, n.e164, parts=parts)
            self.set_status(fid, "sent")
        queue.push(when, line, sent)
        if mask == 0:
            return
        t = when
        reports = []
        if mask & 8:
            t += rng.randrange(0, 3)
            reports.append((t, 8, "ACK/", "accepted"))
        r = rng.random()
        stamp = lambda u: time.strftime("%y%m%d%H%M", time.gmtime(self.tz.wall(u)))
        quoted = body[:20]
        if r < 0.90:
            final = [(1, "DELIVRD", "000", "delivered")]
        elif r < 0.95:
            final = [(2, "UNDELIV", "001", "failed")]
        elif mask & 4:
            final = [(4, "ENROUTE", "000", "buffered")] + ([(1, "DELIVRD", "000", "delivered")] if r < 0.985 else [])
        else:
            final = [(2, "EXPIRED", "000", "failed")]
        for typ, stat, err, status in final:
            t += rng.randrange(1, 240) if typ != 1 or not reports or reports[-1][1] != 4 else rng.randrange(600, 20000)
            receipt = (f"id:{fid} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'} submit date:{stamp(when)} "
                       f"done date:{stamp(t)} stat:{stat} err:{err} text:{quoted}")
            reports.append((t, typ, receipt, status))
        for t, typ, text, status in reports:
            line = self.line(t, "Receive DLR", frm, to, text, fid=fid, svc=KANNEL_SERVICE, act=KANNEL_ACCOUNT,
                             meta="?smpp?", flags=f"-1:-1:-1:-1:{typ}")
            queue.push(t, line, lambda fid=fid, status=status: self.set_status(fid, status))

