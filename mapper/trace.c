/* trace.c - the mapper's output files.
 *
 * codesim trace CSV (NAME.trace.csv), version 1.  Lines starting with
 * '#' are comments; the first says what was mapped:
 *   # codesim trace v1 model=NAME family=F hw=NAME batch=B prompt=L gen=G
 *     wbits=W abits=A kvbits=V
 * then a header row and one row per op, in execution order (the embedding,
 * one decoder block, or every layer's block when the layers differ (MoE
 * routing, per-layer windows), the final norm and LM head, for the prefill
 * and then for each decode step):
 *   phase        prefill | decode
 *   step         0 for prefill, s = 1 .. gen-1 for decode step s
 *   op           embed, norm_attn, qkv, rope, kv_append, qk, softmax, sv,
 *                subnorm_attn, o_proj, residual_attn, norm_ffn, gate_up,
 *                act_gate, subnorm_ffn, down, fc1, act, fc2, residual_ffn,
 *                norm_final, project_in, project_out, lm_head; with the
 *                other families also norm_qk, norm_post_attn, norm_post_ffn,
 *                norm_embed, softcap; MoE: router, topk, shr_gate_up,
 *                act_gate_shr, shr_down, shr_gate, moe_gate_up (count =
 *                experts with m routed tokens), act_gate_moe, moe_down,
 *                moe_combine; MLA: q_a, norm_q_a, q_b, q_proj, kv_a,
 *                norm_kv_a, kv_b (decompressed form), q_absorb, v_absorb
 *                (absorbed form, count = heads)
 *   repeat       identical copies of the row: the number of decoder layers
 *                for block ops, 1 otherwise.  Every other number in the row
 *                is for ONE copy; totals multiply by repeat.
 *   kind         gemm | gemv | vector
 *   unit         systolic | vector | lut | pim (mapper_place, mapper/tiling.h:
 *                lut for 1..4-bit weight GEMMs with a lut: section, pim for
 *                decode qk/sv with a pim: section)
 *   m,n,k        GEMM per instance: O[m][n] = A[m][k] x B[k][n]; vector:
 *                m rows of n elements, k = 0
 *   count        independent instances (attention: batch x KV heads;
 *                moe_gate_up/moe_down: experts, each its own weights)
 *   abits,bbits,obits  widths of A, B and the output at the run's precision
 *   flops        all instances (see mapper/ops.c for the counting rules)
 *   bytes_read,bytes_written  all instances, at the run's widths
 *   tm,tn,tk,order,tiles  the chosen tiling (tile sizes, loop order outer to
 *                inner, tiles per instance); empty for vector ops.  lut: the
 *                unit's tile, order mkn, tiles = LUT runs per instance (1, or
 *                the column blocks its output buffer needs: the LUT tiles
 *                each run itself); pim: tile sizes and order empty, tiles 1
 *   cycles       all instances on the unit (vector: DRAM streaming time;
 *                pim: DRAM command-clock cycles of the dram: device, not
 *                array cycles)
 *   dram_bytes   all instances, as moved by the unit at its widths (pim: the
 *                K/V bytes read from the row buffers into the PIM units,
 *                inside the banks)
 *   compulsory_bytes  A, B and O moved once (dram_bytes - compulsory_bytes
 *                is the non-compulsory traffic)
 *
 * SCALE-Sim topology CSV: "Layer,M,N,K," then one row per GEMM/GEMV op with
 * its per-instance shape, each line ending with a comma.  SCALE-Sim has no
 * repeat count, so the layer name carries it: PHASE.STEP.OP.xN means run the
 * row N = repeat x count times.
 */
#include "trace.h"

#include <inttypes.h>

int mapper_trace_write(FILE *fp, const mapper_model_t *m, const mapper_run_t *r,
                       const char *hw_name, const mapper_ops_t *ops)
{
    fprintf(fp, "# codesim trace v1 model=%s family=%s hw=%s batch=%" PRIu64 " prompt=%" PRIu64
            " gen=%" PRIu64 " wbits=%u abits=%u kvbits=%u\n", m->name,
            mapper_family_name(m->family), hw_name, r->batch, r->prompt, r->gen, r->wbits,
            r->abits, r->kvbits);
    fputs("phase,step,op,repeat,kind,unit,m,n,k,count,abits,bbits,obits,flops,bytes_read,"
          "bytes_written,tm,tn,tk,order,tiles,cycles,dram_bytes,compulsory_bytes\n", fp);
    for (size_t i = 0; i < ops->count; i++) {
        const mapper_op_t *o = &ops->ops[i];
        const mapper_tiling_t *t = &o->tiling;
        fprintf(fp, "%s,%u,%s,%u,%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%u,%u,%u,%"
                PRIu64 ",%" PRIu64 ",%" PRIu64 ",", mapper_phase_name(o->phase), o->step, o->name,
                o->repeat, mapper_kind_name(o->kind), mapper_unit_name(o->unit), o->m, o->n, o->k,
                o->count, o->abits, o->bbits, o->obits, o->flops, o->bytes_read, o->bytes_written);
        if (o->kind == MAPPER_VECTOR)
            fputs(",,,,,", fp);
        else if (o->unit == MAPPER_UNIT_PIM)
            fprintf(fp, ",,,,%" PRIu64 ",", t->tiles);
        else
            fprintf(fp, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%" PRIu64 ",", t->tm, t->tn, t->tk,
                    mapper_order_name(t->order), t->tiles);
        fprintf(fp, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", t->cycles, t->dram_bytes,
                t->compulsory_bytes);
    }
    return ferror(fp) ? -1 : 0;
}

int mapper_scalesim_write(FILE *fp, const mapper_ops_t *ops)
{
    fputs("Layer,M,N,K,\n", fp);
    for (size_t i = 0; i < ops->count; i++) {
        const mapper_op_t *o = &ops->ops[i];
        if (o->kind == MAPPER_VECTOR)
            continue;
        fprintf(fp, "%s.%u.%s.x%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",\n",
                mapper_phase_name(o->phase), o->step, o->name, (uint64_t)o->repeat * o->count,
                o->m, o->n, o->k);
    }
    return ferror(fp) ? -1 : 0;
}
