"""The glasses firmware under wasmtime, for hosts without the wasmtime CLI.

Two modes, both with fuel metering (wasmtime counts executed wasm work deterministically):
  run    WASM STDOUT_FILE STDERR_FILE PREOPENS_JSON ARG...   run the command face once; prints
         {"code": int, "fuel": int} on stdout.
  device WASM [SEED]                                          start the device face, then answer one
         JSON request per stdin line: {"op":"call","name":..,"args":[..]} -> {"result":..,"fuel":..};
         {"op":"write","ptr":..,"hex":..}; {"op":"read","ptr":..,"len":..} -> {"hex":..}; {"op":"quit"}.
         SEED (tests and benchmarks only, passed by engine/wasmtime.ts) replaces WASI random_get with the same
         repeatable source as engine/entropy.ts on the node engine, so a seeded device draws the same codes on both.
"""
import hashlib
import json
import sys

try:
    from wasmtime import Config, Engine, ExitTrap, FuncType, Linker, Module, Store, Trap, ValType, WasiConfig, WasmtimeError
except ImportError:
    print(json.dumps({"error": "the wasmtime Python package is missing: pip install wasmtime==49.0.0"}))
    sys.exit(3)

FUEL = 10**15


def make(wasm_path):
    cfg = Config()
    cfg.consume_fuel = True
    engine = Engine(cfg)
    module = Module.from_file(engine, wasm_path)
    linker = Linker(engine)
    linker.define_wasi()
    return engine, module, linker


def seeded_random_get(seed):
    """random_get from SHA-256(seed || 8-byte big-endian counter) blocks: engine/entropy.ts seededRandomGet."""
    state = {"counter": 0, "pool": b""}

    def random_get(caller, ptr, length):
        while len(state["pool"]) < length:
            state["pool"] += hashlib.sha256(seed.encode() + state["counter"].to_bytes(8, "big")).digest()
            state["counter"] += 1
        caller.get("memory").write(caller, state["pool"][:length], ptr)
        state["pool"] = state["pool"][length:]
        return 0

    return random_get


def run(wasm_path, out_file, err_file, preopens_json, argv):
    engine, module, linker = make(wasm_path)
    store = Store(engine)
    wasi = WasiConfig()
    wasi.argv = ["glasses"] + argv
    for host, guest in json.loads(preopens_json):
        wasi.preopen_dir(host, guest)
    wasi.stdout_file = out_file
    wasi.stderr_file = err_file
    store.set_wasi(wasi)
    store.set_fuel(FUEL)
    inst = linker.instantiate(store, module)
    code = 0
    try:
        inst.exports(store)["_start"](store)
    except ExitTrap as e:
        code = e.code
    except Trap as e:
        with open(err_file, "a") as f:
            f.write("trap: %s\n" % str(e).splitlines()[0])
        code = 134
    print(json.dumps({"code": code, "fuel": FUEL - store.get_fuel()}))


def device(wasm_path, seed=None):
    engine, module, linker = make(wasm_path)
    if seed is not None:
        linker.allow_shadowing = True
        i32 = ValType.i32()
        linker.define_func("wasi_snapshot_preview1", "random_get", FuncType([i32, i32], [i32]), seeded_random_get(seed), access_caller=True)
    store = Store(engine)
    wasi = WasiConfig()
    wasi.argv = ["glasses", "device"]
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    store.set_fuel(FUEL)
    inst = linker.instantiate(store, module)
    exports = inst.exports(store)
    try:
        exports["_start"](store)
    except ExitTrap as e:
        if e.code != 0:
            print(json.dumps({"error": "device start exited with %d" % e.code}), flush=True)
            return
    memory = exports["memory"]
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        op = req.get("op")
        try:
            if op == "call":
                f = exports[req["name"]]
                before = store.get_fuel()
                result = f(store, *req.get("args", []))
                used = before - store.get_fuel()
                if isinstance(result, bool):
                    result = int(result)
                print(json.dumps({"result": result if result is not None else 0, "fuel": used}), flush=True)
            elif op == "write":
                memory.write(store, bytes.fromhex(req["hex"]), req["ptr"])
                print(json.dumps({"ok": True}), flush=True)
            elif op == "read":
                data = memory.read(store, req["ptr"], req["ptr"] + req["len"])
                print(json.dumps({"hex": bytes(data).hex()}), flush=True)
            elif op == "quit":
                return
            else:
                print(json.dumps({"error": "unknown op %r" % op}), flush=True)
        except KeyError as e:
            print(json.dumps({"error": "firmware has no export %s" % e}), flush=True)
        except (Trap, WasmtimeError) as e:
            print(json.dumps({"error": "trap: %s" % str(e).splitlines()[0]}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])
    elif sys.argv[1] == "device":
        device(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
