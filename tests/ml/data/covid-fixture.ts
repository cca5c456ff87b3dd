// Test helper: a small dataset in the layout of a public COVID-19 chest X-ray collection (one metadata CSV,
// images in images/): quoted notes with commas, quotes and line breaks, a trailing empty column,
// mixed-case extensions, CT rows, lateral views, multi-finding strings, PNG and JPEG of several kinds.
import sharp from 'sharp';
import { toCsv } from '../../../src/ml/data/csv.js';
import { put } from './fixtures.js';
import { encodePng } from './png-writer.js';

export const COVID_HEADER = [
  'patientid',
  'offset',
  'sex',
  'age',
  'finding',
  'survival',
  'view',
  'modality',
  'date',
  'location',
  'folder',
  'filename',
  'doi',
  'clinical_notes',
  '',
];

/** One metadata row: the columns the mapping uses, the rest realistic noise. */
export interface CovidRow {
  patient: string;
  file: string;
  finding: string;
  view?: string;
  modality?: string;
  sex?: string;
  age?: string;
  notes?: string;
}

function gradient(seed: number, w: number, h: number): number[] {
  return Array.from({ length: w * h }, (_, i) => ((i % w) * 5 + Math.floor(i / w) * 3 + seed * 17) % 256);
}

/** Image bytes of a kind chosen by the row index, so the fixture holds every common type. */
async function imageBytes(k: number, name: string): Promise<Buffer> {
  const w = 24 + (k % 5) * 7;
  const h = 20 + (k % 3) * 9;
  const px = Uint8Array.from(gradient(k, w, h));
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => px[Math.floor(i / 3)]);
  if (/\.jpe?g$/i.test(name)) {
    return k % 2 === 0
      ? sharp(px, { raw: { width: w, height: h, channels: 1 } })
          .jpeg()
          .toBuffer()
      : sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
          .jpeg({ progressive: true })
          .toBuffer();
  }
  switch (k % 3) {
    case 0:
      return encodePng(
        Array.from(px, (v) => v * 257),
        w,
        h,
        16,
      );
    case 1: {
      const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : px[Math.floor(i / 4)]));
      return sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
        .png()
        .toBuffer();
    }
    default:
      return encodePng(px, w, h);
  }
}

/** The rows of the default fixture: 14 patients, 3 CT rows, 2 lateral views. */
export function covidRows(): CovidRow[] {
  const rows: CovidRow[] = [];
  const findings = [
    'COVID-19',
    'COVID-19, ARDS',
    'Pneumonia',
    'Streptococcus',
    'No Finding',
    'COVID-19',
    'Pneumocystis, COVID-19',
  ];
  for (let p = 1; p <= 14; p++) {
    const ext = ['.jpg', '.JPG', '.png', '.PNG', '.Jpeg'][p % 5];
    rows.push({
      patient: String(p),
      file: `p${p}-a${ext}`,
      finding: findings[p % findings.length],
      view: p % 4 === 0 ? 'AP Supine' : p % 3 === 0 ? 'AP' : 'PA',
      sex: p % 2 === 0 ? 'F' : p % 7 === 0 ? '' : 'M',
      age: p % 5 === 0 ? '' : String(30 + p * 3),
      notes: p % 3 === 0 ? `Fever, dry cough.\nAdmitted "urgently" on day ${p}.` : 'Routine film',
    });
    if (p % 2 === 1)
      rows.push({
        patient: String(p),
        file: `p${p}-b.png`,
        finding: findings[(p + 2) % findings.length],
        view: 'PA',
        sex: 'M',
        age: String(31 + p * 3),
      });
  }
  rows.push({ patient: '3', file: 'p3-lateral.jpg', finding: 'COVID-19', view: 'L' });
  rows.push({ patient: '8', file: 'p8-lateral.png', finding: 'Pneumonia', view: 'L' });
  for (const p of [2, 5, 9])
    rows.push({ patient: String(p), file: `ct${p}.jpg`, finding: 'COVID-19', view: 'Axial', modality: 'CT' });
  return rows;
}

/** Writes `<root>/metadata.csv` (CRLF, trailing comma column) and the images of every X-ray row (CT files are absent, as in the real collection). */
export async function writeCovidDataset(
  dir: string,
  root: string,
  rows: readonly CovidRow[] = covidRows(),
  extraLines: string[] = [],
): Promise<void> {
  const table = rows.map((r) => [
    r.patient,
    '0',
    r.sex ?? '',
    r.age ?? '',
    r.finding,
    '',
    r.view ?? 'PA',
    r.modality ?? 'X-ray',
    'March 3, 2020',
    'Wuhan, China',
    'images',
    r.file,
    '10.1/x',
    r.notes ?? '',
    '',
  ]);
  const text = toCsv([COVID_HEADER, ...table]).replace(/\n(?=(?:[^"]*"[^"]*")*[^"]*$)/g, '\r\n');
  await put(dir, `${root}/metadata.csv`, text + extraLines.join('\r\n'));
  for (const [k, r] of rows.entries())
    if ((r.modality ?? 'X-ray') === 'X-ray') await put(dir, `${root}/images/${r.file}`, await imageBytes(k, r.file));
}

/** params.yaml `data.csv` for the fixture, as YAML text (indented under `data:`). */
export const COVID_CSV_YAML = `  csv:
    file: metadata.csv
    images: images
    path: filename
    patient: patientid
    labels: finding
    separator: ", "
    rename:
      "COVID-19, ARDS": COVID-19
      Streptococcus: Pneumonia
      Pneumocystis: Pneumonia
    view: view
    sex: sex
    age: age
    filter:
      modality: X-ray
      view: [PA, AP, AP Supine]
`;

/** The same mapping as a params object. */
export const COVID_CSV = {
  file: 'metadata.csv',
  images: 'images',
  path: 'filename',
  patient: 'patientid',
  labels: 'finding',
  separator: ', ',
  rename: { 'COVID-19, ARDS': 'COVID-19', Streptococcus: 'Pneumonia', Pneumocystis: 'Pneumonia' },
  view: 'view',
  sex: 'sex',
  age: 'age',
  filter: { modality: 'X-ray', view: ['PA', 'AP', 'AP Supine'] },
};
