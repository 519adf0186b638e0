/* The phone link over loopback TCP (the simulation of BLE, as host/link/loopback.ts): each fragment
 * travels as one record [u16 big-endian length][fragment]. */
#ifndef LINK_H
#define LINK_H
#include <stdint.h>
#include <stddef.h>

int link_connect(int port);
int link_send(int fd, const uint8_t *frag, size_t len);
/* Waits up to timeout_ms for one fragment; returns its length, 0 on timeout, -1 when the link closed. */
int link_recv(int fd, uint8_t *frag, size_t cap, int timeout_ms);
#endif
