/* The firmware module under WAMR: load, start the device face, call exports, reach linear memory. */
#ifndef DEVICE_H
#define DEVICE_H
#include <stdint.h>
#include <stddef.h>

int dev_open(const char *wasm_path, char *err, size_t err_len);
void dev_close(void);
/* Calls an export with up to 4 arguments; 'I' in sig marks an i64 argument (the rest are i32).
 * Returns the i32 (or low word of an i64) result; on a trap prints the exception and exits. */
int64_t dev_call(const char *name, const char *sig, int64_t a, int64_t b, int64_t c, int64_t d);
/* Native address of [off, off+len) in linear memory, or NULL when it is out of bounds. Recompute after
 * every call: memory.grow may move the memory. */
uint8_t *dev_mem(uint32_t off, uint32_t len);
/* Number of parameters an export takes (-1 when the module lacks it). */
int dev_param_count(const char *name);

#define CALL0(n) ((int32_t)dev_call(n, "", 0, 0, 0, 0))
#define CALL1(n, s, a) ((int32_t)dev_call(n, s, a, 0, 0, 0))
#endif
