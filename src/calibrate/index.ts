/** Latency calibration from board measurements: CSV reading, least-squares fit, calibrated target files. */
export { calibrate, calibratedTarget, renderCalibration, type CalibratedRow, type Calibration, type CalibrationOptions } from "./calibrate.js";
export { csvPlace, parseCsv, type CsvRow, type CsvTable } from "./csv.js";
export { linearFit, type LinearFit } from "./linear-fit.js";
export { MEASUREMENT_COLUMNS, modelOps, readMeasurements, type Measurement } from "./measurements.js";
