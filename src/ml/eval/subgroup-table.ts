/**
 * The subgroup results as files: the `subgroups` section of `metrics/eval.json`, `reports/subgroups.csv`
 * and `reports/subgroups.md`.
 *
 * - eval.json `subgroups`: the rule (age bands, minimum cases, what a flag means), `groups` (one entry per
 *   subgroup, keyed `view=PA`, with n, macro and per-label AUC, CI, overall AUC and the flag) and `flagged`
 *   (`view=AP Mass`, ...). Without metadata: `groups: []` and a `note` saying so.
 * - CSV: attribute,group,label,n,positives,negatives,auc,auc_low,auc_high,overall_auc,flag,note; one row
 *   per subgroup and label plus a `macro` row (its positives/negatives are empty); `flag` is `yes`/`no`/``.
 * - Markdown: the same as a table, flagged rows marked ⚑.
 *
 * Owns: these layouts. Does not own: the numbers (subgroups.ts).
 */
import { ageBandNames, type SubgroupAuc, type SubgroupReport } from './subgroups.js';

export const FLAG_RULE = "the subgroup's 95% bootstrap CI excludes the AUC on the whole test split";

interface Row {
  attribute: string;
  group: string;
  label: string;
  n: number;
  positives: number | null;
  negatives: number | null;
  r: SubgroupAuc;
}

function rows(groups: readonly SubgroupReport[]): Row[] {
  return groups.flatMap((g) => [
    { attribute: g.attribute, group: g.group, label: 'macro', n: g.n, positives: null, negatives: null, r: g.macro },
    ...g.labels.map((l) => ({
      attribute: g.attribute,
      group: g.group,
      label: l.label,
      n: g.n,
      positives: l.positives,
      negatives: l.negatives,
      r: l,
    })),
  ]);
}

/** `view=AP Mass` for every flagged label or macro. */
function flagged(groups: readonly SubgroupReport[]): string[] {
  return rows(groups)
    .filter((row) => row.r.ci_excludes_overall === true)
    .map((row) => `${row.attribute}=${row.group} ${row.label}`);
}

/** The `subgroups` object of eval.json. */
export function subgroupSection(
  groups: readonly SubgroupReport[] | null,
  o: { ageBands: readonly number[]; minCases: number },
): Record<string, unknown> {
  const rule = {
    age_bands: ageBandNames(o.ageBands),
    min_cases: o.minCases,
    flag: FLAG_RULE,
  };
  if (groups === null) {
    return { ...rule, groups: [], flagged: [], note: 'the test split has no view, sex or age metadata' };
  }
  return { ...rule, groups, flagged: flagged(groups) };
}

const f = (v: number | null): string => (v === null ? '' : v.toFixed(3));
const flagText = (v: boolean | null): string => (v === null ? '' : v ? 'yes' : 'no');

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function subgroupCsv(groups: readonly SubgroupReport[] | null): string {
  const lines = ['attribute,group,label,n,positives,negatives,auc,auc_low,auc_high,overall_auc,flag,note'];
  for (const row of rows(groups ?? [])) {
    lines.push(
      [
        row.attribute,
        csvField(row.group),
        csvField(row.label),
        row.n,
        row.positives ?? '',
        row.negatives ?? '',
        f(row.r.auc),
        f(row.r.auc_ci95[0]),
        f(row.r.auc_ci95[1]),
        f(row.r.overall_auc),
        flagText(row.r.ci_excludes_overall),
        csvField(row.r.undefined?.auc ?? ''),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

const md = (s: string): string => s.replace(/\|/g, '\\|');

export function subgroupMarkdown(
  groups: readonly SubgroupReport[] | null,
  o: { ageBands: readonly number[]; minCases: number; bootstrap: number },
): string {
  const head = ['# Subgroup AUC on the test split', ''];
  if (groups === null) {
    return [...head, 'The test split has no view, sex or age metadata, so there are no subgroups to report.', ''].join(
      '\n',
    );
  }
  const out = [
    ...head,
    `AUC with a 95% percentile-bootstrap CI (${o.bootstrap} resamples of the subgroup's images). ` +
      `⚑ marks a row where ${FLAG_RULE}. A label needs at least ${o.minCases} positives and ${o.minCases} negatives ` +
      `in a subgroup for an AUC. Age bands: ${ageBandNames(o.ageBands).join(', ')}.`,
    '',
    '| subgroup | label | n | positives | AUC | 95% CI | overall AUC | |',
    '|---|---|---:|---:|---:|---|---:|---|',
  ];
  for (const row of rows(groups)) {
    const ci = row.r.auc === null ? '' : `${f(row.r.auc_ci95[0])}–${f(row.r.auc_ci95[1])}`;
    const auc = row.r.auc === null ? `n/a (${row.r.undefined?.auc ?? 'undefined'})` : f(row.r.auc);
    const flag = row.r.ci_excludes_overall ? '⚑' : '';
    out.push(
      `| ${md(`${row.attribute}=${row.group}`)} | ${md(row.label)} | ${row.n} | ${row.positives ?? ''} | ${md(auc)} | ${ci} | ${f(row.r.overall_auc)} | ${flag} |`,
    );
  }
  const list = flagged(groups);
  out.push('', list.length === 0 ? 'No subgroup is flagged.' : `Flagged: ${list.join('; ')}.`, '');
  return out.join('\n');
}
