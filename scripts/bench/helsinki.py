"""Europe/Helsinki wall-clock time for the generators, without a time-zone database.

EU rule: DST from the last Sunday of March to the last Sunday of October, 01:00 UTC both.
Generated times are UTC instants; the CDRs show local wall-clock time. When the system has
zoneinfo, the rule is checked against it.
"""

import datetime as dt
import time


def last_sunday_utc(year, month):
    d = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    d -= dt.timedelta(days=(d.weekday() + 1) % 7)
    return int(dt.datetime(d.year, d.month, d.day, 1, tzinfo=dt.timezone.utc).timestamp())


class Helsinki:
    def __init__(self, years):
        self.dst = [(last_sunday_utc(y, 3), last_sunday_utc(y, 10)) for y in years]
        # Wall-clock seconds that occur twice (the autumn repeated hour): [T+2h, T+3h).
        self.repeated = [(e + 7200, e + 10800) for _, e in self.dst]
        self.gaps = [(s + 7200, s + 10800) for s, _ in self.dst]
        self.days = {}
        self.hms = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self.hms_compact = None
        self.check()

    def offset(self, utc):
        for s, e in self.dst:
            if s <= utc < e:
                return 10800
        return 7200

    def wall(self, utc):
        return utc + self.offset(utc)

    def day(self, d):
        text = self.days.get(d)
        if text is None:
            text = time.strftime("%Y-%m-%d", time.gmtime(d * 86400))
            self.days[d] = text
        return text

    def local(self, utc):
        w = utc + self.offset(utc)
        d, s = divmod(w, 86400)
        return self.day(d) + " " + self.hms[s]

    def local_compact(self, utc):
        return time.strftime("%Y%m%d-%H%M%S", time.gmtime(self.wall(utc)))

    def ambiguous(self, wall):
        return any(lo <= wall < hi for lo, hi in self.repeated)

    def candidates(self, wall):
        """Every UTC instant a wall-clock time can denote, earliest first (as callvault)."""
        for lo, hi in self.repeated:
            if lo <= wall < hi:
                return [wall - 10800, wall - 7200]
        for lo, hi in self.gaps:
            if lo <= wall < hi:
                return [wall - 7200]
        out = [wall - 10800] if self.offset(wall - 10800) == 10800 else []
        if self.offset(wall - 7200) == 7200:
            out.append(wall - 7200)
        return sorted(out) or [wall - 7200]

    def check(self):
        try:
            from zoneinfo import ZoneInfo
            zone = ZoneInfo("Europe/Helsinki")
        except Exception:
            return
        for s, e in self.dst:
            for t in (s - 1, s, e - 1, e, (s + e) // 2):
                want = int(dt.datetime.fromtimestamp(t, zone).utcoffset().total_seconds())
                assert want == self.offset(t), (t, want, self.offset(t))

