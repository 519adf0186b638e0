/* glasses-host: the C reference host. It embeds the firmware module with WAMR and only moves bytes:
 * gray frames (PGM) and 16 kHz PCM (WAV) in, link fragments to and from the phone wallet over loopback
 * TCP, events out (one JSON line each on stdout), the HUD framebuffer to PGM files, and the sealed state
 * blob to disk, saved BEFORE the firmware lets a signature leave (persist-before-send). Every payment
 * decision is the firmware's. Read docs/firmware-contract.md with this file. */
#define _POSIX_C_SOURCE 200809L
#include "device.h"
#include "io.h"
#include "link.h"
#include "glasses.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define FRAME_INTERVAL_MS 100
#define HOP 320            /* 20 ms of 16 kHz audio per onAudio call */
#define WORD_GAP 2400      /* 150 ms of silence between a wearer's words */
#define ENROLL_MAX_SAMPLES 32000 /* 2 s per enrolment clip */

static const char *USAGE =
    "usage: glasses-host --module build/<board>/glasses.wasm --board ID --link PORT --data DIR\n"
    "                    --frames DIR --wearer DIR [--enroll DIR] [--hud DIR]\n"
    "  --frames DIR   the camera: *.pgm (8-bit gray, at most the board's camera size), shown in name order\n"
    "  --wearer DIR   the wearer's voice: a \"confirm\" event's code is answered with the speech of DIR/<word>/*.wav, 150 ms apart\n"
    "  --enroll DIR   first run only: the owner's enrolment clips, DIR/<word>/*.wav, every code word\n"
    "  --data DIR     device-secret (0600), glasses-state.bin and its .anchor live here\n"
    "  --hud DIR      write every changed HUD frame as PGM here\n"
    "A first run pairs with the phone (confirmed with the glasses' button), then enrols the owner.\n"
    "WAVs must be 16 kHz mono 16-bit PCM. Events are printed as JSON lines; the last line is the result.\n";

struct opts {
    const char *module, *board, *data, *frames, *wearer, *enroll, *hud;
    int port;
};

static const struct glasses_board boards[] = GLASSES_BOARDS_INIT;
static const struct glasses_board *board;
static struct opts o;
static int link_fd = -1;
static int64_t t;                 /* the device clock, ms */
static char state_name[32] = "idle";
static int hud_count;
static char state_path[4096], anchor_path[4200];
/* The latest "confirm" event: what it asks for and how (a first pairing is confirmed by button). */
static char ask_what[16], ask_by[16];
static int asks;
/* Audio the wearer is saying (queued by a "confirm" event in --wearer mode). */
static int16_t *speech;
static size_t speech_len, speech_pos;

static void die(const char *msg) { fprintf(stderr, "glasses-host: %s\n", msg); exit(2); }

/* A string field of a flat JSON event ("to", "type"), copied into out; 0 when absent. */
static int json_str(const char *ev, const char *key, char *out, size_t cap) {
    char pat[40];
    const char *p;
    size_t n = 0;
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    p = strstr(ev, pat);
    if (!p) return 0;
    for (p += strlen(pat); *p && *p != '"' && n + 1 < cap; p++) out[n++] = *p;
    out[n] = 0;
    return 1;
}

/* The speech part of a clip, as the TypeScript host's simulated wearer takes it (host/commands/consent.ts
 * trimSpeech): the 20 ms frames within 35 dB of the loudest, plus 60 ms either side. A one-second recording
 * may hold its word at either end; played whole, the silence between two words could end the answer. */
static void speech_span(const int16_t *s, size_t n, size_t *lo, size_t *hi) {
    const size_t F = 320, nf = n / F;
    double top = 0, floor_e;
    size_t i, a = nf, b = 0;
    *lo = 0; *hi = n;
    if (nf == 0) return;
    for (i = 0; i < nf; i++) {
        double e = 0;
        size_t j;
        for (j = i * F; j < (i + 1) * F; j++) e += (double)s[j] * s[j];
        e /= F;
        if (e > top) top = e;
    }
    floor_e = top * 3.1622776601683795e-4;      /* 10^-3.5: 35 dB below the loudest frame */
    for (i = 0; i < nf; i++) {
        double e = 0;
        size_t j;
        for (j = i * F; j < (i + 1) * F; j++) e += (double)s[j] * s[j];
        if (e / F >= floor_e) { if (a == nf) a = i; b = i; }
    }
    if (a == nf) return;
    *lo = a * F > 960 ? a * F - 960 : 0;
    *hi = (b + 1) * F + 960 < n ? (b + 1) * F + 960 : n;
}

/* --wearer: queue the speech of DIR/<word>/<next wav> for each word of the confirm event's "code" array,
 * WORD_GAP apart. */
static void answer_code(const char *ev) {
    static unsigned used[64];
    const char *p = strstr(ev, "\"code\":[");
    if (!p) return;
    for (p += 8; *p && *p != ']';) {
        char word[32], dir[4096], err[256], **files = NULL;
        size_t n = 0, k = 0, lo, hi;
        int nf;
        int16_t *clip;
        if (*p != '"') { p++; continue; }
        for (p++; *p && *p != '"' && k + 1 < sizeof word; p++) word[k++] = *p;
        word[k] = 0;
        if (*p == '"') p++;
        /* each use of a word takes its next recording, as a person never says a word twice the same way */
        snprintf(dir, sizeof dir, "%s/%s", o.wearer, word);
        nf = list_files(dir, ".wav", &files);
        if (nf <= 0) { fprintf(stderr, "glasses-host: the wearer has no recording of \"%s\" in %s\n", word, dir); continue; }
        clip = read_wav16k(files[(used[word[0] & 63]++) % nf], &n, err, sizeof err);
        free_list(files, nf);
        if (!clip) die(err);
        speech_span(clip, n, &lo, &hi);
        speech = realloc(speech, (speech_len + (hi - lo) + WORD_GAP) * sizeof *speech);
        if (!speech) die("out of memory");
        memcpy(speech + speech_len, clip + lo, (hi - lo) * sizeof *clip);
        memset(speech + speech_len + (hi - lo), 0, WORD_GAP * sizeof *speech);
        speech_len += (hi - lo) + WORD_GAP;
        free(clip);
    }
}

/* The anchor: the highest state generation ever saved. On a board it is a hardware monotonic counter
 * (RPMB, OTP, a secure element); here a text file beside the blob, as the TypeScript host keeps it. */
static uint32_t read_anchor(void) {
    size_t n = 0;
    uint8_t *a = read_file(anchor_path, 16, &n);
    unsigned long v = 0;
    if (!a) return 0;
    a[n < 16 ? n : 15] = 0;
    v = strtoul((char *)a, NULL, 10);
    free(a);
    return (uint32_t)v;
}

static uint32_t save_state(void) {
    int32_t n = CALL0("stateSave");
    uint8_t *blob;
    uint32_t gen;
    char text[16];
    if (n <= 0) die("the firmware could not seal its state");
    blob = dev_mem((uint32_t)CALL0("stateBlob"), (uint32_t)n);
    if (!blob || write_file_atomic(state_path, blob, (size_t)n, 0600) != 0) die("cannot write the state blob");
    gen = (uint32_t)blob[GLASSES_STATE_GENERATION_OFFSET] | (uint32_t)blob[GLASSES_STATE_GENERATION_OFFSET + 1] << 8 |
          (uint32_t)blob[GLASSES_STATE_GENERATION_OFFSET + 2] << 16 | (uint32_t)blob[GLASSES_STATE_GENERATION_OFFSET + 3] << 24;
    /* after the blob: a crash between the two leaves the anchor lower, never above the blob on disk */
    if (gen > read_anchor()) {
        snprintf(text, sizeof text, "%lu\n", (unsigned long)gen);
        if (write_file_atomic(anchor_path, (const uint8_t *)text, strlen(text), 0600) != 0) die("cannot write the state anchor");
    }
    return gen;
}

static void feed_fragment(const uint8_t *f, int n) {
    uint8_t *rx = dev_mem((uint32_t)CALL0("linkRxBuffer"), (uint32_t)n);
    if (!rx) die("linkRxBuffer out of bounds");
    memcpy(rx, f, (size_t)n);
    CALL1("onLinkRx", "i", n);
}

/* One round, in the contract's order: events (saving the state when asked, before anything is sent),
 * then outgoing fragments, then incoming ones (waiting up to wait_ms when a message was sent). */
static void pump(int wait_ms) {
    for (;;) {
        int32_t n, sent = 0, sent_msg = 0, got = 0;
        uint8_t frag[512];
        while ((n = CALL0("nextEvent")) > 0) {
            char ev[GLASSES_EVENT_MAX + 1], type[32];
            uint8_t *p = dev_mem((uint32_t)CALL0("eventBuffer"), (uint32_t)n);
            if (!p) die("eventBuffer out of bounds");
            memcpy(ev, p, (size_t)n);
            ev[n] = 0;
            printf("%s\n", ev);
            json_str(ev, "type", type, sizeof type);
            if (strcmp(type, "state") == 0) json_str(ev, "to", state_name, sizeof state_name);
            if (strcmp(type, "confirm") == 0) {
                asks++;
                if (!json_str(ev, "what", ask_what, sizeof ask_what)) ask_what[0] = 0;
                if (!json_str(ev, "confirm_by", ask_by, sizeof ask_by)) ask_by[0] = 0;
                if (strcmp(ask_by, "button") != 0) answer_code(ev);
            }
            if (strcmp(type, "persist") == 0) {
                uint32_t gen = save_state();
                if (CALL1("statePersisted", "i", gen) != GLASSES_OK) die("the firmware refused the persisted generation");
            }
        }
        fflush(stdout);
        while (link_fd >= 0 && (n = CALL0("linkTx")) > 0) {
            uint8_t *tx = dev_mem((uint32_t)CALL0("linkTxBuffer"), (uint32_t)n);
            int32_t off = 0;
            if (!tx) die("linkTxBuffer out of bounds");
            while (off + 2 <= n) { /* records: [u16 LE length][fragment] */
                int32_t len = tx[off] | tx[off + 1] << 8;
                if (link_send(link_fd, tx + off + 2, (size_t)len) != 0) die("the phone link closed");
                if (tx[off + 2] == 0x83) sent_msg++; /* a MSG may be answered; KEEPALIVE/CANCEL are not */
                off += 2 + len; sent++;
            }
        }
        if (link_fd >= 0) {
            int r = link_recv(link_fd, frag, sizeof frag, sent_msg > 0 ? wait_ms : 0);
            while (r > 0) {
                feed_fragment(frag, r);
                got++;
                r = link_recv(link_fd, frag, sizeof frag, 0);
            }
        }
        if (got) { CALL1("tick", "I", t); continue; }
        if (!sent) return;
    }
}

static void write_hud(const char *tag) {
    char path[4096];
    uint32_t w = board->display_w, h = board->display_h, x, y;
    uint8_t *fb, *gray;
    if (!o.hud || !CALL0("hudDirty")) return;
    fb = dev_mem((uint32_t)CALL0("hudBuffer"), board->hud_bytes);
    gray = malloc(w * h);
    if (!fb || !gray) die("hudBuffer out of bounds");
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++) /* 1 bpp rows are MSB first; a set bit is a lit pixel */
            gray[y * w + x] = board->display_bpp == 8 ? fb[y * w + x] : (fb[y * ((w + 7) / 8) + x / 8] & (0x80 >> (x & 7))) ? 255 : 0;
    snprintf(path, sizeof path, "%s/hud-%02d-%s.pgm", o.hud, hud_count++, tag);
    if (write_gray_pgm(path, gray, (int)w, (int)h) != 0) die("cannot write a HUD frame");
    free(gray);
}

static int in_state(const char *a, const char *b, const char *c) {
    return strcmp(state_name, a) == 0 || (b && strcmp(state_name, b) == 0) || (c && strcmp(state_name, c) == 0);
}

/* One hop of audio (silence when nothing is being said) into audioBuffer() and onAudio(). */
static void audio_hop(const int16_t *src, size_t n) {
    int16_t *dst = (int16_t *)dev_mem((uint32_t)CALL0("audioBuffer"), HOP * 2);
    if (!dst) die("audioBuffer out of bounds");
    if (src) memcpy(dst, src, n * 2); else memset(dst, 0, HOP * 2);
    dev_call("onAudio", "iI", (int64_t)(src ? n : HOP), t, 0, 0);
}

static void parse_args(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { fputs(USAGE, stdout); exit(0); }
        if (!v) { fprintf(stderr, "glasses-host: %s needs a value\n%s", a, USAGE); exit(2); }
        if (strcmp(a, "--module") == 0) o.module = v;
        else if (strcmp(a, "--board") == 0) o.board = v;
        else if (strcmp(a, "--data") == 0) o.data = v;
        else if (strcmp(a, "--frames") == 0) o.frames = v;
        else if (strcmp(a, "--wearer") == 0) o.wearer = v;
        else if (strcmp(a, "--hud") == 0) o.hud = v;
        else if (strcmp(a, "--link") == 0) o.port = atoi(v);
        else if (strcmp(a, "--enroll") == 0) o.enroll = v;
        else { fprintf(stderr, "glasses-host: unknown option %s\n%s", a, USAGE); exit(2); }
        i++;
    }
    if (!o.module || !o.board || !o.data || !o.frames || o.port <= 0 || !o.wearer) {
        fputs(USAGE, stderr);
        exit(2);
    }
}

/* The device secret from the host's secure storage: a 0600 file here, made once from /dev/urandom. */
static void set_secret(void) {
    char path[4096];
    size_t n = 0;
    uint8_t *s;
    snprintf(path, sizeof path, "%s/device-secret", o.data);
    s = read_file(path, GLASSES_SECRET_MAX, &n);
    if (!s) {
        uint8_t fresh[32];
        FILE *r = fopen("/dev/urandom", "rb");
        if (!r || fread(fresh, 1, sizeof fresh, r) != sizeof fresh) die("cannot read /dev/urandom");
        fclose(r);
        if (write_file_atomic(path, fresh, sizeof fresh, 0600) != 0) die("cannot write the device secret");
        s = read_file(path, GLASSES_SECRET_MAX, &n);
        if (!s) die("cannot read the device secret back");
    }
    memcpy(dev_mem((uint32_t)CALL0("secretBuffer"), (uint32_t)n), s, n);
    memset(s, 0, n);
    free(s);
    if (CALL1("setDeviceSecret", "i", (int32_t)n) != GLASSES_OK) die("device secret refused (16-64 bytes)");
}

static void init_device(void) {
    uint32_t rec[GLASSES_CONFIG_BYTES / 4];
    int32_t st;
    size_t n = 0;
    uint8_t *blob;
    rec[0] = GLASSES_CONFIG_MAGIC; rec[1] = GLASSES_CONFIG_VERSION;
    rec[2] = board->camera_w; rec[3] = board->camera_h; rec[4] = board->mic_rate;
    rec[5] = board->display_w; rec[6] = board->display_h; rec[7] = board->display_bpp; rec[8] = board->link_mtu;
    memcpy(dev_mem((uint32_t)CALL0("configBuffer"), sizeof rec), rec, sizeof rec); /* little-endian host */
    st = CALL1("init", "i", (int32_t)sizeof rec);
    if (st != GLASSES_OK) { fprintf(stderr, "glasses-host: init: %s\n", glasses_status_message(st)); pump(0); exit(2); }
    CALL1("stateAnchor", "i", (int32_t)read_anchor()); /* an older blob than this is a rollback */
    blob = read_file(state_path, GLASSES_STATE_BLOB_MAX, &n);
    if (blob) {
        memcpy(dev_mem((uint32_t)CALL0("stateInBuffer"), (uint32_t)n), blob, n);
        free(blob);
        st = CALL1("loadState", "i", (int32_t)n);
        if (st != GLASSES_OK) { fprintf(stderr, "glasses-host: %s refused: %s (move it away to start fresh)\n", state_path, glasses_status_message(st)); exit(2); }
    }
}

/* The owner's voice, first run only: DIR/<word>/*.wav, each clip tagged with its code word. The firmware
 * names the word's index (codeWordIndexOf), so this host carries no copy of the vocabulary. */
static void enroll(void) {
    char **words = NULL, err[256];
    int nw, i, j, clips = 0;
    if (CALL0("ownerEnrolled")) return;
    if (!o.enroll) die("no owner's voice is enrolled on these glasses: give --enroll DIR (DIR/<word>/*.wav)");
    nw = list_dirs(o.enroll, &words);
    if (nw <= 0) die("--enroll DIR has no word folders (DIR/<word>/*.wav)");
    if (CALL0("enrollBegin") != GLASSES_OK) die("the glasses refused enrolment (it follows pairing)");
    for (i = 0; i < nw; i++) {
        const char *word = strrchr(words[i], '/') + 1;
        size_t len = strlen(word);
        char **files = NULL;
        int idx, nf;
        if (len == 0 || len > 32) continue;
        memcpy(dev_mem((uint32_t)CALL0("frameBuffer"), (uint32_t)len), word, len);
        idx = CALL1("codeWordIndexOf", "i", (int32_t)len);
        nf = list_files(words[i], ".wav", &files);
        for (j = 0; j < nf; j++) {
            size_t n = 0;
            int16_t *clip = read_wav16k(files[j], &n, err, sizeof err), *dst;
            int32_t st;
            if (!clip) die(err);
            if (n > ENROLL_MAX_SAMPLES) n = ENROLL_MAX_SAMPLES;
            dst = (int16_t *)dev_mem((uint32_t)CALL0("audioBuffer"), (uint32_t)n * 2);
            if (!dst) die("audioBuffer out of bounds");
            memcpy(dst, clip, n * 2);
            free(clip);
            st = (int32_t)dev_call("enrollAdd", "ii", (int64_t)n, idx, 0, 0);
            if (st != GLASSES_OK) { fprintf(stderr, "glasses-host: %s: %s\n", files[j], glasses_status_message(st)); exit(2); }
            clips++;
        }
        if (nf > 0) free_list(files, nf);
    }
    free_list(words, nw);
    if (CALL0("enrollFinish") != GLASSES_OK) die("enrolment failed: --enroll needs clips of every code word");
    fprintf(stderr, "glasses-host: owner's voice enrolled from %d clips\n", clips);
}

/* Audio runs while the glasses ask or check the voice (the wearer's words queued by confirm events, silence
 * otherwise), for at most max_hops hops of 20 ms of device time. */
static void listen(int max_hops) {
    int i;
    for (i = 0; i < max_hops && in_state("confirming", "verifying", NULL); i++) {
        size_t left = speech_len - speech_pos, n = left < HOP ? left : HOP;
        if (n) { audio_hop(speech + speech_pos, n); speech_pos += n; } else audio_hop(NULL, HOP);
        t += 20;
        CALL1("tick", "I", t);
        pump(3000);
        if (i % 25 == 0) write_hud("confirm");
    }
}

/* Pairing on a first run: the wearer opens pairing mode, the phone sends its registration challenge and
 * name, the HUD shows the comparison code, and the wearer confirms (button on a first pairing, else the
 * spoken code). A paired device refuses pairBegin, and this is skipped. */
static void pair(void) {
    uint8_t frag[512];
    int r, before = asks;
    if (CALL1("pairBegin", "I", t) != GLASSES_OK) return;
    r = link_recv(link_fd, frag, sizeof frag, 2000);
    while (r > 0) { feed_fragment(frag, r); r = link_recv(link_fd, frag, sizeof frag, 50); }
    pump(500);
    write_hud("pair");
    if (asks == before || strcmp(ask_what, "pairing") != 0) die("pairing: the phone sent no registration challenge");
    t += 1500;
    if (strcmp(ask_by, "button") == 0) dev_call("onButton", "iI", GLASSES_BUTTON_CONFIRM, t, 0, 0);
    else listen(1000);
    pump(2000);
    fprintf(stderr, "glasses-host: pairing %s\n", in_state("idle", NULL, NULL) ? "confirmed" : state_name);
}

int main(int argc, char **argv) {
    char err[256], **frames = NULL;
    int i, nframes;
    struct timespec now;
    parse_args(argc, argv);
    for (i = 0; i < GLASSES_BOARD_COUNT; i++) if (strcmp(boards[i].id, o.board) == 0) board = &boards[i];
    if (!board) die("unknown --board (see GLASSES_BOARDS_INIT in glasses.h)");
    if (mkdir(o.data, 0700) != 0 && errno != EEXIST) die("cannot create the --data folder");
    if (o.hud && mkdir(o.hud, 0755) != 0 && errno != EEXIST) die("cannot create the --hud folder");
    snprintf(state_path, sizeof state_path, "%s/glasses-state.bin", o.data);
    snprintf(anchor_path, sizeof anchor_path, "%s.anchor", state_path);
    nframes = list_files(o.frames, ".pgm", &frames);
    if (nframes <= 0) die("no .pgm frames in --frames");

    if (dev_open(o.module, err, sizeof err) != 0) { fprintf(stderr, "glasses-host: %s\n", err); return 2; }
    set_secret();
    init_device();
    clock_gettime(CLOCK_MONOTONIC, &now);
    t = (int64_t)now.tv_sec * 1000;
    link_fd = link_connect(o.port);
    if (link_fd < 0) die("cannot connect to the phone link on 127.0.0.1");

    pair();
    enroll();
    save_state();

    CALL1("payBegin", "I", t);
    pump(0);
    write_hud("scan");
    for (i = 0; i < nframes && in_state("scanning", NULL, NULL); i++) {
        int w, h;
        uint8_t *pix = read_pgm(frames[i], &w, &h, err, sizeof err), *dst;
        if (!pix) die(err);
        if ((uint32_t)w > board->camera_w || (uint32_t)h > board->camera_h) die("a frame is larger than the board's camera");
        dst = dev_mem((uint32_t)CALL0("frameBuffer"), (uint32_t)(w * h));
        memcpy(dst, pix, (size_t)(w * h));
        free(pix);
        dev_call("onFrame", "iiiI", w, h, w, t);
        pump(2000);
        write_hud("frame");
        t += FRAME_INTERVAL_MS;
        CALL1("tick", "I", t);
        pump(0);
    }
    free_list(frames, nframes);

    listen(1000); /* at most 20 s of device time */
    for (i = 0; i < 50 && in_state("signing", "awaiting-wallet", "verifying"); i++) {
        pump(200);
        t += 100;
        CALL1("tick", "I", t);
    }
    pump(200);
    write_hud("result");
    printf("{\"type\":\"host_result\",\"state\":\"%s\",\"paid\":%s,\"hud_frames\":%d}\n", state_name,
           strcmp(state_name, "done") == 0 ? "true" : "false", hud_count);
    dev_close();
    return strcmp(state_name, "done") == 0 ? 0 : 1;
}
