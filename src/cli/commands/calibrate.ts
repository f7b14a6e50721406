import { calibrate, calibratedTarget, renderCalibration } from "../../calibrate/calibrate.js";
import { readMeasurements } from "../../calibrate/measurements.js";
import { loadTarget } from "../../analysis/targets.js";
import { usageError } from "../../errors.js";
import { decodeUtf8Text, readInputFile } from "../../io/input-file.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { boolOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";

const usage = `usage: micronets calibrate <measurements.csv> --target NAME|FILE [options]

Least-squares fit of latency against ops (latency = slope × Mops + intercept) from your own board
measurements: prints slope, throughput, intercept, R² and each row's residual, and with -o writes the
target file with the new coefficients (schema-valid, citing the CSV as their source).

CSV columns (header row required, names case-insensitive, any order; lines starting with # are comments):
  model            path of a .tflite or architecture JSON (relative to the CSV's folder); its ops are computed
  ops, mops, macs  the op count instead of a model (ops = 2 × MACs, mops = ops / 1,000,000)
  latency_ms       measured latency of one inference, ms (required)
  energy_mj        measured energy of one inference, mJ (optional) — sets the target's power figure
  power_mw         measured board power while inferring, mW (optional, instead of energy_mj)
  name, note       free text (name labels the row)
Each row gives exactly one of model, ops, mops, macs. Example:
  name,mops,latency_ms,energy_mj
  MicroNet-KWS-S,16.4,109,48.6

options:
  --target NAME|FILE   the target to calibrate (a name from targets/ or a target JSON file; required)
  --family NAME        latency family to replace or add (default: the target's defaultFamily)
  --runtime TEXT       inference engine used for the measurements (default: the family's current one)
  --origin             fit a line through the origin (no per-inference overhead)
  -o, --out FILE       write the calibrated target JSON (atomic)`;

export const calibrateCommand: Command = {
  name: "calibrate",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("calibrate", argv, {
      target: { type: "string" },
      family: { type: "string" },
      runtime: { type: "string" },
      origin: { type: "boolean" },
      out: { type: "string", short: "o" },
    }, { min: 1, max: 1, names: "the measurements CSV file" });
    const csv = p.positionals[0]!;
    const targetName = stringOpt(p, "target");
    if (!targetName) throw usageError("calibrate: --target is required (the target whose latency model is fitted)");
    const target = loadTarget(targetName);
    const rows = readMeasurements(decodeUtf8Text(readInputFile(csv, { expected: "a measurements CSV file" }), csv), csv);
    const c = calibrate(target, rows, csv, { family: stringOpt(p, "family"), runtime: stringOpt(p, "runtime"), throughOrigin: boolOpt(p, "origin") });
    const out = stringOpt(p, "out");
    // Build (and schema-check) the new target before printing, so a refused fit prints nothing half-done.
    const json = out ? calibratedTarget(target, c, out) : null;
    let report = renderCalibration(c);
    if (out && json) {
      writeFileAtomic(out, `${JSON.stringify(json, null, 2)}\n`);
      report += `\nwrote ${out} (family '${c.family}'${c.power ? " and power" : ""} replaced; target schema checked)\n`;
    } else {
      report += "\n(use -o FILE to write the calibrated target file)\n";
    }
    io.out(report);
    return 0;
  },
};
