#!/usr/bin/env python3
"""Synthetic speech from Debian TTS (espeak-ng accents x variants, flite voices) -> 16 kHz mono int16 WAV.

Writes tools/voice/out/tts/<set>/<word>__<voice>__<speed>.wav and out/tts/manifest.json.
Sets:
  train   keywords + 'unknown' training words, most espeak variants + flite voices
  fa      other (never trained) words, for the false-accept stream
  spoof   the keywords and digits by voices/variants kept out of training (speaker-verification spoofing trials)
Deterministic: the voice/word lists are fixed; no randomness.
"""
import json, os, subprocess, sys, concurrent.futures as cf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "tts")
KEYWORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
UNKNOWN_TRAIN = ["bed", "bird", "cat", "dog", "eight", "five", "four", "happy", "house", "marvin", "nine", "one",
                 "seven", "sheila", "six", "three", "tree", "two", "wow", "zero", "yet", "yellow", "note", "know",
                 "app", "town", "lift", "light", "write", "own", "of", "top", "goal", "yeah", "nope", "dog",
                 "learn", "done", "odd", "stock"]
FA_WORDS = ["pay", "coffee", "hello", "okay", "thanks", "please", "money", "table", "water", "window", "music",
            "number", "monday", "chair", "green", "paper", "market", "garden", "camera", "doctor", "kitchen",
            "yesterday", "nest", "dress", "unless", "guess", "mess", "press", "less", "chess", "bless", "excess",
            "address", "success", "process", "yoga", "young", "yard", "yawn", "east"]
DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]   # FSDD spoofing
ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029", "en-us-nyc"]
TRAIN_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "f1", "f2", "f3", "f4", "Alex", "Andy", "annie", "belinda",
                  "david", "edward", "grandma", "john", "linda", "max", "michel", "paul", "quincy", "rob",
                  "steph", "travis"]
HELD_VARIANTS = ["m7", "f5", "Alicia", "aunty", "benjamin", "boris", "caleb", "shelby"]   # spoof set only
FLITE_TRAIN = ["kal16", "awb", "rms"]
FLITE_HELD = ["slt"]


def synth(job):
    kind, text, voice, speed, pitch, path = job
    if os.path.exists(path):
        return path
    tmp = path + ".tmp.wav"
    if kind == "espeak":
        cmd = ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", tmp, text]
    else:
        cmd = ["flite", "-voice", voice, "--setf", "duration_stretch=%.2f" % (160.0 / speed), "-t", text, "-o", tmp]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # 16 kHz mono 16-bit, trim leading/trailing silence
    subprocess.run(["sox", tmp, "-r", "16000", "-c", "1", "-b", "16", path,
                    "silence", "1", "0.01", "0.5%", "reverse", "silence", "1", "0.01", "0.5%", "reverse"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.remove(tmp)
    return path


def main():
    jobs, manifest = [], []

    def add(setname, word, label, kind, voice, speed, pitch):
        d = os.path.join(OUT, setname)
        os.makedirs(d, exist_ok=True)
        vname = voice.replace("+", "_")
        path = os.path.join(d, "%s__%s__%s_%d_%d.wav" % (word, kind, vname, speed, pitch))
        jobs.append((kind, word, voice, speed, pitch, path))
        manifest.append({"file": os.path.relpath(path, OUT), "set": setname, "word": word, "label": label,
                         "voice": "%s:%s" % (kind, voice), "speed": speed, "pitch": pitch})

    for i, acc in enumerate(ACCENTS):
        for j, var in enumerate(TRAIN_VARIANTS):
            # a deterministic subset of (accent, variant) pairs, 2 speeds x 1 pitch each
            if (i * 7 + j * 3) % 3 != 0:
                continue
            for speed, pitch in ((130, 40 + (j * 5) % 40), (185, 30 + (i * 9) % 50)):
                for w in KEYWORDS:
                    add("train", w, w, "espeak", acc + "+" + var, speed, pitch)
                for k, w in enumerate(UNKNOWN_TRAIN):
                    if (k + i + j) % 3 == 0:
                        add("train", w, "_unknown_", "espeak", acc + "+" + var, speed, pitch)
    for v in FLITE_TRAIN:
        for speed in (130, 160, 190):
            for w in KEYWORDS:
                add("train", w, w, "flite", v, speed, 0)
            for w in UNKNOWN_TRAIN:
                add("train", w, "_unknown_", "flite", v, speed, 0)
    for i, acc in enumerate(ACCENTS):
        for var in HELD_VARIANTS:
            for w in FA_WORDS:
                if (hash_(w + acc + var)) % 4 == 0:
                    add("fa", w, "_unknown_", "espeak", acc + "+" + var, 160, 50)
            for w in KEYWORDS + DIGITS:
                add("spoof", w, w, "espeak", acc + "+" + var, 160, 50)
    for v in FLITE_HELD:
        for w in FA_WORDS:
            add("fa", w, "_unknown_", "flite", v, 160, 0)
        for w in KEYWORDS + DIGITS:
            add("spoof", w, w, "flite", v, 160, 0)

    with cf.ThreadPoolExecutor(int(os.environ.get("TTS_JOBS", "2"))) as ex:
        for n, _ in enumerate(ex.map(synth, jobs)):
            if n % 500 == 0:
                print("tts", n, "/", len(jobs), flush=True)
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=0)
    print("tts done", len(jobs))


def hash_(s):
    h = 2166136261
    for c in s.encode():
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h


if __name__ == "__main__":
    main()
