// Unit: DAG selection and the ASCII / Mermaid / DOT renderers.
import { describe, expect, it } from 'vitest';
import { upstreamOf, type PlainGraph } from '../../src/engine/report/dag-graph.js';
import { renderDagAscii } from '../../src/cli/render/dag-ascii.js';
import { renderDagDot, renderDagMermaid } from '../../src/cli/render/dag-text-formats.js';

const chain: PlainGraph = {
  nodes: ['prepare', 'train', 'evaluate'],
  edges: [
    ['prepare', 'train'],
    ['train', 'evaluate'],
  ],
};
const diamond: PlainGraph = {
  nodes: ['data', 'left', 'right', 'join', 'other'],
  edges: [
    ['data', 'left'],
    ['data', 'right'],
    ['left', 'join'],
    ['right', 'join'],
  ],
};

describe('dag', () => {
  it('draws a chain as stacked boxes joined by arrows', () => {
    expect(renderDagAscii(chain)).toBe(
      [
        ' +---------+',
        ' | prepare |',
        ' +---------+',
        '      |',
        '      |',
        '      v',
        '  +-------+',
        '  | train |',
        '  +-------+',
        '      |',
        '      |',
        '      v',
        '+----------+',
        '| evaluate |',
        '+----------+',
      ].join('\n'),
    );
  });

  it('draws every stage of a diamond once, with an arrow into each child', () => {
    const text = renderDagAscii(diamond);
    for (const n of diamond.nodes) expect(text.match(new RegExp(`\\| ${n} \\|`, 'g'))).toHaveLength(1);
    expect((text.match(/v/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it('selects a stage and its upstream only', () => {
    expect(upstreamOf(diamond, 'left')).toEqual({ nodes: ['data', 'left'], edges: [['data', 'left']] });
  });

  it('renders mermaid and dot with quoted names', () => {
    const g: PlainGraph = { nodes: ['a', 'train@lr-0.01'], edges: [['a', 'train@lr-0.01']] };
    expect(renderDagMermaid(g)).toBe('flowchart TD\n  s0["a"]\n  s1["train@lr-0.01"]\n  s0 --> s1');
    expect(renderDagDot(g)).toBe('strict digraph {\n  "a";\n  "train@lr-0.01";\n  "a" -> "train@lr-0.01";\n}');
  });
});
