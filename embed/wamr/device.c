/* WAMR embedding: runtime init, load, WASI args ["glasses", "device"], instantiate, run _start (the
 * `device` command initialises the firmware's globals and returns), then call exports by name. */
#include "device.h"
#include "io.h"
#include "wasm_export.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STACK_BYTES (64 * 1024) /* wasm operand/call stack; the firmware needs 4-6 KiB at its deepest */

static uint8_t *module_bytes;
static wasm_module_t module;
static wasm_module_inst_t inst;
static wasm_exec_env_t env;

int dev_open(const char *wasm_path, char *err, size_t err_len) {
    static char *argv[] = { "glasses", "device" };
    RuntimeInitArgs init;
    size_t size = 0;
    memset(&init, 0, sizeof init);
    init.mem_alloc_type = Alloc_With_System_Allocator;
    if (!wasm_runtime_full_init(&init)) { snprintf(err, err_len, "WAMR runtime init failed"); return -1; }
    module_bytes = read_file(wasm_path, 16u << 20, &size);
    if (!module_bytes) { snprintf(err, err_len, "cannot read %s", wasm_path); return -1; }
    module = wasm_runtime_load(module_bytes, (uint32_t)size, err, (uint32_t)err_len);
    if (!module) return -1;
    /* No directories are preopened: the device face reads no files (the host moves all bytes). */
    wasm_runtime_set_wasi_args(module, NULL, 0, NULL, 0, NULL, 0, argv, 2);
    inst = wasm_runtime_instantiate(module, STACK_BYTES, 0, err, (uint32_t)err_len);
    if (!inst) return -1;
    if (!wasm_application_execute_main(inst, 2, argv)) {
        snprintf(err, err_len, "_start device failed: %s", wasm_runtime_get_exception(inst));
        return -1;
    }
    if (wasm_runtime_get_wasi_exit_code(inst) != 0) { snprintf(err, err_len, "_start device exited with %u", wasm_runtime_get_wasi_exit_code(inst)); return -1; }
    env = wasm_runtime_create_exec_env(inst, STACK_BYTES);
    if (!env) { snprintf(err, err_len, "cannot create exec env"); return -1; }
    return 0;
}

void dev_close(void) {
    if (env) wasm_runtime_destroy_exec_env(env);
    if (inst) wasm_runtime_deinstantiate(inst);
    if (module) wasm_runtime_unload(module);
    free(module_bytes);
    wasm_runtime_destroy();
}

int dev_param_count(const char *name) {
    wasm_function_inst_t f = wasm_runtime_lookup_function(inst, name);
    return f ? (int)wasm_func_get_param_count(f, inst) : -1;
}

int64_t dev_call(const char *name, const char *sig, int64_t a, int64_t b, int64_t c, int64_t d) {
    wasm_function_inst_t f = wasm_runtime_lookup_function(inst, name);
    wasm_val_t args[4], res[1];
    int64_t in[4];
    uint32_t n = (uint32_t)strlen(sig), nres, i;
    in[0] = a; in[1] = b; in[2] = c; in[3] = d;
    if (!f) { fprintf(stderr, "glasses-host: the module has no export '%s'\n", name); exit(3); }
    if (n != wasm_func_get_param_count(f, inst) || n > 4) {
        fprintf(stderr, "glasses-host: '%s' takes %u arguments, called with %u\n", name, wasm_func_get_param_count(f, inst), n);
        exit(3);
    }
    for (i = 0; i < n; i++) {
        args[i].kind = sig[i] == 'I' ? WASM_I64 : WASM_I32;
        if (sig[i] == 'I') args[i].of.i64 = in[i]; else args[i].of.i32 = (int32_t)in[i];
    }
    nres = wasm_func_get_result_count(f, inst);
    memset(res, 0, sizeof res);
    if (!wasm_runtime_call_wasm_a(env, f, nres, res, n, args)) {
        fprintf(stderr, "glasses-host: trap in %s: %s\n", name, wasm_runtime_get_exception(inst));
        exit(4);
    }
    if (nres == 0) return 0;
    return res[0].kind == WASM_I64 ? res[0].of.i64 : res[0].of.i32;
}

uint8_t *dev_mem(uint32_t off, uint32_t len) {
    if (!wasm_runtime_validate_app_addr(inst, off, len)) return NULL;
    return (uint8_t *)wasm_runtime_addr_app_to_native(inst, off);
}
