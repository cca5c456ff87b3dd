/**
 * A layered ASCII drawing of the stage graph, like `dvc dag`: one row of boxed stages per layer,
 * edges routed through the gaps between layers, each in its own lane so they stay readable.
 *
 * Owns: layout (layers, ordering by barycentre, x positions) and drawing to text.
 * Does not own: which stages are drawn (dag-graph.ts selects them).
 *
 * Edges that skip layers pass through the skipped layers as vertical `|` lines (dummy nodes).
 * Lines are kept as direction bit-masks per cell and turned into characters at the end, so crossings
 * and corners come out as `+`.
 */
import { layerNodes, type PlainGraph } from '../../engine/index.js';

interface Slot {
  id: string;
  label?: string; // undefined for a dummy (pass-through) slot
  width: number;
  x: number; // left column
}

const GAP = 3;
const UP = 1,
  DOWN = 2,
  LEFT = 4,
  RIGHT = 8;

/** Renders `graph` as text lines (without trailing spaces). */
export function renderDagAscii(graph: PlainGraph): string {
  if (graph.nodes.length === 0) return '(no stages)';
  const { layers, links } = buildLayers(graph);
  orderLayers(layers, links);
  placeSlots(layers, links);
  return draw(layers, links);
}

function buildLayers(graph: PlainGraph): { layers: Slot[][]; links: Array<[string, string]> } {
  const layerOf = layerNodes(graph);
  const depth = Math.max(...layerOf.values()) + 1;
  const layers: Slot[][] = Array.from({ length: depth }, () => []);
  for (const n of graph.nodes) layers[layerOf.get(n)!].push({ id: n, label: n, width: n.length + 4, x: 0 });
  const links: Array<[string, string]> = [];
  for (const [a, b] of graph.edges) {
    let prev = a;
    for (let l = layerOf.get(a)! + 1; l < layerOf.get(b)!; l++) {
      const id = `\u0000${a}\u0000${b}\u0000${l}`;
      layers[l].push({ id, width: 1, x: 0 });
      links.push([prev, id]);
      prev = id;
    }
    links.push([prev, b]);
  }
  return { layers, links };
}

/** A few down/up barycentre sweeps to reduce crossings; ties keep declaration order. */
function orderLayers(layers: Slot[][], links: Array<[string, string]>): void {
  const pos = new Map<string, number>();
  const index = () => layers.forEach((layer) => layer.forEach((s, i) => pos.set(s.id, i)));
  index();
  const sortBy = (layer: Slot[], neighbours: (id: string) => string[]) => {
    const key = new Map(
      layer.map((s, i) => {
        const ns = neighbours(s.id)
          .map((n) => pos.get(n)!)
          .filter((p) => p !== undefined);
        return [s.id, ns.length ? ns.reduce((x, y) => x + y, 0) / ns.length : i] as const;
      }),
    );
    layer.sort((p, q) => key.get(p.id)! - key.get(q.id)!);
  };
  const parents = (id: string) => links.filter(([, b]) => b === id).map(([a]) => a);
  const children = (id: string) => links.filter(([a]) => a === id).map(([, b]) => b);
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let l = 1; l < layers.length; l++) {
      sortBy(layers[l], parents);
      index();
    }
    for (let l = layers.length - 2; l >= 0; l--) {
      sortBy(layers[l], children);
      index();
    }
  }
}

const centre = (s: Slot) => s.x + Math.floor(s.width / 2);

/**
 * Positions: each layer packed left to right, then alternate passes pull every slot towards the mean
 * centre of its parents (downwards) or children (upwards) without changing the order or overlapping.
 */
function placeSlots(layers: Slot[][], links: Array<[string, string]>): void {
  const byId = new Map(layers.flat().map((s) => [s.id, s]));
  const parents = new Map<string, Slot[]>();
  const children = new Map<string, Slot[]>();
  for (const [a, b] of links) {
    parents.set(b, [...(parents.get(b) ?? []), byId.get(a)!]);
    children.set(a, [...(children.get(a) ?? []), byId.get(b)!]);
  }
  for (const layer of layers)
    pack(
      layer,
      layer.map(() => 0),
    );
  const mean = (xs: Slot[] | undefined, s: Slot) =>
    xs?.length ? Math.round(xs.reduce((t, p) => t + centre(p), 0) / xs.length) - Math.floor(s.width / 2) : s.x;
  for (let pass = 0; pass < 6; pass++) {
    const order = pass % 2 === 0 ? layers : [...layers].reverse();
    for (const layer of order)
      pack(
        layer,
        layer.map((s) => mean((pass % 2 === 0 ? parents : children).get(s.id), s)),
      );
  }
  const minX = Math.min(...layers.flat().map((s) => s.x));
  for (const s of layers.flat()) s.x -= minX;
}

/** Sets x to the wanted positions where possible, keeping order and gaps (left to right, then right to left). */
function pack(layer: Slot[], want: number[]): void {
  let next = -Infinity;
  layer.forEach((s, i) => {
    s.x = Math.max(next, want[i]);
    next = s.x + s.width + GAP;
  });
  // Pull back left where the left-to-right pass pushed slots further right than they wanted.
  for (let i = layer.length - 2; i >= 0; i--) {
    const s = layer[i],
      right = layer[i + 1];
    s.x = Math.min(s.x, right.x - GAP - s.width);
    if (i > 0) s.x = Math.max(s.x, layer[i - 1].x + layer[i - 1].width + GAP);
  }
}

function draw(layers: Slot[][], links: Array<[string, string]>): string {
  const byId = new Map(layers.flat().map((s) => [s.id, s]));
  const layerOf = new Map<string, number>();
  layers.forEach((layer, l) => layer.forEach((s) => layerOf.set(s.id, l)));
  const rows: string[][] = [];
  const masks: number[][] = [];
  const width = Math.max(...layers.flat().map((s) => s.x + s.width)) + 1;
  const addRow = () => {
    rows.push(Array<string>(width).fill(' '));
    masks.push(Array<number>(width).fill(0));
    return rows.length - 1;
  };
  const line = (r: number, c: number, m: number) => {
    masks[r][c] |= m;
  };

  for (let l = 0; l < layers.length; l++) {
    const top = rows.length;
    for (let i = 0; i < 3; i++) addRow();
    for (const s of layers[l]) {
      if (s.label === undefined) {
        for (let i = 0; i < 3; i++) line(top + i, s.x, UP | DOWN);
        continue;
      }
      const border = '+' + '-'.repeat(s.width - 2) + '+';
      for (let i = 0; i < s.width; i++) {
        rows[top][s.x + i] = border[i]!;
        rows[top + 2][s.x + i] = border[i]!;
        rows[top + 1][s.x + i] = `| ${s.label} |`[i]!;
      }
    }
    if (l === layers.length - 1) break;
    const out = links.filter(([a]) => layerOf.get(a) === l).map(([a, b]) => [byId.get(a)!, byId.get(b)!] as const);
    // One lane per source that has a bent edge: down from the source, across to every target, down again.
    const sources = [...new Set(out.filter(([a, b]) => centre(a) !== centre(b)).map(([a]) => a))].sort(
      (p, q) => centre(p) - centre(q),
    );
    const first = rows.length;
    for (let i = 0; i < Math.max(1, sources.length) + 2; i++) addRow();
    const last = rows.length - 1;
    for (const [a, b] of out) {
      const li = sources.indexOf(a);
      const lane = first + 1 + Math.max(0, li);
      const [x1, x2] = [centre(a), centre(b)];
      for (let r = first; r <= (x1 === x2 ? last : lane); r++) line(r, x1, UP | (r < lane || x1 === x2 ? DOWN : 0));
      if (x1 !== x2) {
        const [lo, hi] = [Math.min(x1, x2), Math.max(x1, x2)];
        for (let c = lo; c <= hi; c++) line(lane, c, (c > lo ? LEFT : 0) | (c < hi ? RIGHT : 0));
        for (let r = lane; r <= last; r++) line(r, x2, (r > lane ? UP : 0) | DOWN);
      }
      if (b.label !== undefined) rows[last][x2] = 'v';
    }
  }
  return rows
    .map((row, r) =>
      row
        .map((ch, c) => (ch === ' ' ? maskChar(masks[r][c]) : ch))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

function maskChar(m: number): string {
  if (m === 0) return ' ';
  const vertical = (m & (UP | DOWN)) !== 0;
  const horizontal = (m & (LEFT | RIGHT)) !== 0;
  if (vertical && horizontal) return '+';
  return vertical ? '|' : '-';
}
