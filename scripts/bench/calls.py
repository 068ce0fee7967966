"""Synthetic telephone calls, made as scripts/make-samples.py makes the sample recordings: two
voices spoken by espeak-ng, each turn through the same sox chain (8 kHz mono 16-bit, silence
trimmed, telephone band 300-3400 Hz, normalised, the far end quieter), pauses between turns,
ringback before the answer, line noise; and the G.711 forms of a call (A-law, µ-law) with the
WAV files a PBX writes for them.

Deterministic: every random choice comes from a seeded random.Random, sox runs with -R
(repeatable) and -D (no dither), and the line noise is the seeded generator's bytes band-limited
by sox; the same espeak-ng and sox give byte-identical calls.

Unlike the samples (4-12 s of fixed dialogue), a call here lasts minutes: its dialogue is drawn
from phrase templates (Finnish, English, Swedish) with names, numbers, dates and addresses
filled in, so that no two turns say the same thing. The line noise is band-limited too (the
samples mix white noise after the band filter), as on a telephone line.

Python 3 standard library only; audioop (Python <= 3.12) when present, pure Python otherwise.
"""

import array
import io
import math
import random
import re
import shutil
import struct
import sys
import wave
import warnings
from pathlib import Path

from .runner import run_checked

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import audioop  # C speed for mixing and G.711 (Python <= 3.12)
    except ImportError:  # pragma: no cover
        audioop = None

RATE = 8000
SOX_PCM = ["-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]
# The sample recordings' chain (make-samples.py synthesize()): trim the silence espeak-ng leaves
# around a sentence, telephone band, normalise to -3 dBFS; `vol` then sets the speaker's level.
BAND = ["highpass", "300", "lowpass", "3400"]
TURN_CHAIN = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse", *BAND, "gain", "-n", "-3"]
RINGBACK_HZ, RING_ON, RING_OFF = 425, 1.0, 4.0  # Finnish/European ringback: 425 Hz, 1 s on, 4 s off


def need_tools():
    for tool, package in (("espeak-ng", "espeak-ng"), ("sox", "sox")):
        if not shutil.which(tool):
            raise SystemExit(f"needs {tool}: apt-get install -y {package}")


# ---------------------------------------------------------------------------
# PCM and G.711 (ITU-T G.711 as in Sun's g711.c, which audioop and sox implement too)
# ---------------------------------------------------------------------------

_SEG_AEND = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)
_SEG_UEND = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)


def _segment(value, ends):
    for i, end in enumerate(ends):
        if value <= end:
            return i
    return len(ends)


def linear_to_alaw(sample):
    """One 16-bit sample to its A-law byte."""
    v = sample >> 3
    if v >= 0:
        mask = 0xD5
    else:
        mask, v = 0x55, -v - 1
    seg = _segment(v, _SEG_AEND)
    if seg >= 8:
        return 0x7F ^ mask
    a = seg << 4
    a |= ((v >> 1) if seg < 2 else (v >> seg)) & 0x0F
    return a ^ mask


def alaw_to_linear(byte):
    a = byte ^ 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if a & 0x80 else -t


def linear_to_ulaw(sample):
    """One 16-bit sample to its µ-law byte."""
    v = sample >> 2
    if v < 0:
        v, mask = -v, 0x7F
    else:
        mask = 0xFF
    v = min(v, 8159) + (0x84 >> 2)
    seg = _segment(v, _SEG_UEND)
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((v >> (seg + 1)) & 0x0F)) ^ mask


def ulaw_to_linear(byte):
    u = ~byte & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return (0x84 - t) if u & 0x80 else (t - 0x84)


_TABLES = {}


def _table(name):
    """Lookup tables of the pure-Python path: 65536 encodings (index: the sample as unsigned 16 bits)
    or 256 decodings."""
    if name not in _TABLES:
        if name == "alaw":
            _TABLES[name] = bytes(linear_to_alaw(s - 65536 if s > 32767 else s) for s in range(65536))
        elif name == "ulaw":
            _TABLES[name] = bytes(linear_to_ulaw(s - 65536 if s > 32767 else s) for s in range(65536))
        elif name == "alaw-dec":
            _TABLES[name] = [alaw_to_linear(b) for b in range(256)]
        elif name == "ulaw-dec":
            _TABLES[name] = [ulaw_to_linear(b) for b in range(256)]
    return _TABLES[name]


def _samples(pcm, typecode="h"):
    a = array.array(typecode, pcm)
    if sys.byteorder == "big":
        a.byteswap()
    return a


def _pcm(a):
    if sys.byteorder == "big":
        a.byteswap()
    return a.tobytes()


def to_alaw(pcm):
    """16-bit little-endian PCM to A-law bytes."""
    if audioop:
        return audioop.lin2alaw(pcm, 2)
    return bytes(map(_table("alaw").__getitem__, _samples(pcm, "H")))


def to_ulaw(pcm):
    if audioop:
        return audioop.lin2ulaw(pcm, 2)
    return bytes(map(_table("ulaw").__getitem__, _samples(pcm, "H")))


def from_alaw(data):
    """A-law bytes to 16-bit little-endian PCM."""
    if audioop:
        return audioop.alaw2lin(data, 2)
    return _pcm(array.array("h", map(_table("alaw-dec").__getitem__, data)))


def from_ulaw(data):
    if audioop:
        return audioop.ulaw2lin(data, 2)
    return _pcm(array.array("h", map(_table("ulaw-dec").__getitem__, data)))


def mix(a, b):
    """Sample-wise sum of two 16-bit PCM strings of the same length, clipped."""
    if audioop:
        return audioop.add(a, b, 2)
    x, y = _samples(a), _samples(b)
    return _pcm(array.array("h", (max(-32768, min(32767, p + q)) for p, q in zip(x, y))))


def scale(pcm, factor):
    if audioop:
        return audioop.mul(pcm, 2, factor)
    return _pcm(array.array("h", (max(-32768, min(32767, math.floor(s * factor))) for s in _samples(pcm))))


def interleave(left, right):
    """Two mono 16-bit PCM strings of the same length as one stereo string (L R L R …)."""
    l, r = _samples(left), _samples(right)
    out = array.array("h", bytes(len(left) * 2))
    out[0::2] = l
    out[1::2] = r
    return _pcm(out)


# ---------------------------------------------------------------------------
# WAV files
# ---------------------------------------------------------------------------

def pcm16_wav(pcm, channels=1):
    """A plain 44-byte-header PCM WAV (what Python's wave module, Asterisk and the samples write)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)
    return buf.getvalue()


ALAW_TAG, ULAW_TAG = 6, 7


def g711_wav(data, tag, channels=1):
    """An 8-bit G.711 WAV (format tag 6 A-law, 7 µ-law) laid out as sox writes one: an 18-byte fmt
    chunk (cbSize 0), a fact chunk with the sample count, the data chunk (padded to even length)."""
    fmt = struct.pack("<HHIIHHH", tag, channels, RATE, RATE * channels, channels, 8, 0)
    fact = struct.pack("<I", len(data) // channels)
    pad = b"\0" if len(data) % 2 else b""
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<I", len(fact)) + fact +
            b"data" + struct.pack("<I", len(data)) + data + pad)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wav_format(path):
    """(format tag, channels, rate, bits, data bytes, data offset) of a WAV file, from its chunks."""
    with open(path, "rb") as fh:
        head = fh.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise ValueError(f"{path}: not RIFF/WAVE")
        fmt = None
        while True:
            chunk = fh.read(8)
            if len(chunk) < 8:
                raise ValueError(f"{path}: no data chunk")
            cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"fmt ":
                raw = fh.read(size + (size & 1))
                tag, ch, rate, _, _, bits = struct.unpack("<HHIIHH", raw[:16])
                fmt = (tag, ch, rate, bits)
            elif cid == b"data":
                if fmt is None:
                    raise ValueError(f"{path}: data before fmt")
                return (*fmt, size, fh.tell())
            else:
                fh.seek(size + (size & 1), 1)


def wav_data(path):
    tag, ch, rate, bits, size, offset = wav_format(path)
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read(size)


# ---------------------------------------------------------------------------
# What the two speakers say
# ---------------------------------------------------------------------------

FI_FIRST = ["Jukka", "Sanna", "Päivi", "Jyrki", "Hannele", "Tiina", "Matti", "Pekka", "Aino", "Ville", "Outi",
            "Mikko", "Anna", "Sirpa", "Väinö", "Ilkka", "Marjatta", "Eeva", "Heikki", "Juha", "Kaija", "Leena",
            "Markku", "Minna", "Olli", "Riikka", "Sami", "Tuula", "Timo", "Satu", "Lauri", "Elina", "Kalle", "Iida"]
FI_SURNAMES = ["Mäkinen", "Hämäläinen", "Järvinen", "Kärkkäinen", "Äijälä", "Virtanen", "Korhonen", "Nieminen",
               "Mäkelä", "Heikkinen", "Koskinen", "Lähteenmäki", "Räsänen", "Seppälä", "Väisänen", "Lehtonen",
               "Laine", "Salo", "Heinonen", "Turunen", "Salminen", "Kinnunen", "Jokinen", "Rönkkö", "Peltonen"]
FI_STREETS = ["Mannerheimintie", "Hämeenkatu", "Aleksanterinkatu", "Kauppakatu", "Rantatie", "Koivukuja",
              "Mäntytie", "Satamakatu", "Kirkkokatu", "Puistotie", "Kalevankatu", "Tehtaankatu", "Myllytie"]
FI_CITIES = ["Helsinki", "Espoo", "Tampere", "Turku", "Oulu", "Jyväskylä", "Lahti", "Kuopio", "Vaasa", "Pori",
             "Joensuu", "Lappeenranta", "Hämeenlinna", "Rovaniemi"]
FI_MONTHS = ["tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta", "heinäkuuta",
             "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"]
FI_WEEKDAYS = ["maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina"]
FI_PRODUCTS = ["laajakaistaliittymän", "puhelinliittymän", "uuden reitittimen", "uuden puhelimen", "sähkösopimuksen",
               "kotivakuutuksen", "lehtitilauksen", "tabletin", "mokkulan"]
FI_COMPANY = ["Esimerkki Oy:n", "Elisan", "Kuljetus Öhmanin", "Sähkö-Väisäsen", "Kauppa Nyströmin"]

EN_FIRST = ["James", "Emma", "Oliver", "Sophie", "Harry", "Grace", "Jack", "Chloe", "George", "Lucy", "Thomas",
            "Hannah", "William", "Amelia", "Daniel", "Ella"]
EN_SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
               "Thompson", "Evans", "Walker", "White", "Roberts", "Green"]
EN_STREETS = ["Station Road", "Church Street", "Park Avenue", "Victoria Road", "Mill Lane", "High Street",
              "Queens Road", "Green Lane", "Manor Close", "Kings Road"]
EN_CITIES = ["Helsinki", "Espoo", "Turku", "Manchester", "Leeds", "Bristol", "Glasgow", "Cardiff"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
EN_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
EN_PRODUCTS = ["a broadband subscription", "a new router", "a mobile phone", "a tablet", "an electricity contract",
               "a home insurance policy", "a magazine subscription"]

SV_FIRST = ["Linnea", "Göran", "Erik", "Maria", "Anders", "Karin", "Lars", "Eva", "Johan", "Ingrid", "Nils", "Elsa"]
SV_SURNAMES = ["Åström", "Nyström", "Lindqvist", "Sjöberg", "Söderström", "Lindroos", "Källström", "Andersson",
               "Johansson", "Karlsson"]
SV_STREETS = ["Storgatan", "Kyrkogatan", "Strandvägen", "Skolgatan", "Järnvägsgatan", "Åvägen", "Björkvägen"]
SV_CITIES = ["Vasa", "Jakobstad", "Borgå", "Ekenäs", "Mariehamn", "Helsingfors", "Åbo"]
SV_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
             "november", "december"]
SV_WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag"]


def _digits(rng, n, spaced=False):
    s = str(rng.randrange(10 ** (n - 1), 10 ** n))
    return " ".join(s[i:i + 3] for i in range(0, len(s), 3)) if spaced else s


def _phone(rng):
    return f"0{rng.choice(['40', '41', '44', '45', '50'])} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"


# Slot fillers: name -> function(rng, call) -> text. A slot keeps its value within one exchange.
SLOTS = {
    "custno": lambda r, c: _digits(r, 7, spaced=True),
    "order": lambda r, c: _digits(r, 8),
    "ticket": lambda r, c: _digits(r, 6, spaced=True),
    "tracking": lambda r, c: "JJFI " + _digits(r, 9, spaced=True),
    "euros": lambda r, c: str(r.randrange(12, 480)),
    "euros2": lambda r, c: str(r.randrange(12, 480)),
    "cents": lambda r, c: str(r.randrange(1, 99)),
    "n": lambda r, c: str(r.randrange(2, 15)),
    "months": lambda r, c: str(r.randrange(1, 13)),
    "weeks": lambda r, c: str(r.randrange(2, 7)),
    "gb": lambda r, c: str(r.choice([5, 10, 20, 50, 100])),
    "day": lambda r, c: str(r.randrange(1, 29)),
    "day2": lambda r, c: str(r.randrange(1, 29)),
    "year": lambda r, c: str(r.randrange(1942, 2004)),
    "hour": lambda r, c: str(r.randrange(8, 21)),
    "hour2": lambda r, c: str(r.randrange(8, 17)),
    "num": lambda r, c: str(r.randrange(1, 140)),
    "apt": lambda r, c: str(r.randrange(1, 60)),
    "letter": lambda r, c: r.choice("ABCDE"),
    "postcode": lambda r, c: f"{r.randrange(0, 99):02d}{r.randrange(1, 9)}{r.choice(['00', '10', '20', '30', '40', '50'])}",
    "phone": lambda r, c: _phone(r),
    "phone2": lambda r, c: _phone(r),
    "agent": lambda r, c: c["agent"],
    "first": lambda r, c: c["first"],
    "surname": lambda r, c: c["surname"],
    "first_l": lambda r, c: c["first"].lower(),
    "surname_l": lambda r, c: c["surname"].lower(),
}


def _lang_slots(lang):
    table = {
        "fi": dict(street=FI_STREETS, city=FI_CITIES, month=FI_MONTHS, month2=FI_MONTHS, weekday=FI_WEEKDAYS,
                   weekday2=FI_WEEKDAYS, product=FI_PRODUCTS, company=FI_COMPANY),
        "en": dict(street=EN_STREETS, city=EN_CITIES, month=EN_MONTHS, month2=EN_MONTHS, weekday=EN_WEEKDAYS,
                   weekday2=EN_WEEKDAYS, product=EN_PRODUCTS, company=["Example Limited", "Northern Energy"]),
        "sv": dict(street=SV_STREETS, city=SV_CITIES, month=SV_MONTHS, month2=SV_MONTHS, weekday=SV_WEEKDAYS,
                   weekday2=SV_WEEKDAYS, product=["ett bredband", "en ny router", "en telefon", "ett elavtal"],
                   company=["Exempel Ab", "Österbottens El"]),
    }[lang]
    return {k: (lambda v: (lambda r, c: r.choice(v)))(v) for k, v in table.items()}


# A dialogue: the opening, exchanges drawn at random until the call is long enough, the closing.
# A line is (speaker, template): "A" the agent, "C" the customer, or ("P", (lo, hi)) a pause of
# lo-hi seconds while the agent looks something up (only the line noise is heard).
PHRASES = {
    "fi": {
        "opening": [
            [("A", "Asiakaspalvelu, {agent}, hyvää päivää."), ("C", "Hei, {first} {surname} täällä."),
             ("A", "Miten voin auttaa?")],
            [("A", "Tervetuloa {company} asiakaspalveluun, {agent} puhelimessa. Puhelu voidaan tallentaa."),
             ("C", "Päivää, tässä on {first} {surname}. Soitan yhdestä asiasta.")],
            [("A", "{agent}, kiitos odotuksesta."), ("C", "Hei, nimeni on {first} {surname}."),
             ("A", "Hei, kuinka voin palvella?")],
        ],
        "identify": [
            [("A", "Saisinko asiakasnumeronne, niin katson tiedot."), ("C", "Hetkinen, katson paperista. Se on {custno}."),
             ("A", "Kiitos. Hetki vain, avaan tiedot."), ("P", (2, 6)),
             ("A", "Löytyi. {first} {surname}, {street} {num}, {city}, pitääkö paikkansa?"), ("C", "Pitää.")],
            [("A", "Tietoturvasyistä kysyn ensin syntymäaikanne."), ("C", "{day}. {month} {year}."),
             ("A", "Kiitos, tiedot täsmäävät.")],
        ],
        "middle": [
            [("A", "Näen täällä laskun, jonka summa on {euros} euroa {cents} senttiä, eräpäivä {day}. {month}."),
             ("C", "Juuri se. Minusta siinä on liikaa, edellinen lasku oli vain {euros2} euroa."),
             ("A", "Tarkistan, mistä ero johtuu. Hetki vain."), ("P", (4, 12)),
             ("A", "Laskulla on mukana {months} kuukauden maksut {product} osalta, siksi summa on suurempi."),
             ("C", "Ai, en tiennyt sitä. Selvä.")],
            [("C", "Voisinko saada lisäaikaa maksulle? Palkka tulee vasta kuun lopussa."),
             ("A", "Voin siirtää eräpäivää {n} päivällä, uusi eräpäivä on {day2}. {month2}."),
             ("C", "Se sopii hyvin, kiitos."), ("A", "Muutos on tehty, saatte siitä vahvistuksen.")],
            [("C", "Osoitteeni on muuttunut, muutin viime kuussa."), ("A", "Mikä on uusi osoite?"),
             ("C", "{street} {num} {letter} {apt}, {postcode} {city}."),
             ("A", "Kirjoitan: {street} {num} {letter} {apt}, {postcode} {city}. Onko oikein?"),
             ("C", "Joo, oikein."), ("A", "Osoite on päivitetty, seuraava lasku tulee uuteen osoitteeseen.")],
            [("A", "Tarkistan vielä puhelinnumeron, onko se {phone}?"), ("C", "Ei ole enää, uusi numero on {phone2}."),
             ("A", "Kiitos, päivitin numeron.")],
            [("C", "Tilasin {product} {weeks} viikkoa sitten, mutta mitään ei ole kuulunut."),
             ("A", "Ikävä kuulla. Katson tilauksen tilan."), ("P", (3, 9)),
             ("A", "Tilausnumero on {order}, ja se on lähtenyt varastolta {day}. {month}."),
             ("A", "Seurantakoodi on {tracking}, lähetän sen myös tekstiviestillä."), ("C", "Hyvä, kiitos.")],
            [("C", "Nettiyhteys katkeilee joka ilta noin kello {hour}."),
             ("A", "Ajan linjalle yhteystestin, se kestää hetken."), ("P", (6, 15)),
             ("A", "Linjalla näkyy häiriöitä. Voin varata asentajan {weekday} kello {hour2}."),
             ("C", "Sopisiko myös {weekday2} aamupäivällä?"), ("A", "Sopii, varaan ajan {weekday2} kello yhdeksän."),
             ("C", "Hienoa, kiitos.")],
            [("A", "Teen tästä vikailmoituksen, numero on {ticket}."), ("C", "Odota, kirjoitan ylös. {ticket}?"),
             ("A", "Aivan, juuri niin.")],
            [("C", "Haluaisin kysyä sopimuksen irtisanomisesta."),
             ("A", "Sopimuksessa on {months} kuukauden irtisanomisaika, eli se päättyisi {day}. {month}."),
             ("C", "Entä jos vaihdan halvempaan pakettiin?"),
             ("A", "Edullisin paketti maksaa {euros} euroa {cents} kuukaudessa, siinä on {gb} gigatavua dataa."),
             ("C", "Vaihdetaan siihen sitten."), ("A", "Selvä, muutos astuu voimaan ensi kuun alusta.")],
            [("C", "Olen soittanut tästä jo {n} kertaa, eikä mitään ole tapahtunut."),
             ("A", "Ymmärrän, ja pahoittelen tilannetta. Merkitsen tämän kiireelliseksi."),
             ("C", "Toivottavasti nyt tapahtuu jotain."), ("A", "Esimies soittaa teille viimeistään {weekday}.")],
            [("A", "Hyvitämme teille {euros} euroa, se näkyy seuraavalla laskulla."), ("C", "Kiitos, se on reilua.")],
            [("A", "Lähetänkö vahvistuksen sähköpostiin?"),
             ("C", "Kyllä kiitos, osoite on {first_l} piste {surname_l} ät esimerkki piste fi."),
             ("A", "Vahvistus on lähetetty."), ("C", "Joo, tuli jo.")],
            [("C", "Vielä yksi asia. Miksi laskussa on paperilaskun lisä?"),
             ("A", "Paperilaskusta peritään {cents} senttiä. Voin vaihtaa teille e-laskun, niin lisää ei tule."),
             ("C", "Tehdään niin."), ("A", "E-lasku on tilattu.")],
            [("A", "Onko teillä kotona muita, jotka käyttävät samaa liittymää?"), ("C", "Lapset pelaavat illalla, {n} laitetta."),
             ("A", "Silloin suosittelen nopeampaa yhteyttä, {gb} megabittiä sekunnissa."), ("C", "Mitä se maksaa?"),
             ("A", "{euros} euroa kuukaudessa, ensimmäiset {months} kuukautta puoleen hintaan."), ("C", "Mietin vielä.")],
        ],
        "closing": [
            [("A", "Onko vielä jotain muuta, missä voin auttaa?"), ("C", "Ei, siinä kaikki. Kiitos paljon."),
             ("A", "Kiitos soitosta ja hyvää päivänjatkoa."), ("C", "Kiitos, hei hei.")],
            [("A", "Saiko asia ratkaisun?"), ("C", "Sai, kiitos avusta."), ("A", "Hyvää viikonloppua, kuulemiin.")],
        ],
        "backchannel": ["Joo.", "Aivan.", "Okei.", "Mm, selvä.", "Niin.", "Ahaa.", "Just joo."],
    },
    "en": {
        "opening": [
            [("A", "Customer service, {agent} speaking, how can I help?"), ("C", "Hello, this is {first} {surname}.")],
            [("A", "Welcome to {company}. This call may be recorded. My name is {agent}."),
             ("C", "Hi {agent}, {first} {surname} here. I have a question about my account.")],
        ],
        "identify": [
            [("A", "Could I have your customer number, please?"), ("C", "Yes, it is {custno}."),
             ("A", "Thank you. One moment while I open your details."), ("P", (2, 6)),
             ("A", "Got it. {first} {surname}, {num} {street}, {city}. Is that right?"), ("C", "That's right.")],
            [("A", "For security, could you confirm your date of birth?"), ("C", "The {day} of {month}, {year}."),
             ("A", "Thank you, that matches.")],
        ],
        "middle": [
            [("A", "I can see an invoice of {euros} euros and {cents} cents, due on the {day} of {month}."),
             ("C", "That's the one. It seems too high, the last one was only {euros2} euros."),
             ("A", "Let me check where the difference comes from."), ("P", (4, 12)),
             ("A", "It includes {months} months of charges for {product}, that is why it is higher."),
             ("C", "Oh, I didn't know that. Fine.")],
            [("C", "Could I get more time to pay?"), ("A", "I can move the due date by {n} days, to the {day2} of {month2}."),
             ("C", "That works, thank you.")],
            [("C", "I have moved house."), ("A", "What is the new address?"), ("C", "{num} {street}, {postcode} {city}."),
             ("A", "So that is {num} {street}, {postcode} {city}. Correct?"), ("C", "Yes, correct.")],
            [("C", "I ordered {product} {weeks} weeks ago and nothing has arrived."), ("A", "Sorry to hear that. Let me look."),
             ("P", (3, 9)), ("A", "Order {order} left our warehouse on the {day} of {month}. The tracking code is {tracking}."),
             ("C", "Great, thanks.")],
            [("C", "My internet drops every evening at around {hour}."), ("A", "I will run a line test, it takes a moment."),
             ("P", (6, 15)), ("A", "I can see errors on the line. A technician can come on {weekday} at {hour2}."),
             ("C", "Could it be {weekday2} morning instead?"), ("A", "Yes, I have booked {weekday2} at nine.")],
            [("A", "I have opened a fault report, the number is {ticket}."), ("C", "Let me write that down. {ticket}?"),
             ("A", "Exactly.")],
            [("C", "I would like to cancel my contract."), ("A", "There is a notice period of {months} months."),
             ("C", "And if I move to a cheaper plan?"), ("A", "The cheapest plan is {euros} euros a month with {gb} gigabytes."),
             ("C", "Let's do that then.")],
            [("A", "We will credit {euros} euros to your account, you will see it on the next bill."),
             ("C", "Thank you, that's fair.")],
            [("A", "Shall I send a confirmation by email?"), ("C", "Yes please, it is {first_l} dot {surname_l} at example dot com."),
             ("A", "Sent.")],
        ],
        "closing": [
            [("A", "Is there anything else I can help with?"), ("C", "No, that's all. Thanks a lot."),
             ("A", "Thank you for calling, have a nice day."), ("C", "Bye.")],
        ],
        "backchannel": ["Yes.", "Right.", "Okay.", "Mm-hm.", "I see.", "Sure."],
    },
    "sv": {
        "opening": [
            [("A", "Kundtjänst, {agent}, god dag."), ("C", "Hej, det är {first} {surname}."), ("A", "Hur kan jag hjälpa till?")],
        ],
        "identify": [
            [("A", "Kan jag få ditt kundnummer?"), ("C", "Det är {custno}."), ("A", "Tack, ett ögonblick."), ("P", (2, 6)),
             ("A", "{first} {surname}, {street} {num}, {city}, stämmer det?"), ("C", "Ja, det stämmer.")],
        ],
        "middle": [
            [("A", "Jag ser en faktura på {euros} euro och {cents} cent, förfallodag den {day} {month}."),
             ("C", "Den är för hög, den förra var bara {euros2} euro."), ("A", "Jag kollar vad skillnaden beror på."),
             ("P", (4, 12)), ("A", "Den innehåller avgifter för {months} månader, därför är den högre."), ("C", "Jaha, okej.")],
            [("C", "Jag har flyttat."), ("A", "Vad är den nya adressen?"), ("C", "{street} {num}, {postcode} {city}."),
             ("A", "{street} {num}, {postcode} {city}. Stämmer det?"), ("C", "Ja.")],
            [("C", "Jag beställde {product} för {weeks} veckor sedan men inget har kommit."), ("A", "Jag tittar på beställningen."),
             ("P", (3, 9)), ("A", "Order {order} skickades den {day} {month}."), ("C", "Bra, tack.")],
            [("C", "Internet bryts varje kväll runt klockan {hour}."), ("A", "Jag testar linjen."), ("P", (6, 15)),
             ("A", "En tekniker kan komma på {weekday} klockan {hour2}."), ("C", "Det passar bra.")],
            [("A", "Jag gör en felanmälan, numret är {ticket}."), ("C", "Vänta, jag skriver upp det. {ticket}?"),
             ("A", "Precis.")],
        ],
        "closing": [
            [("A", "Var det något annat?"), ("C", "Nej, det var allt. Tack så mycket."), ("A", "Tack för samtalet, ha en bra dag."),
             ("C", "Hej då.")],
        ],
        "backchannel": ["Ja.", "Okej.", "Precis.", "Jaha.", "Mm."],
    },
}

VOICES = {"fi": ["fi"], "en": ["en-gb", "en-us", "en-gb-scotland"], "sv": ["sv"]}
NAMES = {"fi": (FI_FIRST, FI_SURNAMES), "en": (EN_FIRST, EN_SURNAMES), "sv": (SV_FIRST, SV_SURNAMES)}
FEMALE, MALE = ["f1", "f2", "f3", "f4", "f5"], ["m1", "m2", "m3", "m4", "m5", "m6", "m7"]


def fill(template, slots, cache, rng, ctx):
    def one(m):
        key = m.group(1)
        if key not in cache:
            cache[key] = slots[key](rng, ctx)
        return cache[key]
    return re.sub(r"\{(\w+)\}", one, template)


# ---------------------------------------------------------------------------
# One call
# ---------------------------------------------------------------------------

class Call:
    """A generated call: its mono mix (16-bit PCM, never through G.711) and, when asked for, the
    two speakers on separate channels (agent left, customer right), each with its own line noise."""

    def __init__(self, seed, seconds, mono, left=None, right=None, about=None):
        self.seed, self.seconds, self.mono, self.left, self.right = seed, seconds, mono, left, right
        self.about = about or {}

    def stereo(self):
        return interleave(self.left, self.right)


class CallMaker:
    """Makes calls in a scratch folder (`tmp`); turns, ringback and noise are made with espeak-ng and sox."""

    def __init__(self, tmp):
        need_tools()
        self.tmp = Path(tmp)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self._ring = None

    def sox(self, *argv, **kwargs):
        return run_checked(["sox", "-R", "-D", *argv], what="sox", **kwargs)

    def turn(self, voice, wpm, pitch, level, text):
        """One spoken turn at 8 kHz, as 16-bit PCM bytes."""
        self.count += 1
        raw = self.tmp / f"turn-{self.count}-raw.wav"
        conv = self.tmp / f"turn-{self.count}.wav"
        run_checked(["espeak-ng", "-v", voice, "-s", wpm, "-p", pitch, "-w", raw, text], what="espeak-ng")
        self.sox(raw, *SOX_PCM, conv, *TURN_CHAIN, "vol", f"{level:.3f}")
        with wave.open(str(conv), "rb") as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (RATE, 1, 2), conv
            pcm = w.readframes(w.getnframes())
        raw.unlink()
        conv.unlink()
        return pcm

    def ringback(self):
        """One ringback cycle (425 Hz 1 s on, 4 s off) as 16-bit PCM."""
        if self._ring is None:
            path = self.tmp / "ringback.wav"
            self.sox("-n", *SOX_PCM, path, "synth", f"{RING_ON:g}", "sine", str(RINGBACK_HZ), "vol", "0.15",
                     "pad", "0", f"{RING_OFF:g}")
            with wave.open(str(path), "rb") as w:
                self._ring = w.readframes(w.getnframes())
            path.unlink()
        return self._ring

    def noise(self, samples, rng, level):
        """Line noise: the seeded generator's white noise (uniform, ±level of full scale), band-limited
        to 300-3400 Hz by sox, as 16-bit PCM of `samples` samples."""
        white = scale(rng.randbytes(2 * samples), level)
        r = self.sox("-t", "raw", *SOX_PCM, "-", "-t", "raw", *SOX_PCM, "-", *BAND, input=white, text=False)
        out = r.stdout
        return out[:2 * samples].ljust(2 * samples, b"\0")

    def call(self, rng, seconds, stereo=False, lang=None):
        """A call of about `seconds` s (it ends with its closing words once that long)."""
        if lang is None:
            lang = rng.choices(["fi", "en", "sv"], weights=[60, 25, 15])[0]
        phrases = PHRASES[lang]
        slots = {**SLOTS, **_lang_slots(lang)}
        base = rng.choice(VOICES[lang])
        agent_var = rng.choice(FEMALE + MALE)
        customer_var = rng.choice([v for v in FEMALE + MALE if v != agent_var])
        first, surnames = NAMES[lang]
        ctx = {"agent": rng.choice(first), "first": rng.choice(first), "surname": rng.choice(surnames)}
        speakers = {  # voice, words per minute around, pitch, level (the far end quieter, as in the samples)
            "A": (f"{base}+{agent_var}", rng.randrange(160, 185), rng.randrange(35, 65), (0.75, 0.95)),
            "C": (f"{rng.choice(VOICES[lang])}+{customer_var}", rng.randrange(145, 180), rng.randrange(35, 65), (0.35, 0.7)),
        }
        tracks = {"A": bytearray(), "C": bytearray()}
        # Ringback from the far end before the answer: 1-3 cycles, answered during a silent part.
        rings = rng.randrange(1, 4)
        ring = self.ringback() * rings
        answered = int(((rings - 1) * (RING_ON + RING_OFF) + RING_ON + rng.uniform(0.5, 3.5)) * RATE)
        tracks["C"] += ring[:2 * answered]
        cursor = answered + int(rng.uniform(0.2, 0.8) * RATE)  # where the next turn may start (samples)
        last = None
        turns = 0

        def say(who, text):
            nonlocal cursor, last, turns
            voice, wpm, pitch, (lo, hi) = speakers[who]
            pcm = self.turn(voice, wpm + rng.randrange(-10, 11), pitch, rng.uniform(lo, hi), text)
            if last is not None and who != last and rng.random() < 0.12:
                start = cursor - int(rng.uniform(0.1, 0.6) * RATE)  # talks over the end of the other's turn
            else:
                start = cursor + int((rng.uniform(0.25, 1.2) if who != last else rng.uniform(0.3, 0.7)) * RATE)
            track = tracks[who]
            start = max(start, len(track) // 2)
            track += bytes(2 * start - len(track))
            track += pcm
            cursor = max(cursor, start + len(pcm) // 2)
            last = who
            turns += 1

        def exchange(lines):
            nonlocal cursor
            cache = {}
            for who, what in lines:
                if who == "P":
                    cursor += int(rng.uniform(*what) * RATE)
                    continue
                say(who, fill(what, slots, cache, rng, ctx))
                if who == "A" and rng.random() < 0.15:
                    say("C", rng.choice(phrases["backchannel"]))

        exchange(rng.choice(phrases["opening"]))
        if seconds > 60:
            exchange(rng.choice(phrases["identify"]))
        previous = None
        closing = rng.choice(phrases["closing"])
        while cursor < (seconds - 12) * RATE:
            choice = rng.choice([m for m in phrases["middle"] if m is not previous])
            exchange(choice)
            previous = choice
        exchange(closing)
        total = max(cursor + int(rng.uniform(0.5, 1.5) * RATE), len(tracks["A"]) // 2, len(tracks["C"]) // 2)
        total += total % 2  # an even number of samples: 8-bit G.711 data needs no pad byte
        a = bytes(tracks["A"]).ljust(2 * total, b"\0")
        c = bytes(tracks["C"]).ljust(2 * total, b"\0")
        level = rng.uniform(0.006, 0.015)
        mono = mix(mix(a, c), self.noise(total, rng, level))
        left = right = None
        if stereo:
            left = mix(a, self.noise(total, rng, level))
            right = mix(c, self.noise(total, rng, level))
        about = {"language": lang, "agent voice": speakers["A"][0], "customer voice": speakers["C"][0],
                 "turns": turns, "ringback cycles": rings, "noise level": round(level, 4)}
        return Call(None, total / RATE, mono, left, right, about)


# The four encodings of a call, as a PBX stores them (name, what it is, how a call becomes it).
ENCODINGS = [
    ("pcm16", "16-bit PCM WAV, never through G.711", lambda pcm: pcm16_wav(pcm)),
    ("alaw16", "16-bit PCM WAV decoded from A-law (a G.711 call recorded as slin)", lambda pcm: pcm16_wav(from_alaw(to_alaw(pcm)))),
    ("mulaw8", "8-bit µ-law WAV (format tag 7)", lambda pcm: g711_wav(to_ulaw(pcm), ULAW_TAG)),
    ("alaw8", "8-bit A-law WAV (format tag 6)", lambda pcm: g711_wav(to_alaw(pcm), ALAW_TAG)),
]


def make_calls(count, minutes, seed, tmp, stereo_first=False, log=None):
    """`count` calls of `minutes` ± 10 % each, call i made from random.Random(seed + i); the first
    one also on two channels when stereo_first."""
    maker = CallMaker(tmp)
    calls = []
    for i in range(count):
        rng = random.Random(seed + i)
        seconds = minutes * 60 * rng.uniform(0.9, 1.1)
        call = maker.call(rng, seconds, stereo=stereo_first and i == 0)
        call.seed = seed + i
        calls.append(call)
        if log:
            log(f"  call {i + 1}/{count}: {call.seconds / 60:.2f} min, {call.about['language']}, "
                f"{call.about['turns']} turns, voices {call.about['agent voice']} / {call.about['customer voice']}")
    return calls


def check_file(path, encoding, channels=1):
    """What is wrong with a written file of `encoding` (None when it is right): the WAV format, and for
    the A-law-sourced 16-bit PCM, at most 256 distinct sample values."""
    tag, ch, rate, bits, size, _ = wav_format(path)
    want = {"pcm16": (1, 16), "alaw16": (1, 16), "mulaw8": (ULAW_TAG, 8), "alaw8": (ALAW_TAG, 8)}[encoding]
    if (tag, bits, rate, ch) != (*want, RATE, channels):
        return f"{path}: format tag {tag}, {bits} bits, {rate} Hz, {ch} channels; want tag {want[0]}, {want[1]} bits, {RATE} Hz, {channels}"
    if encoding == "alaw16":
        distinct = len(set(_samples(wav_data(path))))
        if distinct > 256:
            return f"{path}: {distinct} distinct sample values (A-law has 256)"
    return None


def write_corpus(folder, calls, log=None):
    """The calls as flat files: ENC-N.wav for each encoding, stereo16-N.wav for the calls made in stereo."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, call in enumerate(calls, 1):
        for name, _, encode in ENCODINGS:
            path = folder / f"{name}-{i}.wav"
            path.write_bytes(encode(call.mono))
            written.append((path, name, 1))
        if call.left is not None:
            path = folder / f"stereo16-{i}.wav"
            path.write_bytes(pcm16_wav(call.stereo(), channels=2))
            written.append((path, "pcm16", 2))
    for path, name, channels in written:
        problem = check_file(path, name, channels)
        if problem:
            raise SystemExit(problem)
    return [p for p, _, _ in written]
