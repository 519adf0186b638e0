#!/usr/bin/env python3
"""A d-vector baseline for the speaker check (method choice only; nothing here ships): a 3-layer MLP over +-2
frames of the GMM-UBM features (ubm.py), mean+sd pooling, softmax over the sc_train + sc_unknown speakers
(8 epochs, seeded), scored by cosine to the mean of the enrolment embeddings, on the same tuning-speaker
trials as `python ubm.py --eval`. About 8 min on one core. Prints false rejects at 2 % and 0.5 % false accepts."""
import sys, os, collections, itertools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np, torch, torch.nn as nn
import data as D
from ubm import speech_cepstra, with_deltas, VOCAB, tuning_owners, tuning_others, impostor_code
torch.manual_seed(1); torch.set_num_threads(1)
clips, spk = [], []
for f in ("sc_train", "sc_unknown"):
    for e in D.load_manifest(f):
        clips.append(with_deltas(speech_cepstra(D.read_pcm(os.path.join(D.CORPUS, f, e["file"])))).astype(np.float32)); spk.append(e["speaker"])
ids = {s: i for i, s in enumerate(sorted(set(spk)))}
y = np.array([ids[s] for s in spk]); print(len(clips), "clips", len(ids), "speakers", flush=True)
allf = np.vstack(clips); mu, sd = allf.mean(0), allf.std(0) + 1e-3
def ctx(X):
    X = (X - mu) / sd; p = np.pad(X, ((2, 2), (0, 0)), mode="edge")
    return np.hstack([p[i:i + len(X)] for i in range(5)])
class Net(nn.Module):
    def __init__(s, n):
        super().__init__(); s.f = nn.Sequential(nn.Linear(120, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 128)); s.o = nn.Linear(256, n)
    def emb(s, X):
        h = s.f(X); return torch.cat([h.mean(0), h.std(0) if len(h) > 1 else torch.zeros_like(h[0])])
net = Net(len(ids)); opt = torch.optim.Adam(net.parameters(), 1e-3)
C = [torch.tensor(ctx(c)) for c in clips]
for ep in range(int(os.environ.get("EP", 8))):
    perm = np.random.default_rng(ep).permutation(len(C)); tot = 0
    for b in range(0, len(perm), 64):
        idx = perm[b:b + 64]
        E = torch.stack([net.emb(C[i]) for i in idx]); loss = nn.functional.cross_entropy(net.o(E), torch.tensor(y[idx]))
        opt.zero_grad(); loss.backward(); opt.step(); tot += loss.item() * len(idx)
    print("epoch", ep, tot / len(C), flush=True)
net.eval()
def emb(cl):
    with torch.no_grad(): e = net.emb(torch.tensor(ctx(np.vstack(cl)))).numpy()
    return e / np.linalg.norm(e)
man = D.load_manifest("speech_commands_v0.02_test")
by = collections.defaultdict(lambda: collections.defaultdict(list))
for e in man:
    if e["speaker"] and not D.is_val_speaker(e["speaker"]):
        by[e["speaker"]][e.get("word", e["label"])].append(os.path.join(D.CORPUS, "speech_commands_v0.02_test", e["file"]))
owners, others = tuning_owners(by), tuning_others(by)
F = {}
get = lambda p: F.setdefault(p, with_deltas(speech_cepstra(D.read_pcm(p))).astype(np.float32))
codes = list(itertools.product(VOCAB, repeat=3)); t, im = [], []
for oi, o in enumerate(owners):
    en = np.mean([emb([get(by[o][w][0])]) for w in VOCAB], 0); en /= np.linalg.norm(en)
    for code in codes[::3]: t.append(float(en @ emb([get(by[o][w][1]) for w in code])))
    for s in others:
        if s == o: continue
        for j in range(10):
            code = impostor_code(codes, s, j, oi)
            im.append(float(en @ emb([get(by[s][w][-1 if j % 2 else 0]) for w in code])))
t, im = np.array(t), np.array(im)
th = lambda f: np.sort(im)[::-1][int(f * len(im))]
print("dvec target", len(t), "impostor", len(im), "FRR@2%% %.3f FRR@0.5%% %.3f" % ((t <= th(0.02)).mean(), (t <= th(0.005)).mean()))
