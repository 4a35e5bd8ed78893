/* workload.h - layer CSVs: codesim's own and SCALE-Sim's topology files. */
#ifndef CODESIM_WORKLOAD_H
#define CODESIM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char name[64];
    uint64_t m, n, k;       /* O[M][N] = A[M][K] x B[K][N] */
    unsigned line;          /* line in the source file */
} layer_t;

typedef struct {
    layer_t *layers;
    size_t count;
    char *text;             /* the file exactly as read, owned */
} workload_t;

/* Loads a layer CSV.  Accepted forms (header row first, fields may carry
 * spaces, a trailing comma is allowed):
 *   GEMM:  Layer,M,N,K
 *   conv:  Layer name,IFMAP Height,IFMAP Width,Filter Height,Filter Width,
 *          Channels,Num Filter,Strides   -> M = output pixels, N = filters,
 *                                           K = Fh*Fw*Channels
 * On error returns -1 and err holds "FILE:LINE: FIELD: reason". */
int workload_load(const char *path, workload_t *wl, char *err, size_t errlen);
void workload_free(workload_t *wl);

#endif
