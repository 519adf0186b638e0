#!/usr/bin/env bash
# One command: synthetic speech, training (seeded, 2 threads), int8 export to assembly/voice/model.ts,
# golden vectors for the firmware tests. Run from anywhere; outputs > 1 MB stay in tools/voice/out/.
#   bash tools/voice/run.sh            (about 30-60 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  # The CPU build of torch (the CUDA build pulls ~3 GB of nvidia wheels); elsewhere add
  # --extra-index-url https://download.pytorch.org/whl/cpu
  .venv/bin/pip install "torch==2.13.0+cpu" numpy soundfile wasmtime
fi
command -v espeak-ng >/dev/null && command -v flite >/dev/null && command -v sox >/dev/null || {
  echo "needs espeak-ng, flite and sox: apt-get install -y espeak-ng flite sox" >&2; exit 1; }
nice -n 10 .venv/bin/python gen_tts.py
nice -n 10 .venv/bin/python features.py          # assembly/voice/tables.ts
nice -n 10 .venv/bin/python train.py "$@"        # assembly/voice/model.ts + golden/voice_golden.json
nice -n 10 .venv/bin/python ubm.py               # assembly/voice/ubm.ts (speaker model)
