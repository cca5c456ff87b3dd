/**
 * A small RFC 4180 CSV reader/writer (quoted fields with commas, newlines and doubled quotes, CRLF/LF,
 * trailing empty fields kept), with the 1-based line each row starts on so errors can point at it.
 * Owns: turning text into rows of strings and back. Does not own: what the columns mean (the readers do).
 */

/** One parsed row and the physical line it starts on (a quoted field may span several lines). */
export interface CsvRow {
  fields: string[];
  line: number;
}

export interface ParsedCsv {
  rows: CsvRow[];
  /** Line of a quote that is never closed (the rest of the file was read as one field), else null. */
  unterminatedQuoteLine: number | null;
}

/** Parses CSV text into rows with their line numbers. Blank lines are dropped; a BOM is ignored. */
export function parseCsvRows(text: string): ParsedCsv {
  const rows: CsvRow[] = [];
  let row: string[] = [];
  let fieldText = '';
  let quoted = false;
  let quoteLine = 0;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = (): void => {
    row.push(fieldText);
    fieldText = '';
    if (!(row.length === 1 && row[0] === '')) rows.push({ fields: row, line: rowLine });
    row = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          fieldText += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        fieldText += ch;
      }
    } else if (ch === '"' && fieldText === '') {
      quoted = true;
      quoteLine = line;
    } else if (ch === ',') {
      row.push(fieldText);
      fieldText = '';
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) {
      endRow();
      line++;
      rowLine = line;
    } else if (ch !== '\r') fieldText += ch;
  }
  if (fieldText !== '' || row.length > 0 || quoted) endRow();
  return { rows, unterminatedQuoteLine: quoted ? quoteLine : null };
}

/** Parses CSV text into rows of fields. Blank lines are dropped; a BOM is ignored. */
export function parseCsv(text: string): string[][] {
  return parseCsvRows(text).rows.map((r) => r.fields);
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Serialises rows (header first) with LF line endings and a final newline. */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((r) => r.map((v) => quote(String(v))).join(',')).join('\n') + '\n';
}
