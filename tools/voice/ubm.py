#!/usr/bin/env python3
"""Speaker model: a universal background model (GMM-UBM) for text-prompted speaker verification.

Features per speech frame (frames loud by themselves, as assembly/voice/vad.ts marks them raw): cepstra
c1..c12 of the shared front end's mel energies with each channel's noise floor subtracted (denoised_cepstra,
below; assembly/voice/noise-floor.ts) plus their deltas (regression over +-2 frames of the same utterance's speech
frames, edge-padded), 24 values. The UBM is a 128-component diagonal Gaussian mixture trained by EM on every
speech frame of sc_train and sc_unknown (1,408 + 709 training-split speakers, about 210k frames). Enrolment
MAP-adapts the means to the owner's frames (relevance factor 1: --eval); a test utterance scores the mean over its
frames of log p(x | owner) - log p(x | UBM), each over the frame's 5 best UBM components (the classic
Reynolds 2000 recipe). The firmware twin is assembly/voice/speaker.ts.

  python ubm.py            trains and writes assembly/voice/ubm.ts (seeded)
  python ubm.py --eval     the shipped UBM (ubm.ts) on the tuning speakers (never the validation speakers): owners
                           enrolled from one take of each code word, tested on 3-word codes from their second
                           takes (quiet, 10 dB); impostors are other speakers' codes. Compares with the statistics
                           method and the MAP relevance factors in EVAL_RELEVANCE (RELEVANCE's choice).
  python ubm.py --golden   tools/voice/golden/speaker_golden.json (the firmware's noise-subtraction test, and
                           its enrolment and scoring against this twin: tests/voice-speaker.test.ts)
  python ubm.py --floor    the speech floor (assembly/voice/speaker.ts SPEECH_FLOOR): the 1st percentile of the
                           mean UBM log-likelihood of the tuning owners' own codes in quiet (20 codes per owner; also at
                           10 dB), and how many codes of the spotter's training-set TTS voices fall below it (when gen_tts.py has run).
"""
import collections, itertools, json, os, re, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
import features as FE
import speaker_eval
from speaker_eval import vad_mask

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_TS = os.path.join(HERE, "..", "..", "assembly", "voice", "ubm.ts")
SPEAKER_TS = os.path.join(HERE, "..", "..", "assembly", "voice", "speaker.ts")      # the profile's Q_STEP
K, NC, DIM = 128, 12, 24
RELEVANCE, TOP, EM_ITERS, SEED = 1.0, 5, 12, 20261206
VAR_FLOOR = 0.01            # of each dimension's global variance
VOCAB = D.code_words()      # the firmware's code words (code-words.ts)


# Noise subtraction before the speaker's cepstra (assembly/voice/noise-floor.ts): each mel channel's noise is
# its floor, tracked by the VAD's rule (quickly down, slowly up); SUB_ALPHA x that floor is taken off the
# frame's energy E = e + LOG_EPS (the front end's exp(log-mel)), keeping at least SUB_KEEP of it. Chosen on the
# tuning speakers (speaker_noise_eval.py). The firmware computes ln of the result as L + g(floor - L), L the
# log-mel, g(u) = ln(max(1 - SUB_ALPHA e^u, SUB_KEEP)) from a table written into ubm.ts (no exp or log per
# channel: the MCU's audio hop has little room), and no lower than ln LOG_EPS.
SUB_ALPHA, SUB_KEEP = np.float32(1.5), np.float32(0.3)
FLOOR_DOWN, FLOOR_UP = np.float32(speaker_eval.FLOOR_DOWN), np.float32(speaker_eval.FLOOR_UP)   # the VAD's rates
SUB_U_MIN, SUB_TABLE_N = -12.0, 1024          # g(u) = 0 below SUB_U_MIN (|g| < 1e-5 there)


def channel_floor(lm):
    """Per mel channel, the floor of its log energy, frame by frame (starts at the first frame)."""
    f = np.empty_like(lm)
    cur = lm[..., 0, :].copy()                  # [T, C] or a batch [B, T, C]
    for t in range(lm.shape[-2]):
        v = lm[..., t, :]
        cur = np.where(v < cur, cur + FLOOR_DOWN * (v - cur), cur + FLOOR_UP * (v - cur)).astype(lm.dtype)
        f[..., t, :] = cur
    return f


def denoised_cepstra(lm, alpha=SUB_ALPHA, keep=SUB_KEEP):
    """c0..c12 of the mel energies with each channel's tracked noise floor subtracted (float32)."""
    lm = lm.astype(np.float32)
    e = np.exp(lm)
    n = np.exp(channel_floor(lm))
    e2 = np.maximum(e - np.float32(alpha) * n, np.float32(keep) * e)
    # no channel below ln LOG_EPS, the front end's own floor: a channel with no energy (many clips have none
    # in the lowest band) stays where the plain log-mel puts it instead of dropping by ln SUB_KEEP
    ln = np.maximum(np.log(e2), np.log(FE.LOG_EPS)).astype(np.float32)
    return (ln @ FE._T["dct"].T).astype(np.float32)


def sub_table():
    """g(u) = ln(max(1 - SUB_ALPHA e^u, SUB_KEEP)) on SUB_TABLE_N points from SUB_U_MIN to where it reaches
    ln SUB_KEEP (the firmware interpolates linearly: error below 2e-4)."""
    u_max = float(np.log((1.0 - float(SUB_KEEP)) / float(SUB_ALPHA)))
    u = np.linspace(SUB_U_MIN, u_max, SUB_TABLE_N)
    return u_max, np.log(np.maximum(1.0 - float(SUB_ALPHA) * np.exp(u), float(SUB_KEEP)))


def speech_cepstra(pcm, denoise=True):
    """c1..c12 of the frames loud by themselves; denoise=False: the front end's plain cepstra (profile v3)."""
    pcm = np.concatenate([pcm, np.zeros((-len(pcm)) % FE.HOP, np.int16)])
    lm, cep = FE.logmel_and_cep(pcm)
    m = vad_mask(lm, hang_frames=0)           # frames loud by themselves (vad.ts vadLastRaw)
    if m.sum() < 5:
        m[:] = True
    if denoise:
        cep = denoised_cepstra(lm)
    return cep[m][:, 1:1 + NC].astype(np.float64)


def with_deltas(c):
    """A stretch of speech (one clip; the firmware: one word of a code): c1..c12 and their deltas
    (2 (c[t+2] - c[t-2]) + (c[t+1] - c[t-1])) / 10 over the stretch, edge-padded."""
    p = np.pad(c, ((2, 2), (0, 0)), mode="edge")
    d = (2 * (p[4:] - p[:-4]) + (p[3:-1] - p[1:-3])) / 10.0
    return np.hstack([c, d])


def loglik(X, w, mu, var):
    iv = 1.0 / var
    c = np.log(w) - 0.5 * np.log(2 * np.pi * var).sum(1) - 0.5 * (mu * mu * iv).sum(1)
    return c[None, :] - 0.5 * (X * X) @ iv.T + X @ (mu * iv).T


def train(X, rng):
    n = len(X)
    gvar = X.var(0)
    mu, var, w = X[rng.choice(n, K, replace=False)].copy(), np.tile(gvar, (K, 1)), np.full(K, 1.0 / K)
    for it in range(EM_ITERS):
        ll = loglik(X, w, mu, var)
        mx = ll.max(1, keepdims=True)
        p = np.exp(ll - mx)
        s = p.sum(1, keepdims=True)
        g = p / s
        N = g.sum(0) + 1e-9
        w, mu = N / n, (g.T @ X) / N[:, None]
        var = np.maximum((g.T @ (X * X)) / N[:, None] - mu * mu, VAR_FLOOR * gvar)
        print(f"EM {it + 1}/{EM_ITERS}: mean log-likelihood {float((np.log(s) + mx).mean()):.4f}", flush=True)
    return w, mu, var


def training_paths():
    """The UBM's clips: every sc_train and sc_unknown clip."""
    return [os.path.join(D.CORPUS, f, e["file"]) for f in ("sc_train", "sc_unknown") for e in D.load_manifest(f)]


def tuning_clips(words=None):
    """Paths of the tuning part (dev-half speakers outside the validation part) as [speaker][word], in manifest
    order; words: only those labels."""
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    for e in D.load_manifest("speech_commands_v0.02_test"):
        if e["speaker"] and not D.is_val_speaker(e["speaker"]) and (words is None or e["label"] in words):
            by[e["speaker"]][e.get("word", e["label"])].append(os.path.join(D.CORPUS, "speech_commands_v0.02_test", e["file"]))
    return by


def tuning_owners(by):
    """The tuning speakers (tuning_clips) with two takes of every code word: one to enrol, one to test."""
    return [s for s in sorted(by) if all(len(by[s][w]) >= 2 for w in VOCAB)]


def tuning_others(by):
    """The tuning speakers with a take of every code word: the impostors of the speaker-check evaluations."""
    return [s for s in sorted(by) if all(len(by[s][w]) >= 1 for w in VOCAB)]


def impostor_code(codes, speaker, j, owner_index):
    """The j-th code impostor `speaker` says against owner number owner_index (a fixed spread over `codes`, so that
    every evaluation script scores the same impostor trials)."""
    return codes[(len(speaker) * 7 + j * 13 + owner_index) % len(codes)]


def mix_at(rng, noise, x, snr):
    """x (int16) with a random cut of a random one of the noise recordings at snr dB (over the whole clip)."""
    n = noise[rng.integers(len(noise))]
    o = rng.integers(0, len(n) - len(x))
    n = n[o:o + len(x)].astype(np.float64)
    ps, pn = (x.astype(np.float64) ** 2).mean() + 1e-9, (n ** 2).mean() + 1e-9
    return np.clip(x + n * np.sqrt(ps / pn / 10 ** (snr / 10)), -32768, 32767).astype(np.int16)


def training_frames():
    paths = training_paths()
    X = np.vstack([with_deltas(speech_cepstra(D.read_pcm(p))) for p in paths])
    print(f"{len(paths)} clips, {len(X)} speech frames", flush=True)
    return X


def f32(a):
    return ", ".join("%.9g" % v for v in np.asarray(a, np.float32).ravel())


def write_ts(w, mu, var):
    mu32, var32 = mu.astype(np.float32), var.astype(np.float32)
    prec = (1.0 / var32.astype(np.float64)).astype(np.float32)
    # per component: log w - 0.5 * sum log(2 pi var); the firmware adds -0.5 * sum (x - mu)^2 / var
    gconst = (np.log(w) - 0.5 * np.log(2 * np.pi * var32.astype(np.float64)).sum(1)).astype(np.float32)
    with open(OUT_TS, "w") as f:
        f.write("// Generated by tools/voice/ubm.py (seed %d): the speaker model's universal background model, a\n"
                "// %d-component diagonal GMM over c1..c12 and their deltas of speech frames (sc_train + sc_unknown).\n"
                "// Do not edit; rerun the tool.\n" % (SEED, K))
        f.write("export const UBM_K: i32 = %d;\nexport const UBM_DIM: i32 = %d;\n" % (K, DIM))
        f.write("/** means [K][DIM] */\nexport const UBM_MEAN: usize = memory.data<f32>([%s]);\n" % f32(mu32))
        f.write("/** 1 / variance [K][DIM] */\nexport const UBM_PREC: usize = memory.data<f32>([%s]);\n" % f32(prec))
        f.write("/** log weight - 0.5 * sum log(2 pi variance) [K] */\nexport const UBM_GCONST: usize = memory.data<f32>([%s]);\n" % f32(gconst))
        u_max, g = sub_table()
        f.write("// Noise subtraction (noise-floor.ts): the floor's share taken off, the share always kept,\n"
                "// and g(u) = ln(max(1 - SUB_ALPHA e^u, SUB_KEEP)) on SUB_TABLE_N points over [SUB_U_MIN, SUB_U_MAX].\n")
        f.write("export const SUB_ALPHA: f32 = %.9g;\nexport const SUB_KEEP: f32 = %.9g;\n" % (SUB_ALPHA, SUB_KEEP))
        f.write("export const SUB_U_MIN: f32 = %.9g;\nexport const SUB_U_MAX: f32 = %.9g;\nexport const SUB_TABLE_N: i32 = %d;\n" % (SUB_U_MIN, u_max, SUB_TABLE_N))
        f.write("export const SUB_TABLE: usize = memory.data<f32>([%s]);\n" % f32(g))
    print("wrote", os.path.relpath(OUT_TS))


# ---- evaluation (method choice on the tuning speakers)

def map_means(ubm, X, relevance=None):
    w, mu, var = ubm
    ll = loglik(X, w, mu, var)
    g = np.exp(ll - ll.max(1, keepdims=True))
    g /= g.sum(1, keepdims=True)
    N, F = g.sum(0), g.T @ X
    a = (N / (N + (RELEVANCE if relevance is None else relevance)))[:, None]
    return a * F / np.maximum(N, 1e-9)[:, None] + (1 - a) * mu


def llr(ubm, mus, X):
    w, mu, var = ubm
    lu, ls = loglik(X, w, mu, var), loglik(X, w, mus, var)
    idx = np.argsort(-lu, 1)[:, :TOP]
    a, b = np.take_along_axis(lu, idx, 1), np.take_along_axis(ls, idx, 1)
    lse = lambda z: z.max(1) + np.log(np.exp(z - z.max(1, keepdims=True)).sum(1))
    return float((lse(b) - lse(a)).mean())


def stats_vec(c):
    return np.concatenate([c.mean(0), c.std(0)])


EVAL_RELEVANCE = (0.5, 1.0, 2.0, 4.0, 8.0)


def evaluate(ubm):
    """Owners enrolled from one take of every code word; targets: 3-word codes of their second takes, in quiet and
    with each word at 10 dB (noise: the first 75 % of the background files); impostors: other speakers' codes in
    quiet. Compares the statistics method with the GMM at each relevance factor in EVAL_RELEVANCE."""
    rng = np.random.default_rng(5)
    noise = [x for _, x in D.load_background()[0]]
    by = tuning_clips()
    owners = tuning_owners(by)
    others = tuning_others(by)
    cache, noisy = {}, {}
    F = lambda p: cache.setdefault(p, speech_cepstra(D.read_pcm(p)))
    Fn = lambda p: noisy.setdefault(p, speech_cepstra(mix_at(rng, noise, D.read_pcm(p), 10)))
    codes = list(itertools.product(VOCAB, repeat=3))
    methods = ["stats"] + [f"gmm r={r:g}" for r in EVAL_RELEVANCE]
    res = {m: ([], [], []) for m in methods}        # targets quiet, targets 10 dB, impostors
    word = ([], [])             # one word against the profile at RELEVANCE (the default threshold's trials)
    for oi, o in enumerate(owners):
        enrol = [F(by[o][w][0]) for w in VOCAB]
        v = np.array([stats_vec(c) for c in enrol])
        mu, sd = v.mean(0), v.std(0) + 1.0
        frames = np.vstack([with_deltas(c) for c in enrol])
        mus = {r: map_means(ubm, frames, r) for r in EVAL_RELEVANCE}

        def score(clips):
            X = np.vstack([with_deltas(c) for c in clips])
            vv = np.mean([stats_vec(c) for c in clips], 0)
            return [-float(np.sqrt((((vv - mu) / sd) ** 2).mean()))] + [llr(ubm, mus[r], X) for r in EVAL_RELEVANCE]
        shipped = map_means(ubm, frames)
        for w in VOCAB:
            word[0].append(llr(ubm, shipped, with_deltas(F(by[o][w][1]))))
            for s in others:
                if s != o:
                    word[1].append(llr(ubm, shipped, with_deltas(F(by[s][w][-1]))))
        for code in codes[::3]:
            for m, s in zip(methods, score([F(by[o][w][1]) for w in code])):
                res[m][0].append(s)
            for m, s in zip(methods, score([Fn(by[o][w][1]) for w in code])):
                res[m][1].append(s)
        for s in others:
            if s == o:
                continue
            for j in range(10):
                code = impostor_code(codes, s, j, oi)
                for m, sc in zip(methods, score([F(by[s][w][-1 if j % 2 else 0]) for w in code])):
                    res[m][2].append(sc)
    print(f"{len(owners)} tuning owners, {len(others)} speakers; false rejects of owners' codes (quiet / 10 dB) at the "
          "threshold giving each false-accept rate on other speakers' codes:")
    for m, (t, tn, i) in res.items():
        t, tn, i = np.array(t), np.array(tn), np.array(i)
        th = lambda f: np.sort(i)[::-1][int(f * len(i))]
        frr = lambda f: f"{(t <= th(f)).mean():.3f} / {(tn <= th(f)).mean():.3f}"
        print(f"{m:10s} targets {len(t)} impostors {len(i)}: at 1 % {frr(0.01)}, at 0.5 % {frr(0.005)}, at 0.1 % {frr(0.001)}")
    t, i = np.array(word[0]), np.array(word[1])
    ths = np.sort(np.concatenate([t, i]))
    e = min(ths, key=lambda x: abs((t < x).mean() - (i >= x).mean()))
    print(f"one word (relevance {RELEVANCE:g}): target {len(t)} impostor {len(i)}: equal error rate "
          f"{((t < e).mean() + (i >= e).mean()) / 2:.3f} at {e:.3f}")


def shipped_ubm():
    """(w, mu, var) read back from assembly/voice/ubm.ts (what the firmware scores with)."""
    src = open(OUT_TS).read()
    arr = lambda name: np.array([float(v) for v in re.search(name + r": usize = memory.data<f32>\(\[([^\]]*)\]", src).group(1).split(",")])
    mu, prec, gconst = arr("UBM_MEAN").reshape(K, DIM), arr("UBM_PREC").reshape(K, DIM), arr("UBM_GCONST")
    var = 1.0 / prec
    return np.exp(gconst + 0.5 * np.log(2 * np.pi * var).sum(1)), mu, var


def ubm_loglik_mean(ubm, X):
    """Mean over frames of log p(x | UBM) (all components; the firmware sums its 5 best, within ~1e-3)."""
    ll = loglik(X, *ubm)
    m = ll.max(1)
    return float((m + np.log(np.exp(ll - m[:, None]).sum(1))).mean())


def floor(ubm):
    rng = np.random.default_rng(3)
    noise = [x for _, x in D.load_background()[0]]

    mix = lambda x, snr: mix_at(rng, noise, x, snr)
    by = tuning_clips(VOCAB)
    code = lambda clips: ubm_loglik_mean(ubm, np.vstack([with_deltas(speech_cepstra(c)) for c in clips]))
    quiet, noisy = [], []
    for s, m in by.items():
        if not all(m[w] for w in VOCAB):
            continue
        for _ in range(20):
            clips = [D.read_pcm(m[w][rng.integers(len(m[w]))]) for w in (VOCAB[i] for i in rng.integers(0, 5, 3))]
            quiet.append(code(clips))
            noisy.append(code([mix(c, 10) for c in clips]))
    f = float(np.percentile(quiet, 1))
    print(f"speech floor {f:.2f}: owners' codes below it: quiet {np.mean(np.array(quiet) < f):.3f} ({len(quiet)}), "
          f"10 dB {np.mean(np.array(noisy) < f):.3f}")
    if not os.path.exists(os.path.join(D.TTS, "manifest.json")):
        print("training-set TTS not generated (gen_tts.py): its share below the floor not measured")
        return
    tv = collections.defaultdict(dict)
    for e in json.load(open(os.path.join(D.TTS, "manifest.json"))):
        if e["set"] == "train" and e["word"] in VOCAB:
            tv[(e["voice"], e["speed"], e["pitch"])][e["word"]] = os.path.join(D.TTS, e["file"])
    tts = [code([D.read_pcm(m[VOCAB[i]]) for i in rng.integers(0, 5, 3)]) for m in tv.values() if len(m) == 5 for _ in range(3)]
    print(f"training-set TTS codes below the floor {np.mean(np.array(tts) < f):.3f} ({len(tts)})")


def golden():
    """tools/voice/golden/speaker_golden.json: the noise-subtracted cepstra of the first KWS golden clip, alone and
    with running_tap.wav / 2 added (int16, clipped), frame by frame, for the firmware's test
    (tests/voice-frontend.test.ts)."""
    g = json.load(open(os.path.join(HERE, "golden", "voice_golden.json")))
    f = g["clips"][0]["file"]
    x = D.fit(D.read_pcm(os.path.join(D.CORPUS, g["corpus_folder"], f)))
    tap = D.read_pcm(os.path.join(D.CORPUS, "sc_background_noise", "_background_noise_", "running_tap.wav"))[:len(x)]
    noisy = np.clip(x.astype(np.int32) + (tap.astype(np.int32) >> 1), -32768, 32767).astype(np.int16)
    out = {"file": f, "noise": "_background_noise_/running_tap.wav", "mix": "clip + (noise >> 1), int16, clipped",
           "sub_alpha": float(SUB_ALPHA), "sub_keep": float(SUB_KEEP), "tolerance": 2e-3, "cases": []}
    for name, pcm in (("quiet", x), ("running_tap", noisy)):
        lm, _ = FE.logmel_and_cep(pcm)
        out["cases"].append({"name": name, "cep": [[round(float(v), 6) for v in r[1:1 + NC]] for r in denoised_cepstra(lm)]})
    out["enrolment"] = enrolment_golden()
    with open(os.path.join(HERE, "golden", "speaker_golden.json"), "w") as fh:
        json.dump(out, fh)
    print("wrote tools/voice/golden/speaker_golden.json")


def enrolment_golden():
    """The shipped UBM's MAP adaptation at RELEVANCE and its scoring, for the firmware's test
    (tests/voice-speaker.test.ts): the first tuning owner's first take of each code word enrolled as one
    profile (every clip adapted, as voiceEnrolFinishAnyWords), its int8 offsets (sd / Q_STEP steps), and the scores
    of their second take of the first code word and of another tuning speaker's take of it."""
    ubm = shipped_ubm()
    by = tuning_clips()
    owners = tuning_owners(by)
    o, other = owners[0], owners[1]
    rel = lambda p: os.path.relpath(p, D.CORPUS)
    enrol = [by[o][w][0] for w in VOCAB]
    mus = map_means(ubm, np.vstack([with_deltas(speech_cepstra(D.read_pcm(p))) for p in enrol]))
    q_step = float(re.search(r"export const Q_STEP: f32 = ([0-9.]+);", open(SPEAKER_TS).read()).group(1))
    q = np.clip(np.round((mus - ubm[1]) / np.sqrt(ubm[2]) * q_step), -127, 127).astype(int)
    tests = [by[o][VOCAB[0]][1], by[other][VOCAB[0]][0]]
    mus_q = ubm[1] + q / q_step * np.sqrt(ubm[2])          # what the profile keeps, and the firmware scores
    scores = [llr(ubm, mus_q, with_deltas(speech_cepstra(D.read_pcm(p)))) for p in tests]
    return {"relevance": RELEVANCE, "enrol": [rel(p) for p in enrol], "offsets": q.ravel().tolist(),
            "verify": [{"file": rel(p), "score": round(sc, 5)} for p, sc in zip(tests, scores)]}


if __name__ == "__main__":
    if "--golden" in sys.argv:
        golden()
        sys.exit(0)
    if "--eval" in sys.argv:
        evaluate(shipped_ubm())
        sys.exit(0)
    rng = np.random.default_rng(SEED)
    ubm = train(training_frames(), rng)
    if "--floor" in sys.argv:
        floor(ubm)
    else:
        write_ts(*ubm)
