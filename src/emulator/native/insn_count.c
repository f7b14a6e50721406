/*
 * micronets QEMU TCG plugin: exact guest instruction counts.
 *
 * Every translated guest instruction gets an inline "add 1" on a 64-bit counter, so the count is exact
 * and costs no helper call. Optionally one address is watched (the firmware's mn_mark): each time the
 * instruction there executes, a callback appends the running count to a list of snapshots. The
 * callback runs before that instruction's own increment, so a snapshot is the number of instructions
 * executed before the marker was entered; per-region counts are differences of consecutive snapshots.
 *
 * Arguments (QEMU 7.2 passes `-plugin insn_count.so,mark=0x328,out=/path` as "mark=0x328", "out=/path"):
 *   mark=ADDRESS  address of the watched instruction (decimal or 0x-hex; the Thumb bit is ignored)
 *   out=PATH      write the report there (without it: qemu_plugin_outs, shown with QEMU option -d plugin)
 * Report, written when QEMU exits: "total N" then one "mark N" line per snapshot, then "end".
 *
 * Written against the QEMU plugin API version 1 (QEMU 7.2). QEMU's packages ship no qemu-plugin.h,
 * so the few declarations used are repeated here with the header's exact types.
 * Build: gcc -shared -fPIC -O2 -fvisibility=hidden -o insn_count.so insn_count.c
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- declarations from QEMU 7.2's include/qemu/qemu-plugin.h (API version 1) ---- */
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t; /* only passed through by pointer */
struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);
/* ---- end of QEMU declarations ---- */

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

/* The guest is a single Cortex-M core (one vCPU), so one plain counter is exact. */
static uint64_t executed;

static bool have_mark;
static uint64_t mark_address;
static const char *out_path;

static uint64_t *snapshots;
static size_t snapshot_count;
static size_t snapshot_capacity;
static bool snapshots_lost; /* set if memory ran out; the report then says so */

static void on_mark(unsigned int vcpu_index, void *userdata) {
  (void)vcpu_index;
  (void)userdata;
  if (snapshot_count == snapshot_capacity) {
    size_t capacity = snapshot_capacity ? snapshot_capacity * 2 : 1024;
    uint64_t *grown = realloc(snapshots, capacity * sizeof *grown);
    if (!grown) {
      snapshots_lost = true;
      return;
    }
    snapshots = grown;
    snapshot_capacity = capacity;
  }
  snapshots[snapshot_count++] = executed;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    /* Register the snapshot first: it then runs before this instruction's own increment. */
    if (have_mark && (qemu_plugin_insn_vaddr(insn) & ~(uint64_t)1) == mark_address) {
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
  }
}

static void write_report(FILE *f) {
  fprintf(f, "total %" PRIu64 "\n", executed);
  for (size_t i = 0; i < snapshot_count; i++) fprintf(f, "mark %" PRIu64 "\n", snapshots[i]);
  if (snapshots_lost) fprintf(f, "error out of memory for mark snapshots\n");
  fprintf(f, "end\n");
}

static void on_exit_report(qemu_plugin_id_t id, void *userdata) {
  (void)id;
  (void)userdata;
  if (out_path) {
    FILE *f = fopen(out_path, "w");
    if (f) {
      write_report(f);
      if (fclose(f) == 0) return;
    }
    qemu_plugin_outs("insn_count: cannot write the report file\n");
    return;
  }
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  if (!f) return;
  write_report(f);
  if (fclose(f) == 0 && text) qemu_plugin_outs(text);
  free(text);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc,
                                           char **argv) {
  (void)info;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (strncmp(arg, "mark=", 5) == 0) {
      char *end = NULL;
      unsigned long long value = strtoull(arg + 5, &end, 0);
      if (end == arg + 5 || *end != '\0') {
        fprintf(stderr, "insn_count: bad mark address '%s'\n", arg + 5);
        return -1;
      }
      have_mark = true;
      mark_address = (uint64_t)value & ~(uint64_t)1;
    } else if (strncmp(arg, "out=", 4) == 0) {
      out_path = arg + 4; /* argv stays valid for the plugin's lifetime */
    } else {
      fprintf(stderr, "insn_count: unknown argument '%s'\n", arg);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit_report, NULL);
  return 0;
}
