/**
 * Loads the `yaml` package lazily and synchronously (its CommonJS build), so a no-op run whose parsed
 * files all hit the parse cache never pays for importing it. Owns: that one lazy handle.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let lib: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  lib ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return lib;
}
