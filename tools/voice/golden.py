#!/usr/bin/env python3
"""Golden vectors for the firmware tests: training-side features of a few corpus clips, their int8 network
input and the int8-reference logits (tools/voice/qnet.py with out/quant.npz, or without it the shipped
assembly/voice/model.ts read back), and the same network's streaming form
on two clips in silence (qnet.forward_int(stream=True) against kws-stream.ts). Written to
tools/voice/golden/voice_golden.json (re-run after every export: train.py does it).
Also writes int8 kernel vectors (random layers) for the kernel tests.
"""
import json, os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
import features as FE
import qnet

HERE = os.path.dirname(os.path.abspath(__file__))
CLIPS = ["yes/0f7dc557_nohash_1.wav", "stop/", "_silence_/", "_unknown_/", "left/"]
STREAM_CLIPS = ["yes/0f7dc557_nohash_1.wav", "left/"]


def pick(man, prefix):
    for e in man:
        if e["file"].startswith(prefix) and (e["speaker"] is None or D.is_val_speaker(e["speaker"])):
            return e["file"]
    for e in man:
        if e["file"].startswith(prefix.split("/")[0] + "/"):
            return e["file"]


def main(quant=os.path.join(HERE, "out", "quant.npz")):
    sys.path.insert(0, HERE)
    if os.path.exists(quant):
        from train import load_quant
        Q, norm = load_quant(quant)
    else:                     # a clone without the training run: the shipped model, read back from model.ts
        from stream_eval import load_model_ts
        Q, norm = load_model_ts(os.path.join(HERE, "..", "..", "assembly", "voice", "model.ts"))
    man = D.load_manifest("speech_commands_v0.02_test")
    out = {"corpus_folder": "speech_commands_v0.02_test", "tolerance": {"cep_abs": 2e-3, "logmel_abs": 2e-3,
                                                                       "q_lsb": 1, "q_mismatch_frac": 0.01},
           "clips": []}
    for pre in CLIPS:
        f = pick(man, pre)
        pcm = D.fit(D.read_pcm(os.path.join(D.CORPUS, "speech_commands_v0.02_test", f)))
        lm, cep = FE.logmel_and_cep(pcm)
        q = qnet.quantize_input(cep, norm["mu"], norm["inv_sd"], norm["s_in"])
        acc = qnet.forward_int(q[None], Q)[0]
        sc = qnet.softmax_scores(acc[None], Q)[0]
        out["clips"].append({"file": f, "samples": int(len(pcm)),
                             "cep": np.round(cep.astype(np.float64), 6).tolist(),
                             "logmel": np.round(lm.astype(np.float64), 6).tolist(),
                             "q": q.astype(int).tolist(), "logits": acc.astype(int).tolist(),
                             "class": D.CLASSES[int(sc.argmax())], "scores": np.round(sc.astype(np.float64), 6).tolist()})
    # the streaming form (kws-stream.ts; stream_eval.py --stream hears words through qnet's twin of it): a clip
    # with 0.5 s of silence either side, every frame quantised; the firmware, fed frames 0..n-1 one at a time (n
    # even: frame n-1 completes a conv1 row) and one more (the row's later blocks run with it), pools the rows
    # that frames n-74..n-1 make, which qnet's streaming forward computes from those 74 frames alone
    out["stream"] = []
    # the frames one streaming inference reads: the rows a window pools (25), one more each side per depthwise
    # block, two frames a row and conv1's taps (74)
    rows = qnet.rows_int(np.zeros((1, qnet.T_IN, qnet.F_IN), np.int8), Q).shape[1]
    span = 2 * (rows + 2 * len(Q["blocks"]) - 1) + Q["conv1"]["kt"]
    for pre in STREAM_CLIPS:
        f = pick(man, pre)
        pcm = D.read_pcm(os.path.join(D.CORPUS, "speech_commands_v0.02_test", f))
        pcm = np.concatenate([np.zeros(8000, np.int16), pcm, np.zeros(8000, np.int16)])
        pcm = pcm[:len(pcm) // 320 * 320]
        _, cep = FE.logmel_and_cep(pcm)
        q = qnet.quantize_input(cep, norm["mu"], norm["inv_sd"], norm["s_in"])
        n = len(q) // 2 * 2
        acc = qnet.forward_int(q[None, n - span:n], Q, stream=True)[0]
        out["stream"].append({"file": f, "q": q[:n].astype(int).tolist(), "logits": acc.astype(int).tolist()})
    # int8 kernel vectors: random small layers with the firmware's requantisation
    rng = np.random.default_rng(7)
    T, F, C, CO = 9, 6, 8, 5
    x = rng.integers(-127, 128, (T, F, C)).astype(np.int8)
    xr = np.maximum(x, 0).astype(np.int8)
    kern = {"T": T, "F": F, "C": C, "CO": CO, "x": x.ravel().tolist(), "xr": xr.ravel().tolist()}
    for name, shape in (("conv", (CO, 3, 2, C)), ("dw", (C, 3, 3)), ("pw", (CO, C)), ("fc", (CO, C))):
        w = rng.integers(-127, 128, shape).astype(np.int8)
        b = rng.integers(-2000, 2000, shape[0]).astype(np.int32)
        sw = rng.uniform(0.002, 0.02, shape[0])
        mm = [qnet.quant_mult(0.05 * s) for s in sw]
        kern[name] = {"w": w.ravel().tolist(), "b": b.tolist(), "m": sw.tolist(), "mult": [m for m, _ in mm],
                      "shift": [s for _, s in mm]}
    kern["note"] = "real output scale multiplier M[c] = 0.05 * m[c]; kernels requantise with (mult, shift)"
    out["kernels"] = kern
    os.makedirs(os.path.join(HERE, "golden"), exist_ok=True)
    with open(os.path.join(HERE, "golden", "voice_golden.json"), "w") as fh:
        json.dump(out, fh, separators=(",", ":"))
    print("wrote golden/voice_golden.json", [c["file"] + ":" + c["class"] for c in out["clips"]])


if __name__ == "__main__":
    main()
