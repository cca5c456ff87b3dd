/**
 * A small RFC 4180 CSV reader/writer (quoted fields, doubled quotes, CRLF/LF, trailing empty fields kept).
 * Owns: turning text into rows of strings and back. Does not own: what the columns mean (the readers do).
 */

/** Parses CSV text into rows of fields. Blank lines are dropped; a BOM is ignored. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let fieldText = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = (): void => {
    row.push(fieldText);
    fieldText = '';
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
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
      } else fieldText += ch;
    } else if (ch === '"' && fieldText === '') quoted = true;
    else if (ch === ',') {
      row.push(fieldText);
      fieldText = '';
    } else if (ch === '\n') endRow();
    else if (ch === '\r') {
      if (text[i + 1] !== '\n') endRow();
    } else fieldText += ch;
  }
  if (fieldText !== '' || row.length > 0) endRow();
  return rows;
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Serialises rows (header first) with LF line endings and a final newline. */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((r) => r.map((v) => quote(String(v))).join(',')).join('\n') + '\n';
}
