/* Files: whole-file reads, atomic writes, PGM frames, 16 kHz WAV clips, sorted folder listings. */
#ifndef IO_H
#define IO_H
#include <stdint.h>
#include <stddef.h>

uint8_t *read_file(const char *path, size_t max, size_t *len);
/* temp file + fsync + rename + fsync of the folder: a crash leaves the old file or the new one. */
int write_file_atomic(const char *path, const uint8_t *data, size_t len, int mode);
/* 8-bit binary PGM (P5, maxval 255). Returns the pixels (malloc) or NULL with a message in err. */
uint8_t *read_pgm(const char *path, int *w, int *h, char *err, size_t err_len);
int write_gray_pgm(const char *path, const uint8_t *pix, int w, int h);
/* 16 kHz mono 16-bit PCM WAV only (convert others with sox/ffmpeg). Returns samples (malloc) or NULL. */
int16_t *read_wav16k(const char *path, size_t *n, char *err, size_t err_len);
/* Paths (malloc'd, sorted) of the files in dir whose names end with ext; returns the count or -1. */
int list_files(const char *dir, const char *ext, char ***out);
/* Paths (malloc'd, sorted) of the subfolders of dir (not starting with '.'); returns the count or -1. */
int list_dirs(const char *dir, char ***out);
void free_list(char **list, int n);
#endif
