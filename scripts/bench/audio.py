"""Recordings: 8 kHz 16-bit mono WAVs made from the sample speech, named as FreePBX names them."""

import array
import struct
import wave
import warnings

from . import ROOT
from .people import DID, QUEUE

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import audioop  # C speed for gain/noise on PCM (Python <= 3.12)
    except ImportError:  # pragma: no cover
        audioop = None


def wav_header(data_bytes, rate=8000):
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE" + b"fmt " +
            struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", data_bytes))


def load_speech():
    clips = []
    for path in sorted((ROOT / "samples/asterisk/monitor").rglob("*.wav")):
        with wave.open(str(path)) as w:
            assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() == 8000, path
            clips.append(w.readframes(w.getnframes()))
    if not clips:
        raise SystemExit("no sample WAVs under samples/asterisk/monitor")
    return clips


def gain(pcm, factor):
    if audioop:
        return audioop.mul(pcm, 2, factor)
    a = array.array("h", pcm)
    for i in range(len(a)):
        a[i] = max(-32768, min(32767, int(a[i] * factor)))
    return a.tobytes()


def add_noise(pcm, rng, level):
    """Adds low line noise (|n| < level*32768) so that no two recordings are alike."""
    n = len(pcm) // 2
    if audioop:
        noise = audioop.mul(audioop.lin2lin(rng.randbytes(n), 1, 2), 2, level)
        return audioop.add(pcm, noise, 2)
    a = array.array("h", pcm)
    amp = int(level * 32768)
    for i in range(len(a)):
        a[i] = max(-32768, min(32767, a[i] + rng.randint(-amp, amp)))
    return a.tobytes()


def make_recording_pcm(clips, rng, seconds):
    target = int(seconds * 8000) * 2
    parts = []
    size = 0
    while size < target:
        clip = rng.choice(clips)
        samples = len(clip) // 2
        a = rng.randrange(0, max(1, samples - 16000))
        b = min(samples, a + rng.randrange(16000, 80000))
        piece = gain(clip[2 * a:2 * b], rng.uniform(0.6, 1.4))
        gap = add_noise(bytes(2 * rng.randrange(1600, 12000)), rng, 0.004)
        parts += [piece, gap]
        size += len(piece) + len(gap)
    pcm = b"".join(parts)[:target]
    return add_noise(pcm, rng, 0.003)


def recording_name(tz, cand):
    uid, start, rtype, src, dst, agent = cand
    stamp = tz.local_compact(start)
    if rtype == "in":
        return f"in-{DID}-{src}-{stamp}-{uid}.wav"
    if rtype == "q":
        return f"q-{QUEUE}-{src}-{stamp}-{uid}.wav"
    if rtype == "out":
        return f"out-{dst}-{agent}-{stamp}-{uid}.wav"
    return f"exten-{dst}-{src}-{stamp}-{uid}.wav"
