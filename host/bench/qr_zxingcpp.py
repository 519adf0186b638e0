# zxing-cpp (Debian python3-zxing-cpp) as a peer for `bench qr`: reads frames from stdin and answers one
# JSON line per frame with the texts read and the decode time (the gray frame already in memory).
# Protocol: a line {"w": W, "h": H} then W*H gray bytes; answer {"texts": [...], "ms": t}. EOF ends.
import json, sys, time
import numpy as np
import zxingcpp

inp, out = sys.stdin.buffer, sys.stdout
out.write(json.dumps({"ready": True, "version": getattr(zxingcpp, "__version__", "?")}) + "\n"); out.flush()
while True:
    line = inp.readline()
    if not line:
        break
    hdr = json.loads(line)
    w, h = hdr["w"], hdr["h"]
    buf = inp.read(w * h)
    img = np.frombuffer(buf, dtype=np.uint8).reshape(h, w)
    t0 = time.perf_counter()
    res = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    ms = (time.perf_counter() - t0) * 1000
    out.write(json.dumps({"texts": [r.text for r in res], "ms": ms}) + "\n"); out.flush()
