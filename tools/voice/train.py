#!/usr/bin/env python3
"""Train the keyword spotter (DS-CNN, 12 classes), quantise it to int8 and export assembly/voice/model.ts.

One command:  tools/voice/.venv/bin/python tools/voice/train.py   (seeded; 2 threads; see README.md)
Outputs: assembly/voice/model.ts (generated source), tools/voice/out/{model.pt,quant.npz,train_log.json}.
"""
import argparse, json, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as Fnn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
import features as FE
import qnet

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
NF = 10
CH = 64
NBLOCKS = 4


# --stream (an experiment, with --tag): the network trained in the form the streaming boards run it (kws-stream.ts),
# where every row has real neighbours: 74 input frames (the 1 s window with 12 frames of context each side, its
# receptive field's overhang), no padding in time, the last block's 25 rows pooled. The window form (kwsRun, what
# ships) pads the edges of 50 frames with zeros. The firmware reads clips and templates in the window form, so such
# a model is measured with stream_eval.py (it reads the form from quant.npz), not exported into the firmware.
STREAM_CONTEXT_FRAMES = 12


class DSCNN(nn.Module):
    def __init__(self, ch=CH, nblocks=NBLOCKS, ncls=12, stream=False):
        super().__init__()
        pt = 0 if stream else 1
        self.conv1 = nn.Conv2d(1, ch, (10, 4), stride=2, padding=(0 if stream else 4, 1), bias=False)
        self.bn1 = nn.BatchNorm2d(ch)
        self.dw = nn.ModuleList([nn.Conv2d(ch, ch, 3, padding=(pt, 1), groups=ch, bias=False) for _ in range(nblocks)])
        self.dwbn = nn.ModuleList([nn.BatchNorm2d(ch) for _ in range(nblocks)])
        self.pw = nn.ModuleList([nn.Conv2d(ch, ch, 1, bias=False) for _ in range(nblocks)])
        self.pwbn = nn.ModuleList([nn.BatchNorm2d(ch) for _ in range(nblocks)])
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(ch, ncls)

    def forward(self, x, taps=None):                     # x [B, 50, 10]
        h = Fnn.relu(self.bn1(self.conv1(x[:, None])))
        if taps is not None: taps.append(h)
        for dw, dbn, pw, pbn in zip(self.dw, self.dwbn, self.pw, self.pwbn):
            h = Fnn.relu(dbn(dw(h)))
            if taps is not None: taps.append(h)
            h = Fnn.relu(pbn(pw(h)))
            if taps is not None: taps.append(h)
        h = h.mean((2, 3))
        return self.fc(self.drop(h))


def build_sets(seed, copies, context, context_refusals, hold_out_selection):
    rng = np.random.default_rng(seed)
    t0 = time.time()
    real = D.load_real()
    if not hold_out_selection:               # the shipped model trains on the selection speakers too
        for it in real:
            if it["split"] == "sel":
                it["split"] = "train"
    tts = D.load_tts("train")
    noise_tr, _ = D.load_background()
    print("loaded real %d tts %d in %.0fs" % (len(real), len(tts), time.time() - t0), flush=True)
    Xtr, ytr, Xva, yva, va_meta = [], [], [], [], []
    # neighbours for words heard in a stream (a spoken code): the same speaker's other words where there are
    # any (70 %), else anyone's; every training-part word, keyword or not, English or not
    pool = [it for it in real if it["split"] == "train" and it["label"] != "_silence_"]
    by_spk = {}
    for i, it in enumerate(pool):
        by_spk.setdefault(it["speaker"], []).append(i)

    def neighbour(it):
        own = [j for j in by_spk.get(it["speaker"], []) if pool[j] is not it]
        return pool[own[int(rng.integers(0, len(own)))] if own and rng.random() < 0.7
                    else int(rng.integers(0, len(pool)))]["pcm"]
    for it in real:
        lab = D.CIDX[it["label"]]
        if it["split"] == "sel":             # held out for choosing the recipe and the code words
            continue
        if it["split"] == "val":
            Xva.append(D.fit(it["pcm"])); yva.append(lab); va_meta.append(it["file"])
            continue
        k = copies * (3 if it["label"] in ("on", "off") else 1)
        if it["label"] == "_silence_":
            Xtr.append(D.fit(it["pcm"])); ytr.append(lab)
            continue
        Xtr.append(D.fit(it["pcm"])); ytr.append(lab)
        for _ in range(k):
            Xtr.append(D.augment(it["pcm"], rng, noise_tr)); ytr.append(lab)
        for _ in range(context_refusals if it["label"] in ("no", "stop") else context):
            side = rng.random()                  # left only, right only, or both (a code's middle word)
            left = neighbour(it) if side < 0.65 else None
            right = neighbour(it) if side >= 0.35 else None
            Xtr.append(D.context_clip(it["pcm"], left, right, rng, noise_tr)); ytr.append(lab)
    for it in tts:
        lab = D.CIDX[it["label"]]
        for _ in range(max(1, copies // 2)):
            Xtr.append(D.augment(it["pcm"], rng, noise_tr, short=True)); ytr.append(lab)
    nsil = int(np.bincount(ytr, minlength=12)[2:].mean())
    for _ in range(nsil):
        Xtr.append(D.silence_clip(rng, noise_tr)); ytr.append(D.CIDX["_silence_"])
    Xtr = np.stack(Xtr); Xva = np.stack(Xva)
    ytr = np.array(ytr); yva = np.array(yva)
    print("train %d val %d; class counts train %s val %s" % (len(ytr), len(yva), np.bincount(ytr, minlength=12).tolist(),
                                                               np.bincount(yva, minlength=12).tolist()), flush=True)
    ftr = np.concatenate([FE.mfcc(Xtr[i:i + 2000], NF) for i in range(0, len(Xtr), 2000)])
    fva = FE.mfcc(Xva, NF)
    print("features in %.0fs" % (time.time() - t0), flush=True)
    return ftr, ytr, fva, yva, va_meta


def fold(conv_w, bn):
    g = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    w = conv_w.detach() * g.view(-1, *([1] * (conv_w.dim() - 1)))
    b = bn.bias.detach() - bn.running_mean * g
    return w.numpy().astype(np.float64), b.numpy().astype(np.float64)


def quantize(model, calib_q, s_in):
    """Post-training int8 quantisation: per-channel weights, per-tensor activations (99.99th pct)."""
    model.eval()
    taps = []
    with torch.no_grad():
        model(torch.tensor(calib_q.astype(np.float32) * s_in), taps)
    act_scales = [max(float(np.percentile(t.numpy(), 99.99)), 1e-3) / 127.0 for t in taps]

    def layer(w, b, s_x, s_y, extra):
        C = w.shape[0]
        wf = w.reshape(C, -1)
        sw = np.maximum(np.abs(wf).max(1), 1e-8) / 127.0
        qw = np.clip(np.round(wf / sw[:, None]), -127, 127).astype(np.int8).reshape(w.shape)
        qb = np.round(b / (s_x * sw)).astype(np.int32)
        L = dict(w=qw, b=qb, sw=sw, s_x=s_x, **extra)
        if s_y is not None:
            mm = [qnet.quant_mult(s_x * sw[c] / s_y) for c in range(C)]
            L["mult"] = np.array([m for m, _ in mm], np.int64)
            L["shift"] = np.array([s for _, s in mm], np.int64)
            L["s_y"] = s_y
        return L

    Q = {}
    w, b = fold(model.conv1.weight, model.bn1)                       # [C,1,10,4]
    Q["conv1"] = layer(w[:, 0], b, s_in, act_scales[0], dict(kt=10, kf=4, pt=4, pf=1, cout=CH, fout=5))
    s_prev = act_scales[0]
    Q["blocks"] = []
    for i in range(NBLOCKS):
        w, b = fold(model.dw[i].weight, model.dwbn[i])                # [C,1,3,3]
        dw = layer(w[:, 0], b, s_prev, act_scales[1 + 2 * i], {})
        w, b = fold(model.pw[i].weight, model.pwbn[i])                # [C,C,1,1]
        pw = layer(w[:, :, 0, 0], b, act_scales[1 + 2 * i], act_scales[2 + 2 * i], {})
        s_prev = act_scales[2 + 2 * i]
        Q["blocks"].append(dict(dw=dw, pw=pw))
    fc = layer(model.fc.weight.detach().numpy().astype(np.float64), model.fc.bias.detach().numpy().astype(np.float64),
               s_prev, None, {})
    fc["deq"] = (s_prev * fc["sw"]).astype(np.float32)
    Q["fc"] = fc
    return Q


def qbatch(Q, q, bs=512, stream=False):
    return np.concatenate([qnet.forward_int(q[i:i + bs], Q, stream) for i in range(0, len(q), bs)])


def emit_ts(Q, norm, path, meta):
    def arr(a, fmt="%d"):
        return ", ".join(fmt % v for v in np.asarray(a).ravel().tolist())

    L = ["// GENERATED by tools/voice/train.py. Do not edit: retrain or re-export instead.",
         "// DS-CNN keyword spotter, int8 weights (per output channel), int32 biases, fixed-point requantisation.",
         "// %s" % json.dumps(meta),
         "export const CLASSES: StaticArray<string> = [%s];" % ", ".join('"%s"' % c for c in D.CLASSES),
         "export const NCLASS: i32 = 12;",
         "export const T_IN: i32 = 50;",
         "export const F_IN: i32 = %d;" % NF,
         "export const CH: i32 = %d;" % CH,
         "export const NBLOCKS: i32 = %d;" % NBLOCKS,
         "export const IN_MU: StaticArray<f32> = [%s];" % arr(norm["mu"], "%.9g"),
         "export const IN_INV_SD: StaticArray<f32> = [%s];" % arr(norm["inv_sd"], "%.9g"),
         "export const IN_INV_SCALE: f32 = %.9g;" % float(np.float32(1.0 / norm["s_in"])),
         ]

    def lay(name, Lq, has_req=True):
        L.append("export const %s_W: StaticArray<i8> = [%s];" % (name, arr(Lq["w"])))
        L.append("export const %s_B: StaticArray<i32> = [%s];" % (name, arr(Lq["b"])))
        if has_req:
            L.append("export const %s_MULT: StaticArray<i32> = [%s];" % (name, arr(Lq["mult"])))
            L.append("export const %s_SHIFT: StaticArray<i32> = [%s];" % (name, arr(Lq["shift"])))

    lay("C1", Q["conv1"])             # w [C][10][4]
    for i, blk in enumerate(Q["blocks"]):
        lay("DW%d" % i, blk["dw"])     # w [C][3][3]
        lay("PW%d" % i, blk["pw"])     # w [Cout][Cin]
    lay("FC", Q["fc"], False)         # w [12][C]
    L.append("export const FC_DEQ: StaticArray<f32> = [%s];" % arr(Q["fc"]["deq"], "%.9g"))
    L.append("// the block arrays, indexable by block number")
    for kind in ("DW", "PW"):
        for part in ("W", "B", "MULT", "SHIFT"):
            typ = "i8" if part == "W" else "i32"
            L.append("export const %s_%s: StaticArray<StaticArray<%s>> = [%s];" % (
                kind, part, typ, ", ".join("%s%d_%s" % (kind, i, part) for i in range(NBLOCKS))))
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def save_quant(Q, norm, path):
    flat = {"mu": norm["mu"], "inv_sd": norm["inv_sd"], "s_in": np.array(norm["s_in"]),
            "stream_context": np.array(Q.get("stream_context", 0))}
    for k in ("w", "b", "mult", "shift"):
        flat["conv1_" + k] = Q["conv1"][k]
        for i, blk in enumerate(Q["blocks"]):
            flat["dw%d_%s" % (i, k)] = blk["dw"][k]
            flat["pw%d_%s" % (i, k)] = blk["pw"][k]
    flat["fc_w"], flat["fc_b"], flat["fc_deq"] = Q["fc"]["w"], Q["fc"]["b"], Q["fc"]["deq"]
    np.savez(path, **flat)


def load_quant(path):
    z = np.load(path)
    Q = {"conv1": dict(kt=10, kf=4, pt=4, pf=1, cout=CH, fout=5), "blocks": [], "fc": {}}
    for k in ("w", "b", "mult", "shift"):
        Q["conv1"][k] = z["conv1_" + k]
    for i in range(NBLOCKS):
        Q["blocks"].append({"dw": {k: z["dw%d_%s" % (i, k)] for k in ("w", "b", "mult", "shift")},
                            "pw": {k: z["pw%d_%s" % (i, k)] for k in ("w", "b", "mult", "shift")}})
    Q["fc"] = {"w": z["fc_w"], "b": z["fc_b"], "deq": z["fc_deq"]}
    Q["stream_context"] = int(z["stream_context"]) if "stream_context" in z else 0
    norm = {"mu": z["mu"], "inv_sd": z["inv_sd"], "s_in": float(z["s_in"])}
    return Q, norm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--epochs", type=int, default=24)
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--context", type=int, default=0, help="copies of each real word heard between other words")
    ap.add_argument("--context-refusals", type=int, default=None, help="... of each real no/stop (default --context)")
    ap.add_argument("--hold-out-selection", action="store_true",
                    help="leave the selection speakers out (to compare recipes with stream_eval.py; use with --tag)")
    ap.add_argument("--stream", action="store_true",
                    help="experiment (needs --tag): train the streaming form (real neighbours in time, %d frames of context each side)" % STREAM_CONTEXT_FRAMES)
    ap.add_argument("--reverb", type=float, default=0.0, help="share of augmented copies put in a synthetic room (data.reverb)")
    ap.add_argument("--pitch", type=float, default=0.0, help="share of augmented copies shifted up to 3 semitones (data.pitch_shift)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--minutes", type=float, default=45, help="stop training early after this many minutes")
    ap.add_argument("--export-only", action="store_true", help="re-quantise and export out/model.pt")
    ap.add_argument("--tag", default="", help="write everything under out/<tag>/ instead of the repo (experiments)")
    a = ap.parse_args()
    torch.manual_seed(a.seed); np.random.seed(a.seed)
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)       # tiny activations late in training are very slow on CPU otherwise
    global OUT
    os.makedirs(OUT, exist_ok=True)
    t0 = time.time()
    base_out = OUT
    model_ts = os.path.join(ROOT, "assembly", "voice", "model.ts")
    if a.tag:
        OUT = os.path.join(OUT, a.tag)
        os.makedirs(OUT, exist_ok=True)
        model_ts = os.path.join(OUT, "model.ts.gen")     # not .ts: tsconfig type-checks tools/**/*.ts
    D.REVERB_P, D.PITCH_P = a.reverb, a.pitch
    if a.context_refusals is None:
        a.context_refusals = a.context
    if a.stream:
        if not a.tag:
            ap.error("--stream is an experiment: give --tag (the firmware reads clips and templates in the window form)")
        D.PAD = STREAM_CONTEXT_FRAMES * FE.HOP
    cache = os.path.join(base_out, "feats_s%d_c%d_x%d_r%d%s.npz" % (a.seed, a.copies, a.context, a.context_refusals,
                                                                     ("_sel" if a.hold_out_selection else "") + ("_dn" if os.environ.get("KWS_DENOISE") == "1" else "")
                                                                     + ("_st" if a.stream else "")
                                                                     + ("_rv%g" % a.reverb if a.reverb else "")
                                                                     + ("_pt%g" % a.pitch if a.pitch else "")))
    if os.path.exists(cache):
        z = np.load(cache, allow_pickle=True)
        ftr, ytr, fva, yva, va_meta = z["ftr"], z["ytr"], z["fva"], z["yva"], list(z["va_meta"])
    else:
        ftr, ytr, fva, yva, va_meta = build_sets(a.seed, a.copies, a.context, a.context_refusals, a.hold_out_selection)
        np.savez(cache, ftr=ftr, ytr=ytr, fva=fva, yva=yva, va_meta=np.array(va_meta))
    mu = ftr.reshape(-1, NF).mean(0).astype(np.float32)
    sd = ftr.reshape(-1, NF).std(0).astype(np.float32)
    inv_sd = (1.0 / sd).astype(np.float32)
    s_in = 4.0 / 127.0                                     # z-scores clipped at +-4 sd
    norm = dict(mu=mu, inv_sd=inv_sd, s_in=s_in)
    qtr = qnet.quantize_input(ftr, mu, inv_sd, s_in)
    qva = qnet.quantize_input(fva, mu, inv_sd, s_in)
    Xtr = torch.tensor(qtr.astype(np.float32) * s_in)
    Xva = torch.tensor(qva.astype(np.float32) * s_in)
    Ytr = torch.tensor(ytr); Yva = torch.tensor(yva)
    counts = np.bincount(ytr, minlength=12).astype(np.float64)
    cw = torch.tensor((counts.sum() / (12 * counts)) ** 0.5, dtype=torch.float32)
    model = DSCNN(stream=a.stream)
    tpad = STREAM_CONTEXT_FRAMES if a.stream else 0
    nparam = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    bs = 128
    steps = a.epochs * ((len(Ytr) + bs - 1) // bs)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=steps, pct_start=0.15)
    g = torch.Generator().manual_seed(a.seed)
    log = []
    best = (-1, None)
    print("params %d, train %d, epochs %d" % (nparam, len(Ytr), a.epochs), flush=True)
    if a.export_only:
        model.load_state_dict(torch.load(os.path.join(OUT, "model.pt")))
        log = json.load(open(os.path.join(OUT, "train_log.json")))["log"] if os.path.exists(os.path.join(OUT, "train_log.json")) else [dict(val_acc=0)]
    for ep in range(0 if a.export_only else a.epochs):
        model.train()
        perm = torch.randperm(len(Ytr), generator=g)
        tl, n = 0.0, 0
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            x = Xtr[idx]
            # SpecAugment-lite: random time mask
            if True:
                t0m = tpad + torch.randint(0, 45, (1,), generator=g).item()
                x = x.clone(); x[:, t0m:t0m + int(torch.randint(0, 6, (1,), generator=g))] = 0
            loss = Fnn.cross_entropy(model(x), Ytr[idx], weight=cw, label_smoothing=0.05)
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
            tl += loss.item() * len(idx); n += len(idx)
            if (i // bs) % 50 == 0:
                print("  batch %d/%d loss %.3f %.0fs" % (i // bs, len(perm) // bs, loss.item(), time.time() - t0), flush=True)
        model.eval()
        with torch.no_grad():
            acc = (model(Xva).argmax(1) == Yva).float().mean().item()
        el = time.time() - t0
        log.append(dict(epoch=ep, loss=tl / n, val_acc=acc, t=el))
        print("epoch %d loss %.4f val %.4f  %.0fs" % (ep, tl / n, acc, el), flush=True)
        if acc >= best[0]:
            best = (acc, {k: v.clone() for k, v in model.state_dict().items()})
        torch.save(model.state_dict(), os.path.join(OUT, "model_last.pt"))
        if el > a.minutes * 60:
            print("time budget reached", flush=True)
            break
    # the last epochs of a one-cycle schedule are best on average; keep the last unless clearly worse
    last_acc = log[-1]["val_acc"]
    if not a.export_only and best[0] - last_acc > 0.01:
        model.load_state_dict(best[1])
    torch.save(model.state_dict(), os.path.join(OUT, "model.pt"))
    model.eval()
    with torch.no_grad():
        float_acc = (model(Xva).argmax(1) == Yva).float().mean().item()
    rng = np.random.default_rng(a.seed)
    calib = qtr[rng.choice(len(qtr), 2000, replace=False)]
    Q = quantize(model, calib, s_in)
    Q["stream_context"] = STREAM_CONTEXT_FRAMES if a.stream else 0
    acc_int = qbatch(Q, qva, stream=a.stream)
    int_acc = float((acc_int.argmax(1) == yva).mean())
    nweights = Q["conv1"]["w"].size + sum(b["dw"]["w"].size + b["pw"]["w"].size for b in Q["blocks"]) + Q["fc"]["w"].size
    nbias = Q["conv1"]["b"].size + sum(b["dw"]["b"].size + b["pw"]["b"].size for b in Q["blocks"]) + Q["fc"]["b"].size
    macs = 25 * 5 * CH * 40 + NBLOCKS * (125 * CH * 9 + 125 * CH * CH) + CH * 12
    meta = dict(seed=a.seed, stream=bool(a.stream), float_val_acc=round(float_acc, 4), int8_val_acc=round(int_acc, 4), n_val=int(len(yva)),
                weights_bytes=int(nweights), bias_bytes=int(4 * nbias), macs=int(macs), n_train=int(len(ytr)))
    print(json.dumps(meta), flush=True)
    save_quant(Q, norm, os.path.join(OUT, "quant.npz"))
    emit_ts(Q, norm, model_ts, meta)
    json.dump(dict(meta=meta, log=log), open(os.path.join(OUT, "train_log.json"), "w"), indent=1)
    print("exported %s in %.0fs" % (model_ts, time.time() - t0))
    import golden
    if not a.tag:
        golden.main(os.path.join(OUT, "quant.npz"))


if __name__ == "__main__":
    main()
