#define _POSIX_C_SOURCE 200809L
#include "link.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int link_connect(int port) {
    struct sockaddr_in a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int write_all(int fd, const uint8_t *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return -1;
        p += w; n -= (size_t)w;
    }
    return 0;
}

int link_send(int fd, const uint8_t *frag, size_t len) {
    uint8_t head[2];
    head[0] = (uint8_t)(len >> 8); head[1] = (uint8_t)len;
    return write_all(fd, head, 2) || write_all(fd, frag, len) ? -1 : 0;
}

/* Reads exactly n bytes once the first byte is known to be there (the peer writes a record at once). */
static int read_all(int fd, uint8_t *p, size_t n) {
    while (n) {
        struct pollfd q;
        ssize_t r;
        q.fd = fd; q.events = POLLIN;
        if (poll(&q, 1, 2000) <= 0) return -1;
        r = read(fd, p, n);
        if (r <= 0) return -1;
        p += r; n -= (size_t)r;
    }
    return 0;
}

int link_recv(int fd, uint8_t *frag, size_t cap, int timeout_ms) {
    struct pollfd q;
    uint8_t head[2];
    size_t len;
    q.fd = fd; q.events = POLLIN;
    if (poll(&q, 1, timeout_ms) <= 0) return 0;
    if (read_all(fd, head, 2) != 0) return -1;
    len = (size_t)head[0] << 8 | head[1];
    if (len == 0 || len > cap) return -1; /* a record longer than the MTU closes the link */
    if (read_all(fd, frag, len) != 0) return -1;
    return (int)len;
}
