/* trace.h - writing a mapped op list: codesim's trace CSV and a SCALE-Sim
 * GEMM topology CSV (formats documented in trace.c). */
#ifndef CODESIM_MAPPER_TRACE_H
#define CODESIM_MAPPER_TRACE_H

#include <stdio.h>

#include "model.h"
#include "ops.h"

/* Both return 0, or -1 when a write fails (ferror(fp)). */
int mapper_trace_write(FILE *fp, const mapper_model_t *m, const mapper_run_t *r,
                       const char *hw_name, const mapper_ops_t *ops);
int mapper_scalesim_write(FILE *fp, const mapper_ops_t *ops);

#endif
