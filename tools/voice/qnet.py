"""Integer-only DS-CNN reference (numpy). Bit-exact twin of assembly/voice/kws.ts.

Layout: activations [T, F, C] int8 (HWC); weights int8 per output channel; bias int32;
requantisation out = clamp((acc * mult + (1 << (shift - 1))) >> shift, 0, 127) with int64 arithmetic.
"""
import numpy as np

T_IN, F_IN = 50, 10


def quant_mult(m):
    """real multiplier m (0 < m < 1) -> (mult in [2^30, 2^31), shift) with m ~= mult * 2^-shift."""
    assert 0 < m < 1, m
    shift = 0
    while m < 0.5:
        m *= 2
        shift += 1
    mult = int(round(m * (1 << 31)))
    if mult == (1 << 31):
        mult //= 2
        shift -= 1
    return mult, shift + 31


def requant(acc, mult, shift, lo=0, hi=127):
    acc = acc.astype(np.int64)
    out = (acc * np.asarray(mult, np.int64) + (np.int64(1) << (np.asarray(shift, np.int64) - 1))) >> np.asarray(shift, np.int64)
    return np.clip(out, lo, hi).astype(np.int8)


def quantize_input(cep, mu, inv_sd, s_in):
    """cep float32 [.., T, >=10] -> int8 [.., T, 10]: q = clamp(round((c - mu) * inv_sd / s_in))."""
    z = (cep[..., :F_IN].astype(np.float32) - mu.astype(np.float32)) * inv_sd.astype(np.float32)
    q = np.floor(z * np.float32(1.0 / s_in) + np.float32(0.5))
    return np.clip(q, -127, 127).astype(np.int8)


def conv1(x, L, pt=None):
    """x int8 [B, T, 10] -> [B, TO, 5, C]; kernel 10x4, stride 2, pad (pt, 1): the window's (4, 1) gives 25 rows
    from 50 frames; pt 0 is the streaming form (kws-stream.ts: every row has real neighbours)."""
    B, T = x.shape[0], x.shape[1]
    pt = L["pt"] if pt is None else pt
    KT, KF, C = L["kt"], L["kf"], L["cout"]
    xp = np.zeros((B, T + 2 * pt, F_IN + 2 * L["pf"]), np.int32)
    xp[:, pt:pt + T, L["pf"]:L["pf"] + F_IN] = x
    TO, FO = (T + 2 * pt - KT) // 2 + 1, L["fout"]
    cols = np.empty((B, TO, FO, KT * KF), np.int32)
    for kt in range(KT):
        for kf in range(KF):
            cols[..., kt * KF + kf] = xp[:, kt:kt + 2 * TO:2, kf:kf + 2 * FO:2]
    w = L["w"].reshape(C, KT * KF).astype(np.int32)          # [C, kt*kf]
    acc = cols @ w.T + L["b"]
    return requant(acc, L["mult"], L["shift"])


def dwconv(x, L, pt=1):
    """x int8 [B, T, F, C], 3x3 depthwise, stride 1, pad (pt, 1): pt 0 (streaming form) drops a row each end."""
    B, T, F, C = x.shape
    xp = np.zeros((B, T + 2 * pt, F + 2, C), np.int32)
    xp[:, pt:T + pt, 1:F + 1] = x
    w = L["w"].astype(np.int32)                              # [C, 3, 3]
    T = T + 2 * pt - 2
    acc = np.zeros((B, T, F, C), np.int32) + L["b"]
    for kt in range(3):
        for kf in range(3):
            acc += xp[:, kt:kt + T, kf:kf + F, :] * w[:, kt, kf]
    return requant(acc, L["mult"], L["shift"])


def pwconv(x, L):
    w = L["w"].astype(np.int32)                              # [Cout, Cin]
    acc = x.astype(np.int32) @ w.T + L["b"]
    return requant(acc, L["mult"], L["shift"])


def avgpool(x):
    B, T, F, C = x.shape
    s = x.astype(np.int32).reshape(B, T * F, C).sum(1)
    n = T * F
    return ((s + n // 2) // n).astype(np.int8)             # inputs are >= 0 (ReLU)


def dense(x, L):
    w = L["w"].astype(np.int32)                              # [12, C]
    return x.astype(np.int32) @ w.T + L["b"]                 # int32 logits accumulators


def rows_int(q, Q, stream=False):
    """q int8 [B, T, 10] -> the last block's rows, int8 [B, T', 5, C]: the window form (zero padding in time,
    T' = T / 2) or the streaming form (no padding in time, T' = (T - 10) / 2 + 1 - 2 x blocks)."""
    h = conv1(q, Q["conv1"], 0 if stream else None)
    for blk in Q["blocks"]:
        h = dwconv(h, blk["dw"], 0 if stream else 1)
        h = pwconv(h, blk["pw"])
    return h


def forward_int(q, Q, stream=False):
    """q int8 [B, 50, 10] (window form) or [B, 74, 10] (streaming form) -> int32 logit accumulators [B, 12]."""
    return dense(avgpool(rows_int(q, Q, stream)), Q["fc"])


def softmax_scores(acc, Q):
    z = acc.astype(np.float32) * Q["fc"]["deq"].astype(np.float32)
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)
