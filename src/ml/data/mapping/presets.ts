/**
 * The built-in layouts as fixed mappings, so NIH, Kermany and a user's CSV go through the same row rules
 * (map-rows.ts). What stays layout-specific lives in the readers: where NIH images are found (by file
 * name anywhere under the root), its masks and official lists; Kermany's folder walk and file-name parsing.
 *
 * Owns: the preset mappings. Does not own: the plain `labels.csv` layout (mapping.ts, the default of
 * `data.csv`).
 */
import type { CsvMapping } from './mapping.js';

/** NIH ChestX-ray14 `Data_Entry_2017.csv`; view, sex and age are kept when the columns are there. */
export const NIH_MAPPING: CsvMapping = {
  file: 'Data_Entry_2017.csv',
  images: '.',
  path: 'Image Index',
  patient: 'Patient ID',
  labels: { kind: 'column', column: 'Finding Labels', separator: '|' },
  noFinding: ['no finding', ''],
  rename: new Map(),
  view: { name: 'View Position', optional: true },
  sex: { name: 'Patient Gender', optional: true },
  age: { name: 'Patient Age', optional: true },
  mask: null,
  filter: [],
  id: 'basename',
};

/** The table the Kermany reader builds from its folder walk (`path`, `class` folder, parsed `patient`). */
export const KERMANY_MAPPING: CsvMapping = {
  file: '',
  images: '.',
  path: 'path',
  patient: 'patient',
  labels: { kind: 'column', column: 'class', separator: null },
  noFinding: ['normal'],
  rename: new Map([['pneumonia', 'Pneumonia']]),
  view: null,
  sex: null,
  age: null,
  mask: null,
  filter: [],
  id: 'basename',
};
