"""Synthetic customers, their Finnish phone numbers, other callers and agents."""

import csv
import random

DID = "0923456789"
QUEUE = "400"
TRUNK = "trunk-elisa"
AGENTS = [str(a) for a in range(1001, 1051)]

SURNAMES = [
    "Mäkinen", "Hämäläinen", "Järvinen", "Kärkkäinen", "Äijälä", "Öhman", "Nyström", "Virtanen",
    "Korhonen", "Nieminen", "Mäkelä", "Heikkinen", "Koskinen", "Järvelä", "Lähteenmäki", "Pöllänen",
    "Räsänen", "Seppälä", "Väisänen", "Kähkönen", "Lehtonen", "Laine", "Salo", "Heinonen", "Niemi",
    "Turunen", "Salminen", "Kinnunen", "Jokinen", "Lehtinen", "Hyvönen", "Hämäläinen", "Rönkkö",
    "Pääkkönen", "Mäkitalo", "Ylönen", "Kylmälä", "Sjöberg", "Åström", "Lindqvist", "Kivelä",
    "Tähtinen", "Leppänen", "Ketola", "Peltonen", "Vääräniemi", "Mönkkönen", "Hölttä", "Källström",
    "Saarinen", "Anttila", "Karjalainen", "Mustonen", "Hiltunen", "Söderström", "Nurmi", "Väänänen",
    "Päivärinta", "Tuominen", "Rantanen", "Lindroos", "Hakala", "Räty", "Säntti", "Lyytikäinen",
]
FIRST_NAMES = [
    "Jukka", "Sanna", "Päivi", "Jyrki", "Hannele", "Tiina", "Matti", "Pekka", "Aino", "Ville",
    "Outi", "Göran", "Linnea", "Mikko", "Anna", "Sirpa", "Jää", "Väinö", "Tyyne", "Kyösti",
    "Sörén", "Äimä", "Ilkka", "Marjatta", "Eeva", "Heikki", "Juha", "Kaija", "Leena", "Markku",
    "Minna", "Olli", "Riikka", "Sami", "Tuula", "Ulla", "Veikko", "Pirjo", "Timo", "Satu",
    "Jäännös", "Kerttu", "Lauri", "Helmi", "Eino", "Elina", "Kalle", "Iida", "Onni", "Siiri",
]
COMPANIES = [
    "Oy Esimerkki Ab", "Kahvila \"Kulma\" Oy", "Rakennus Mäkelä Oy", "Tilitoimisto Järvinen Ky",
    "Kuljetus Öhman Oy", "Sähkö-Väisänen Oy", "Kauppa Nyström Ab", "Autokorjaamo Pöllänen",
]
NAME_WORDS = ["Mäkinen", "Järvinen", "Päivi", "Hämäläinen", "Virtanen", "Sanna", "Öhman",
              "Nyström", "Kärkkäinen", "Lehtonen", "Väinö", "Korhonen", "Åström", "Göran",
              "Seppälä", "Jukka", "Rönkkö", "Tähtinen", "Kahvila", "Marjatta"]


def rev_digits(e164_or_ext):
    return "".join(c for c in e164_or_ext if c.isdigit())[::-1]


class Number:
    __slots__ = ("national", "intl", "e164", "rev", "written")

    def __init__(self, national, e164, written):
        self.national = national   # as a Finnish PBX shows it: 0401234567
        self.e164 = e164           # +358401234567
        self.intl = e164           # as some trunks deliver it: +358401234567
        self.rev = e164[1:][::-1]
        self.written = written     # as written in the customers file


def finnish_number(rng, used, landline=False):
    while True:
        if landline:
            national = "09" + str(rng.randrange(1000000, 9999999))
        else:
            national = "0" + rng.choice(["40", "41", "44", "45", "50", "46"]) + str(rng.randrange(1000000, 9999999))
        if national not in used:
            used.add(national)
            break
    e164 = "+358" + national[1:]
    r = rng.random()
    if landline:
        written = national[:2] + "-" + national[2:] if r < 0.5 else f"({national[:2]}) {national[2:5]} {national[5:]}"
    elif r < 0.4:
        written = f"{national[:3]} {national[3:6]} {national[6:]}"
    elif r < 0.6:
        written = f"+358 {national[1:3]} {national[3:]}"
    elif r < 0.8:
        written = national
    else:
        written = "00358" + national[1:]
    return Number(national, e164, written)


class People:
    """Customers with their numbers, other callers, agents."""

    def __init__(self, seed, customers=5000):
        rng = random.Random(seed)
        used = set()
        self.customers = []   # (id, name, [Number])
        self.numbers = []     # customer-owned numbers (caller pool), with their owner name
        for i in range(1, customers + 1):
            cid = f"C{i:05d}"
            if rng.random() < 0.04:
                name = rng.choice(COMPANIES)
            else:
                name = f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)}"
            nums = [finnish_number(rng, used)]
            if rng.random() < 0.08:
                nums.append(finnish_number(rng, used, landline=True))
            self.customers.append((cid, name, nums))
        # Shared family landlines: 1% of customers share a landline with the previous one.
        for i in range(1, len(self.customers)):
            if rng.random() < 0.01:
                prev = self.customers[i - 1][2]
                if len(prev) > 1 and prev[1] not in self.customers[i][2]:
                    self.customers[i][2].append(prev[1])
        seen = set()
        for cid, name, nums in self.customers:
            for n in nums:
                if n.e164 not in seen:
                    seen.add(n.e164)
                    self.numbers.append((n, name))
        # Callers who are not customers (Finnish and a few foreign numbers).
        self.others = []
        for _ in range(1500):
            self.others.append(finnish_number(rng, used, landline=rng.random() < 0.2))
        for cc in ("46", "49", "372", "47"):
            for _ in range(25):
                digits = str(rng.randrange(100000000, 999999999))
                e164 = f"+{cc}{digits}"
                self.others.append(Number("00" + cc + digits, e164, e164))
        self.agent_names = {a: f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}" for a in AGENTS}

    def owners(self):
        """E.164 number -> the ids of the customers who own it (shared landlines have two)."""
        out = {}
        for cid, _, nums in self.customers:
            for n in nums:
                ids = out.setdefault(n.e164, [])
                if cid not in ids:
                    ids.append(cid)
        return out

    def write_customers_csv(self, path):
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\r\n")
            w.writerow(["customer_id", "name", "phones"])
            for cid, name, nums in self.customers:
                w.writerow([cid, name, ";".join(n.written for n in nums)])

