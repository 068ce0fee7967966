#!/usr/bin/env python3
"""Regenerate samples/sms/: a Kannel access log and an SMS gateway CSV for callvault.

    python3 scripts/make-sms-samples.py

Needs python3 only (stdlib). The output is deterministic. It writes:
  samples/sms/kannel-access.log   Kannel bearerbox access log (default access-log-format)
  samples/sms/sms-gateway.csv     SMS records in callvault's CSV (CLI.md)
(samples/sms/README.md, which describes them, is written by hand.)

The message bodies are made up; they are in the log because Kannel logs them, and they must
never reach the archive (R8). The message length in [msg:N:text] is the body's length in bytes,
as Kannel counts it; UCS-2 bodies are logged as hex (2N digits).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "samples" / "sms"

COMPANY = "+358923456789"      # the customer-service DID (samples/README.md), also the SMS number
SMSC = "elisa-smpp"
SMPP_USER = "esim_cs"
SENDSMS_USER = "asiakaspalvelu"


def line(time, event, frm, to, body=b"", *, fid="", svc="", act="", meta="", flags="-1:0:-1:0:0",
         udh=b"", coding_hex=False, length=None):
    """One access-log line, exactly as bb_alog_sms writes it (Kannel 1.5 default format)."""
    text = body.hex().upper().encode() if coding_hex else body
    n = len(body) if length is None else length
    return (f"{time} {event} [SMSC:{SMSC}] [SVC:{svc}] [ACT:{act}] [BINF:] [FID:{fid}] [META:{meta}] "
            f"[from:{frm}] [to:{to}] [flags:{flags}] [msg:{n}:").encode() + text + \
           f"] [udh:{len(udh)}:{udh.hex().upper()}]".encode()


def sent(time, to, body, fid, mask=19, frm=COMPANY):
    return line(time, "Sent SMS", frm, to, body.encode(), fid=fid, svc=SENDSMS_USER, flags=f"-1:0:-1:0:{mask}")


def received(time, frm, body, to=COMPANY):
    return line(time, "Receive SMS", frm, to, body.encode(), meta="?smpp?", flags="-1:0:-1:0:-1")


def dlr(time, fid, typ, to, frm=COMPANY, receipt=None, submit="", done=""):
    """A delivery report. Type 8/16 carry Kannel's ACK/NACK, types 1/2/4 the SMSC's receipt."""
    if receipt is None:
        body = b"ACK/"
    else:
        stat, err, quoted = receipt
        body = (f"id:{fid} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'} submit date:{submit} "
                f"done date:{done} stat:{stat} err:{err} text:{quoted[:20]}").encode()
    return line(time, "Receive DLR", frm, to, body, fid=fid, svc=SENDSMS_USER, act=SMPP_USER,
                meta="?smpp?", flags=f"-1:-1:-1:-1:{typ}")


def log_lines():
    m1 = "Hei Jukka, tilauksesi 4471 on lähetetty. Toimitus arviolta ma 26.10. Terveisin Esimerkki Oy asiakaspalvelu"
    m2 = "Moi! Voinko siirtää huomisen huoltoajan ensi viikolle? t. Sanna"
    m3 = "Hei Sanna, uusi aikasi: ke 28.10. klo 10.00 [vahvista: vastaa K] [peru: vastaa P]"
    m4 = "Kiitos nopeasta avusta, kaikki toimii taas!"
    m5 = ("Hei Aino, huoltokäynti on sovittu to 29.10. klo 8-12. Asentaja soittaa noin puoli tuntia ennen "
          "saapumistaan. Jos aika ei sovi, vastaa tähän viestiin tai soita 09 2345 6789 (ma-pe 8-16). "
          "Ystävällisin terveisin, Esimerkki Oy")
    m6 = "Tack för hjälpen igår! Fakturan är betald nu 😊"
    m7 = "Muistutus: ajanvarauksesi huomenna ma 26.10. klo 14.30. Peru viimeistään 24 h ennen. Esimerkki Oy"
    m8 = "Soitatteko minulle maanantaina? Olen tavoitettavissa klo 9-12."
    m9 = "Hei Ville, soitamme ma 26.10. klo 9.30 numeroon 0400 765 432. T. Esimerkki Oy asiakaspalvelu"
    m10 = "LOPETA"
    m11 = "Hei Päivi, muistutus: huollon kuittaus puuttuu vielä. Vastaa OK niin merkitsemme sen tehdyksi."
    m12 = "Hei, laskussa 2026-1044 on virhe: summa 49,90 € eikä 94,90 €. Voitteko korjata?"
    m13 = "Hei Jukka, pakettisi on noudettavissa Postista 2.11. asti. Seurantakoodi JJFI6447100012345678"
    m14 = "Tuleeko asentaja tänään vai huomenna?"
    m15 = "Hei Tiina, sopimuksesi päättyi 30.6. Palauta laite viimeistään 15.11. Esimerkki Oy"
    m16 = "VOITA iPhone! Vastaa VOITTO numeroon 17171"
    m17 = "Kiitos, sain laskun. Maksan sen perjantaina."
    m18 = "Kiitos viestistä Göran, lasku on nyt korjattu."

    cut = sent("2026-10-24 16:02:11", "+358405550101", m11, "6F3A2D77", frm="Esimerkki")
    cut = cut[:cut.index(b"huollon") + len(b"huollon")]   # the disk filled up mid-line

    return [
        b"2026-10-23 07:58:12 Log begins",
        sent("2026-10-23 08:05:31", "+358401234567", m1, "6F3A2B10"),
        dlr("2026-10-23 08:05:36", "6F3A2B10", 1, "+358401234567", receipt=("DELIVRD", "000", m1),
            submit="2610230805", done="2610230805"),
        received("2026-10-23 09:12:44", "+358507654321", m2),
        sent("2026-10-23 09:20:10", "+358507654321", m3, "6F3A2B57", mask=31),
        dlr("2026-10-23 09:20:11", "6F3A2B57", 8, "+358507654321"),
        dlr("2026-10-23 09:20:40", "6F3A2B57", 1, "+358507654321", receipt=("DELIVRD", "000", m3),
            submit="2610230920", done="2610230920"),
        received("2026-10-23 10:47:02", "+358401112223", m4),
        sent("2026-10-23 11:30:00", "+358449876543", m5, "6F3A2C01", mask=31),
        dlr("2026-10-23 11:30:01", "6F3A2C01", 8, "+358449876543"),
        dlr("2026-10-23 11:45:02", "6F3A2C01", 4, "+358449876543", receipt=("ENROUTE", "000", m5),
            submit="2610231130", done="2610231145"),
        line("2026-10-23 13:05:19", "FAILED Send SMS", COMPANY, "040123",
             "Hei, tässä pyytämäsi tarjous: 3 kk 0 €, sen jälkeen 19,90 €/kk.".encode(),
             svc=SENDSMS_USER, flags="-1:0:-1:0:19"),
        line("2026-10-23 13:05:19", "Receive DLR", COMPANY, "040123",
             b"NACK/0x0000000b/Invalid Destination Address", svc=SENDSMS_USER, flags="-1:-1:-1:-1:16"),
        line("2026-10-23 15:40:27", "Receive SMS", "+46701234567", COMPANY, m6.encode("utf-16-be"),
             meta="?smpp?", flags="-1:2:-1:0:-1", coding_hex=True),
        sent("2026-10-23 16:58:03", "+358405550101", m7, "6F3A2C9E", frm="Esimerkki"),
        dlr("2026-10-23 16:58:09", "6F3A2C9E", 1, "+358405550101", frm="Esimerkki",
            receipt=("DELIVRD", "000", m7), submit="2610231658", done="2610231658"),
        dlr("2026-10-24 07:12:40", "6F3A2C01", 1, "+358449876543", receipt=("DELIVRD", "000", m5),
            submit="2610231130", done="2610240712"),
        received("2026-10-24 10:15:22", "+358400765432", m8),
        sent("2026-10-24 10:16:05", "+358400765432", m9, "6F3A2D40"),
        dlr("2026-10-24 10:16:09", "6F3A2D40", 1, "+358400765432", receipt=("DELIVRD", "000", m9),
            submit="2610241016", done="2610241016"),
        received("2026-10-24 12:00:00", "+358451119988", m10),
        cut,
        b"2026-10-25 03:00:02 Log ends",
        b"2026-10-25 03:00:05 Log begins",
        received("2026-10-25 11:22:33", "+358412223344", m12),
        sent("2026-10-26 08:30:00", "+358401234567", m13, "6F3A2E11", mask=31),
        dlr("2026-10-26 08:30:01", "6F3A2E11", 8, "+358401234567"),
        dlr("2026-10-26 08:30:07", "6F3A2E11", 1, "+358401234567", receipt=("DELIVRD", "000", m13),
            submit="2610260830", done="2610260830"),
        received("2026-10-26 09:05:45", "+358443217654", m14),
        sent("2026-10-26 09:10:12", "+358452345678", m15, "6F3A2E5C"),
        dlr("2026-10-26 09:10:20", "6F3A2E5C", 2, "+358452345678", receipt=("UNDELIV", "001", m15),
            submit="2610260910", done="2610260910"),
        line("2026-10-26 12:00:00", "REJECTED - black-listed SMS", "+358505550123", COMPANY, m16.encode(),
             meta="?smpp?", flags="-1:0:-1:0:-1"),
        received("2026-10-26 14:22:10", "+358503332211", m17),
        line("2026-10-26 14:25:00", "Sent SMS", COMPANY, "+358503332211", m18.encode(), svc=SENDSMS_USER),
    ]


CSV = """time,direction,from,to,message_id,status,parts
2026-10-23T08:45:10+03:00,outbound,+358923456789,+358401234567,gw-7f2c91a0,delivered,1
2026-10-23T06:02:44Z,inbound,+358449876543,+358923456789,gw-7f2c91b3,received,1
2026-10-23 14:30:00,out,+358923456789,0400 765 432,gw-7f2c9204,delivered,2
2026-10-24T10:00:00+03:00,outbound,Esimerkki,+358412223344,gw-7f2c9311,failed,1
2026-10-24T11:11:11+03:00,in,+358507654321,+358923456789,,received,
2026-10-25T03:30:00+02:00,outbound,+358923456789,+46701234567,gw-7f2c93c8,delivered,1
2026-10-25T12:00:00+02:00,inbound,+358505550123,+358923456789,gw-7f2c9400,received,1
2026-10-26T08:15:00+02:00,outbound,+358923456789,+358405550101,gw-7f2c9502,sent,3
2026-10-26T09:40:00.250+02:00,outbound,+358923456789,+358452345678,gw-7f2c9577,REJECTED,1
2026-10-26 16:45:00,inbound,00358401112223,+358923456789,gw-7f2c9601,received,1
"""


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    lines = log_lines()
    (OUT / "kannel-access.log").write_bytes(b"\n".join(lines) + b"\n")
    (OUT / "sms-gateway.csv").write_bytes(CSV.encode("utf-8"))
    malformed = [i + 1 for i, l in enumerate(lines) if l.startswith(b"2026-10-24 16:02:11")]
    print(f"wrote {len(lines)} log lines (malformed: line {malformed[0]}), {CSV.count(chr(10)) - 1} CSV records")


if __name__ == "__main__":
    main()
