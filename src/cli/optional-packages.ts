/**
 * Packages that some commands need but that xpipe does not install for its users: the TensorFlow.js
 * runtime and sharp (`xpipe predict`, `plots --png`/`--screenshot`). They are devDependencies of the xpipe
 * repository (its own chest X-ray pipeline uses them), so a team installing xpipe for its own pipeline
 * does not download ~300 MB it may never use.
 *
 * Owns: checking that such packages resolve from the installed CLI, and the one wording of the error.
 * Does not own: loading them (the commands import them lazily as before).
 */

/** What `xpipe predict` loads (src/ml). */
export const ML_PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'sharp'] as const;
/** What rasterising charts and screenshots loads. */
export const IMAGE_PACKAGES = ['sharp'] as const;

/** The packages of `names` that cannot be resolved from here (i.e. from the project's node_modules). */
export function missingPackages(names: readonly string[]): string[] {
  return names.filter((name) => {
    try {
      import.meta.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

/** One paragraph naming `feature` and what to install, or undefined when everything is there. */
export function missingPackagesError(feature: string, names: readonly string[]): string | undefined {
  const missing = missingPackages(names);
  if (missing.length === 0) return undefined;
  const one = missing.length === 1;
  return (
    `${feature} needs ${missing.join(', ')}, which ${one ? 'is' : 'are'} not installed (xpipe does not install ${one ? 'it' : 'them'} ` +
    `itself: most pipelines never need ${one ? 'it' : 'them'}). Install ${one ? 'it' : 'them'} in your project with ` +
    `\`npm install --save-dev ${missing.join(' ')}\` and try again.`
  );
}
