/**
 * `--json`: every engine event as one JSON line (NDJSON), the same events the text renderer prints.
 */
import type { EngineEvent } from '../../engine/index.js';
import type { Writer } from './text.js';

export class JsonReporter {
  constructor(private readonly out: Writer) {}

  handle(e: EngineEvent): void {
    this.out.write(`${JSON.stringify(e)}\n`);
  }
}
