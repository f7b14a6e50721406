/**
 * The MicroNets paper's results table (Banbury et al., MLSys 2021, Table 4) as transcribed in
 * ../shared/docs/micronets-paper.md: Mops (= 2 × MACs), flash KB (= the .tflite file size, KB = 1000 B)
 * and SRAM KB (TFLM's recording interpreter: the whole arena), for the rows micronets has layer lists of.
 */

export interface PaperRow {
  model: string;
  mops: number;
  flashKB: number;
  sramKB: number;
  /** micronets' architecture fixture of this model (fixtures/architectures/). */
  fixture: string;
  /** How the fixture's layer list relates to the paper's model. */
  layerList: "exact" | "approximate" | "different";
  note: string;
}

const TABLE5 = "layer list from the paper's Table 5";

export const PAPER_ROWS: readonly PaperRow[] = [
  { model: "MicroNet-KWS-L", mops: 129, flashKB: 612, sramKB: 208.8, fixture: "micronet-kws-l.json", layerList: "exact", note: `${TABLE5}; the paper counted 24.5 rows after the stride-2 block` },
  { model: "MicroNet-KWS-M", mops: 30.6, flashKB: 163, sramKB: 103.3, fixture: "micronet-kws-m.json", layerList: "exact", note: `${TABLE5}; the paper counted 24.5 rows after the stride-2 block` },
  { model: "MicroNet-KWS-S", mops: 16.4, flashKB: 102, sramKB: 53.2, fixture: "micronet-kws-s.json", layerList: "exact", note: `${TABLE5}; the paper counted 24.5 rows after the stride-2 block` },
  { model: "MicroNet-VWW-2", mops: 5.3, flashKB: 230, sramKB: 69.5, fixture: "micronet-vww-2.json", layerList: "approximate", note: "third-party Keras re-creation (Wake_Vision); the paper publishes only the VWW search space" },
  { model: "MicroNet-VWW-3", mops: 45.2, flashKB: 458, sramKB: 133.7, fixture: "micronet-vww-3.json", layerList: "approximate", note: "third-party Keras re-creation (Wake_Vision)" },
  { model: "MicroNet-VWW-4", mops: 37.7, flashKB: 416, sramKB: 118.7, fixture: "micronet-vww-4.json", layerList: "approximate", note: "third-party Keras re-creation (Wake_Vision)" },
  { model: "MicroNet-AD-L", mops: 129, flashKB: 442, sramKB: 383.7, fixture: "micronet-ad-l.json", layerList: "exact", note: `${TABLE5}; 8 outputs as released (the table says 4)` },
  { model: "MicroNet-AD-M", mops: 124.7, flashKB: 464, sramKB: 274.5, fixture: "micronet-ad-m.json", layerList: "exact", note: `${TABLE5}; 8 outputs as released (the table says 4)` },
  { model: "MicroNet-AD-S", mops: 37.5, flashKB: 253, sramKB: 114.2, fixture: "micronet-ad-s.json", layerList: "exact", note: `${TABLE5}; 8 outputs as released (the table says 4)` },
  { model: "DS-CNN-L", mops: 107.2, flashKB: 490, sramKB: 201.3, fixture: "ds-cnn-l.json", layerList: "different", note: "Hello Edge's DS-CNN-L; the paper's baseline was evidently a different model" },
  { model: "DS-CNN-M", mops: 37.3, flashKB: 181, sramKB: 123.3, fixture: "ds-cnn-m.json", layerList: "different", note: "Hello Edge's DS-CNN-M; the paper's baseline was evidently a different model" },
  { model: "DS-CNN-S", mops: 7.1, flashKB: 49, sramKB: 47.2, fixture: "ds-cnn-s.json", layerList: "different", note: "Hello Edge's DS-CNN-S; the paper's baseline was evidently a different model" },
];
