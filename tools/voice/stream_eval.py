#!/usr/bin/env python3
"""Chooses the spotter's recipe and the code words on the selection speakers (data.is_selection_speaker: a tenth
of the speakers the spotter could train on, held out of training), never on the validation speakers.

Every selection clip of a keyword is heard as a spoken code hears it: between two other keywords of the selection
speakers (the same speaker's where there are any), 100-300 ms apart, in quiet and with held-out background noise
at 10 dB. The int8 network (qnet.py, bit-exact with the firmware) runs on the whole 1 s window every 40 ms as the
desktop firmware does (--stream: as mcu-s3 runs it, each row once with its real neighbours, kws-stream.ts), its
posteriors smoothed over 3 inferences. Per word it reports:
  - heard: some inference with the word inside the window where the matcher would take it (consent.ts: smoothed
    posterior >= WORD_MIN and WORD_MARGIN above every class but _silence_);
  - refusal: "no" or "stop" crossing REFUSE_THRESHOLD while the word is mid-window (a code word that cancels
    the owner's own payment); for "no" and "stop" themselves this is their recall;
and ranks the 5-word vocabularies by the estimated share of 3-word codes heard whole without a refusal.

  tools/voice/.venv/bin/python tools/voice/stream_eval.py [--model assembly/voice/model.ts | --quant out/X/quant.npz]
"""
import argparse, itertools, json, os, re, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
import features as FE
import qnet

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
KEYWORDS = ["yes", "up", "down", "left", "right", "on", "off", "go"]     # candidates for code words
REFUSALS = ["no", "stop"]


def firmware_const(name):
    """A tuning constant of the firmware's matcher, read from assembly/voice/consent.ts (not copied)."""
    s = open(os.path.join(ROOT, "assembly", "voice", "consent.ts")).read()
    return float(re.search(r"export const %s: \w+ = ([0-9.]+);" % name, s).group(1))


def load_model_ts(path):
    """The network as the firmware holds it (the generated model.ts), in qnet's form."""
    s = open(path).read()

    def arr(name, dt):
        m = re.search(r"export const %s: StaticArray<\w+> = \[(.*?)\];" % name, s)
        return np.array([float(v) for v in m.group(1).split(",")]).astype(dt)
    ch = int(re.search(r"export const CH: i32 = (\d+);", s).group(1))
    nb = int(re.search(r"export const NBLOCKS: i32 = (\d+);", s).group(1))

    def layer(name, shape):
        return dict(w=arr(name + "_W", np.int8).reshape(shape), b=arr(name + "_B", np.int32),
                    mult=arr(name + "_MULT", np.int64), shift=arr(name + "_SHIFT", np.int64))
    Q = {"conv1": dict(kt=10, kf=4, pt=4, pf=1, cout=ch, fout=5, **layer("C1", (ch, 10, 4))), "blocks": []}
    for i in range(nb):
        Q["blocks"].append(dict(dw=layer("DW%d" % i, (ch, 3, 3)), pw=layer("PW%d" % i, (ch, ch))))
    Q["fc"] = dict(w=arr("FC_W", np.int8).reshape(12, ch), b=arr("FC_B", np.int32), deq=arr("FC_DEQ", np.float32))
    inv = float(re.search(r"IN_INV_SCALE: f32 = ([0-9.e+-]+);", s).group(1))
    return Q, dict(mu=arr("IN_MU", np.float32), inv_sd=arr("IN_INV_SD", np.float32), s_in=1.0 / inv)


def posteriors(Q, norm, pcm, stream=False):
    """Smoothed posteriors every 40 ms over a stream, and the first stream frame of each one's 50-frame window.
    stream: the streaming boards' form (kws-stream.ts), every row computed once with its real neighbours and
    the last 25 rows of the last block pooled; else the whole window every 40 ms with zero padding (kwsRun)."""
    pcm = pcm[: len(pcm) // FE.HOP * FE.HOP]
    cep = FE.mfcc(pcm, 10)
    q = qnet.quantize_input(cep, norm["mu"], norm["inv_sd"], norm["s_in"])
    q = np.concatenate([np.zeros((50, 10), np.int8), q])        # the firmware's window starts empty
    ends = np.arange(52, len(q) + 1, 2)                          # in q's frames: stream frame + 50
    if stream:
        # last-block row r (no padding in time) reads frames 2r .. 2r+25 of qq, its own pair being 2r+12, 2r+13; the
        # 25 rows ending at row r pool the 50 frames ending at e = 2r+14 (the window q[e-50:e]), the last 12 frames
        # read after it being the network's look-ahead (zeros past the stream's end, as the firmware's trailing silence)
        qq = np.concatenate([q, np.zeros((12, 10), np.int8)])
        rows = qnet.rows_int(qq[None], Q, stream=True)[0]
        idx = (ends - 14) // 2                                   # the last row of each window
        ok = (idx - 24 >= 0) & (idx < len(rows))
        ends = ends[ok]; idx = idx[ok]
        cs = np.concatenate([np.zeros((1,) + rows.shape[1:], np.int64), np.cumsum(rows.astype(np.int64), 0)])
        s = (cs[idx + 1] - cs[idx - 24]).sum(1)                  # [n, C]: sums over 25 rows x their positions
        n = 25 * rows.shape[1]
        pooled = ((s + n // 2) // n).astype(np.int8)
        p = qnet.softmax_scores(qnet.dense(pooled, Q["fc"]), Q)
    else:
        wins = np.stack([q[e - 50:e] for e in ends])
        p = qnet.softmax_scores(np.concatenate([qnet.forward_int(wins[i:i + 256], Q) for i in range(0, len(wins), 256)]), Q)
    sp = np.stack([p[max(0, i - 2):i + 1].mean(0) for i in range(len(p))])
    return ends - 100, sp                                         # first stream frame of each window


def compose(words, rng):
    """Trimmed words 100-300 ms apart after 300 ms of silence, 1.2 s after; returns pcm and each word's span."""
    parts = [D.trim_speech(w) for w in words]
    out, spans, at = [np.zeros(4800, np.int16)], [], 4800
    for i, p in enumerate(parts):
        spans.append((at, at + len(p)))
        out.append(p); at += len(p)
        if i < len(parts) - 1:
            g = int(rng.integers(1600, 4801)); out.append(np.zeros(g, np.int16)); at += g
    out.append(np.zeros(19200, np.int16))
    return np.concatenate(out), spans


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "assembly", "voice", "model.ts"), help="a generated model.ts")
    ap.add_argument("--quant", help="a quant.npz from train.py (instead of --model)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--stream", action="store_true", help="the streaming boards' form of the network (mcu-s3); "
                    "implied by a quant.npz of a network trained in that form (train.py --stream)")
    a = ap.parse_args()
    if a.quant:
        from train import load_quant
        Q, norm = load_quant(a.quant)
    else:
        Q, norm = load_model_ts(a.model)
    a.stream = a.stream or Q.get("stream_context", 0) > 0
    word_min, margin, refuse = firmware_const("WORD_MIN"), firmware_const("WORD_MARGIN"), firmware_const("REFUSE_THRESHOLD")
    rng = np.random.default_rng(a.seed)
    sel = [it for it in D.load_real() if it["split"] == "sel" and it["label"] in KEYWORDS + REFUSALS]
    _, noise_ev = D.load_background()
    by_spk = {}
    for it in sel:
        if it["label"] in KEYWORDS:
            by_spk.setdefault(it["speaker"], []).append(it)
    fillers = [it for it in sel if it["label"] in KEYWORDS]
    CI = D.CIDX
    res = {}
    for cond in ("quiet", "10dB"):
        heard, refused, n, rmax = {}, {}, {}, {}
        for it in sel:
            w = it["label"]
            own = [o for o in by_spk.get(it["speaker"], []) if o is not it]
            others = [own[int(rng.integers(0, len(own)))] if own and rng.random() < 0.7
                      else fillers[int(rng.integers(0, len(fillers)))] for _ in range(2)]
            k = int(rng.integers(0, 3))
            seq = [o["pcm"] for o in others[:k]] + [it["pcm"]] + [o["pcm"] for o in others[k:]]
            pcm, spans = compose(seq, rng)
            if cond == "10dB":
                _, nz = noise_ev[int(rng.integers(0, len(noise_ev)))]
                s = int(rng.integers(0, len(nz) - len(pcm)))
                seg = nz[s:s + len(pcm)].astype(np.float64)
                sp_ = pcm[pcm != 0].astype(np.float64)
                g = np.sqrt(np.mean(sp_ ** 2) / (np.mean(seg ** 2) * 10 ** (10 / 10) + 1e-9))
                pcm = np.clip(np.round(pcm + g * seg), -32768, 32767).astype(np.int16)
            start, sp = posteriors(Q, norm, pcm, a.stream)
            lo, hi = spans[k][0] / FE.HOP, spans[k][1] / FE.HOP
            inside = (start <= (lo + hi) / 2) & (start + 50 >= (lo + hi) / 2)     # the word's middle in the window
            mid = (start + 12 <= (lo + hi) / 2) & (start + 38 >= (lo + hi) / 2)   # ... in its middle half
            c = CI[w]
            p = sp[inside]
            rival = np.delete(p, [0, c], axis=1).max(1)
            heard[w] = heard.get(w, 0) + int(((p[:, c] >= word_min) & (rival <= p[:, c] - margin)).any())
            # a refusal word cancels from anywhere in the window; a code word is blamed only when mid-window
            r = float(sp[inside if w in REFUSALS else mid][:, [CI["no"], CI["stop"]]].max())
            refused[w] = refused.get(w, 0) + int(r >= refuse)
            rmax.setdefault(w, []).append(r)
            n[w] = n.get(w, 0) + 1
        res[cond] = {w: dict(clips=n[w], heard=round(heard[w] / n[w], 3), refusal=round(refused[w] / n[w], 3))
                     for w in KEYWORDS + REFUSALS if w in n}
        print("%-5s " % cond + "  ".join("%s %d: heard %.3f refusal %.3f" % (w, v["clips"], v["heard"], v["refusal"])
                                         for w, v in res[cond].items()), flush=True)
        code = [w for w in D.code_words() if w in res[cond]]
        est = float(np.mean([res[cond][w]["heard"] * (1 - res[cond][w]["refusal"]) for w in code])) ** 3
        print("      the firmware's code words (%s): codes heard whole without a refusal %.3f" % (" ".join(code), est))
        for t in (0.3, 0.4, 0.5, 0.6):      # the refusal threshold's trade-off
            rec = np.mean([v >= t for w in REFUSALS for v in rmax.get(w, [])])
            false = np.mean([v >= t for w in code for v in rmax[w]])
            print("      refusal threshold %.1f: no/stop cancel %.3f, code words cancel %.3f" % (t, rec, false))
    ranks = []
    for voc in itertools.combinations([w for w in KEYWORDS if w in res["quiet"]], 5):
        est = {cond: float(np.mean([res[cond][w]["heard"] * (1 - res[cond][w]["refusal"]) for w in voc])) ** 3
               for cond in res}
        ranks.append((est["quiet"] + est["10dB"], voc, est))
    ranks.sort(reverse=True)
    print("5-word vocabularies, estimated codes heard whole without a refusal (quiet, 10 dB):")
    for _, voc, est in ranks[:8]:
        print("  %-32s %.3f %.3f" % (" ".join(voc), est["quiet"], est["10dB"]))
    out = dict(model=a.quant or os.path.relpath(a.model, ROOT), stream=a.stream, seed=a.seed, words=res,
               vocabularies=[dict(words=list(v), quiet=round(e["quiet"], 3), at_10dB=round(e["10dB"], 3)) for _, v, e in ranks[:8]])
    if a.json:
        json.dump(out, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
