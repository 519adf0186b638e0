#!/usr/bin/env python3
"""Text-dependent speaker verification: choose the method by measurement (Python prototype).

Trials: Speech Commands dev-half speakers who said one word >= 4 times (enrol 3, test the rest; impostors =
other speakers saying the same word) and FSDD speakers (enrol 3 takes of a digit, test 10 other takes).
Tuning speakers: the KWS-training part; evaluation speakers: the speaker-disjoint validation part, FSDD.
"""
import collections, json, os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
import features as FE

HERE = os.path.dirname(os.path.abspath(__file__))
SD_FLOOR = 1.0


FLOOR_DOWN, FLOOR_UP = 0.3, 0.005     # vad.ts: the floor's step towards a frame's value, down / up


def vad_mask(lm, hang_frames=8):
    """Mirror of assembly/voice/vad.ts; hang_frames=0 gives its raw decision (vadLastRaw: no hangover)."""
    e = lm.mean(1)
    floor, started, hang, out = 0.0, False, 0, []
    for v in e:
        if not started:
            floor, started = v, True
        elif v < floor:
            floor += FLOOR_DOWN * (v - floor)
        else:
            floor += FLOOR_UP * (v - floor)
        raw = v > floor + 1.5 and v > -11.0
        hang = hang_frames if raw else max(0, hang - 1)
        out.append(raw or hang > 0)
    return np.array(out)


def utt_feats(pcm):
    pcm = np.concatenate([pcm, np.zeros((-len(pcm)) % 320, np.int16)])
    lm, cep = FE.logmel_and_cep(pcm)
    m = vad_mask(lm)
    if m.sum() < 5:
        m[:] = True
    return lm[m], cep[m]


def stats_vec(cep):
    c = cep[:, 1:13]
    return np.concatenate([c.mean(0), c.std(0)])


def dtw(a, b):
    n, m = len(a), len(b)
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    D_ = np.full((n + 1, m + 1), np.inf)
    D_[0, 0] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            D_[i, j] = d[i - 1, j - 1] + min(D_[i - 1, j], D_[i, j - 1], D_[i - 1, j - 1])
    return D_[n, m] / (n + m)


def eer(tgt, imp):
    tgt, imp = np.asarray(tgt), np.asarray(imp)
    ths = np.unique(np.concatenate([tgt, imp]))
    best = (1.0, 0)
    for t in ths:
        frr = (tgt < t).mean()
        far = (imp >= t).mean()
        if abs(frr - far) < best[0]:
            best = (abs(frr - far), (frr + far) / 2, t)
    return best[1], best[2]


def build_trials():
    man = D.load_manifest("speech_commands_v0.02_test")
    groups = collections.defaultdict(list)
    for e in man:
        if e["speaker"] and e["label"] not in ("_silence_",):
            groups[(e["speaker"], e.get("word", e["label"]))].append(e)
    sets = {"tune": [], "eval": []}
    for (spk, w), es in sorted(groups.items()):
        if len(es) >= 4:
            sets["eval" if D.is_val_speaker(spk) else "tune"].append((spk, w, [os.path.join(D.CORPUS, "speech_commands_v0.02_test", e["file"]) for e in sorted(es, key=lambda e: e["file"])]))
    fsdd = D.load_manifest("fsdd")
    fg = collections.defaultdict(list)
    for e in fsdd:
        fg[(e["speaker"], e["label"])].append(e)
    sets["fsdd_tune"], sets["fsdd_eval"] = [], []
    for (spk, w), es in sorted(fg.items()):
        es = sorted(es, key=lambda e: e["take"])[:13]
        sets["fsdd_eval"].append((spk, w, [os.path.join(D.CORPUS, "fsdd", e["file"]) for e in es]))
    return sets


def run(groups, method, cache):
    """groups: [(spk, word, files)]; enrol first 3, test rest; impostors: same word, other speakers' test files."""
    def F(p):
        if p not in cache:
            cache[p] = utt_feats(D.read_pcm(p))
        return cache[p]
    byword = collections.defaultdict(list)
    for g in groups:
        byword[g[1]].append(g)
    tgt, imp = [], []
    for w, gs in byword.items():
        for spk, _, files in gs:
            enrol = [F(p) for p in files[:3]]
            prof = make_profile(enrol, method)
            for p in files[3:]:
                tgt.append(score(prof, F(p), method))
            for spk2, _, files2 in gs:
                if spk2 != spk:
                    for p in files2[3:6]:
                        imp.append(score(prof, F(p), method))
    return tgt, imp


def make_profile(enrol, method):
    if method == "stats":
        v = np.array([stats_vec(c) for _, c in enrol])
        return dict(mu=v.mean(0), sd=v.std(0) + SD_FLOOR)
    return [c[:, 1:13] - c[:, 1:13].mean(0) for _, c in enrol]


def score(prof, utt, method):
    _, c = utt
    if method == "stats":
        v = stats_vec(c)
        return -float(np.sqrt((((v - prof["mu"]) / prof["sd"]) ** 2).mean()))
    x = c[:, 1:13] - c[:, 1:13].mean(0)
    return -min(dtw(t, x) for t in prof)


if __name__ == "__main__":
    sets = build_trials()
    for k, v in sets.items():
        print(k, len(v), "groups")
    cache = {}
    for method in sys.argv[1:] or ["stats", "dtw"]:
        for k in (os.environ.get("SETS", "tune").split(",")):
            t, i = run(sets[k], method, cache)
            e, th = eer(t, i)
            print(method, k, "EER %.3f thr %.3f (tgt %d imp %d)" % (e, th, len(t), len(i)), flush=True)
