/**
 * Validated options of the `explain` stage (params section `explain`).
 */
import { Reader, section } from '../params/index.js';

export interface ExplainOptions {
  /** Images per case type (true positive, false positive, false negative) and label. */
  perLabel: number;
  /** Integrated-gradients steps. */
  steps: number;
  /** Grad-CAM layer (null = the architecture's last convolutional feature map). */
  layer: string | null;
  /** Edge of one overlay panel in pixels. */
  panel: number;
}

export function parseExplainOptions(params: Readonly<Record<string, unknown>>): ExplainOptions {
  const r = new Reader(section(params, 'explain'), 'explain');
  r.rejectUnknown(['per_label', 'steps', 'layer', 'panel']);
  return {
    perLabel: r.positiveInt('per_label', 2),
    steps: r.positiveInt('steps', 16),
    layer: r.optionalString('layer'),
    panel: r.positiveInt('panel', 192),
  };
}
