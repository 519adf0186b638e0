#define _POSIX_C_SOURCE 200809L
#include "io.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint8_t *read_file(const char *path, size_t max, size_t *len) {
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long size;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || (size_t)size > max || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    buf = malloc(size ? (size_t)size : 1);
    if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) *len = (size_t)size;
    return buf;
}

int write_file_atomic(const char *path, const uint8_t *data, size_t len, int mode) {
    char tmp[4096], dir[4096];
    char *slash;
    int fd;
    size_t off = 0;
    if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp) return -1;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) return -1;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w <= 0) { close(fd); unlink(tmp); return -1; }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) { unlink(tmp); return -1; }
    if (rename(tmp, path) != 0) { unlink(tmp); return -1; }
    snprintf(dir, sizeof dir, "%s", path);
    slash = strrchr(dir, '/');
    if (slash) *slash = 0; else strcpy(dir, ".");
    fd = open(dir, O_RDONLY);
    if (fd >= 0) { fsync(fd); close(fd); } /* the rename itself reaches the disk */
    return 0;
}

/* Next PGM header number, skipping whitespace and # comments. */
static long pgm_number(const uint8_t *d, size_t n, size_t *p) {
    long v = 0;
    int digits = 0;
    for (;;) {
        while (*p < n && (d[*p] == ' ' || d[*p] == '\t' || d[*p] == '\n' || d[*p] == '\r')) (*p)++;
        if (*p < n && d[*p] == '#') { while (*p < n && d[*p] != '\n') (*p)++; continue; }
        break;
    }
    while (*p < n && d[*p] >= '0' && d[*p] <= '9' && v < 100000) { v = v * 10 + (d[*p] - '0'); (*p)++; digits++; }
    return digits ? v : -1;
}

uint8_t *read_pgm(const char *path, int *w, int *h, char *err, size_t err_len) {
    size_t n = 0, p = 2;
    uint8_t *d = read_file(path, 64u << 20, &n), *pix;
    long W, H, max;
    if (!d) { snprintf(err, err_len, "%s: cannot read", path); return NULL; }
    if (n < 2 || d[0] != 'P' || d[1] != '5') { free(d); snprintf(err, err_len, "%s: not a binary PGM (P5)", path); return NULL; }
    W = pgm_number(d, n, &p); H = pgm_number(d, n, &p); max = pgm_number(d, n, &p);
    if (W <= 0 || H <= 0 || max != 255 || p >= n || (size_t)(W * H) > n - p - 1) {
        free(d); snprintf(err, err_len, "%s: bad PGM header or short pixel data (need 8-bit gray)", path); return NULL;
    }
    pix = malloc((size_t)(W * H));
    if (pix) memcpy(pix, d + p + 1, (size_t)(W * H));
    free(d);
    *w = (int)W; *h = (int)H;
    return pix;
}

int write_gray_pgm(const char *path, const uint8_t *pix, int w, int h) {
    char head[64];
    int hl = snprintf(head, sizeof head, "P5\n%d %d\n255\n", w, h);
    size_t len = (size_t)hl + (size_t)w * (size_t)h;
    uint8_t *buf = malloc(len);
    int r;
    if (!buf) return -1;
    memcpy(buf, head, (size_t)hl);
    memcpy(buf + hl, pix, (size_t)w * (size_t)h);
    r = write_file_atomic(path, buf, len, 0644);
    free(buf);
    return r;
}

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

int16_t *read_wav16k(const char *path, size_t *count, char *err, size_t err_len) {
    size_t n = 0, p = 12;
    uint8_t *d = read_file(path, 64u << 20, &n);
    int fmt_ok = 0;
    int16_t *out;
    if (!d) { snprintf(err, err_len, "%s: cannot read", path); return NULL; }
    if (n < 12 || memcmp(d, "RIFF", 4) != 0 || memcmp(d + 8, "WAVE", 4) != 0) { free(d); snprintf(err, err_len, "%s: not a RIFF/WAVE file", path); return NULL; }
    while (p + 8 <= n) {
        uint32_t size = le32(d + p + 4);
        if (size > n - p - 8) size = (uint32_t)(n - p - 8);
        if (memcmp(d + p, "fmt ", 4) == 0 && size >= 16) {
            fmt_ok = le16(d + p + 8) == 1 && le16(d + p + 10) == 1 && le32(d + p + 12) == 16000 && le16(d + p + 22) == 16;
            if (!fmt_ok) break;
        } else if (memcmp(d + p, "data", 4) == 0 && fmt_ok) {
            size_t i;
            *count = size / 2;
            out = malloc(*count * 2 + 2);
            for (i = 0; out && i < *count; i++) out[i] = (int16_t)le16(d + p + 8 + 2 * i);
            free(d);
            return out;
        }
        p += 8 + size + (size & 1);
    }
    free(d);
    snprintf(err, err_len, "%s: need 16 kHz mono 16-bit PCM WAV (convert: sox IN -r 16000 -c 1 -b 16 OUT.wav)", path);
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int list_files(const char *dir, const char *ext, char ***out) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char **list = NULL;
    int n = 0, cap = 0;
    size_t el = strlen(ext);
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= el || strcmp(e->d_name + l - el, ext) != 0) continue;
        if (n == cap) { cap = cap ? cap * 2 : 16; list = realloc(list, (size_t)cap * sizeof *list); }
        list[n] = malloc(strlen(dir) + l + 2);
        sprintf(list[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(list, (size_t)n, sizeof *list, cmp_str);
    *out = list;
    return n;
}

int list_dirs(const char *dir, char ***out) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char **list = NULL;
    int n = 0, cap = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        char *p;
        if (e->d_name[0] == '.') continue;
        p = malloc(strlen(dir) + strlen(e->d_name) + 2);
        sprintf(p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) { free(p); continue; }
        if (n == cap) { cap = cap ? cap * 2 : 16; list = realloc(list, (size_t)cap * sizeof *list); }
        list[n++] = p;
    }
    closedir(d);
    if (n) qsort(list, (size_t)n, sizeof *list, cmp_str);
    *out = list;
    return n;
}

void free_list(char **list, int n) {
    int i;
    for (i = 0; i < n; i++) free(list[i]);
    free(list);
}
