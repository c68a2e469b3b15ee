// The facerec command-line tool: dispatches to its commands (train, eval, predict, enroll, identify, verify, lfw) and maps errors to exit codes.
import { FacerecError, VERSION } from '@facerec/core';
import { UsageError } from './args.js';
import { evalCommand, evalUsage } from './commands/eval.js';
import { predictCommand, predictUsage } from './commands/predict.js';
import { trainCommand, trainUsage } from './commands/train.js';
import { enrollCommand, enrollUsage } from './commands/enroll.js';
import { galleryCommand, galleryUsage } from './commands/gallery.js';
import { identifyCommand, identifyUsage } from './commands/identify.js';
import { lfwCommand, lfwUsage } from './commands/lfw.js';
import { verifyCommand, verifyUsage } from './commands/verify.js';
import { watchCommand, watchUsage } from './commands/watch.js';
import { modelsCommand, modelsUsage } from './commands/models.js';

/** Where a command writes; tests capture it. */
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
}

const usage = `facerec ${VERSION} — train and run face recognition

Usage: facerec <command> [options]

Commands:
  train <dataset-dir> --out <model-dir>   train a recognizer on one folder per person
  eval <model-dir> <dataset-dir>          accuracy, per-person table, confusion matrix, --json
  predict <model-dir> <image...>          name the person in each image
  enroll <gallery> <label> <image...>     add a person's photos to a gallery (pretrained embedder)
  identify <gallery> <photo...>           name every face in a photo, --out annotated.png
  verify <image-a> <image-b>              same person or not, with the similarity
  lfw --pairs <file> --images <dir>       the LFW verification protocol, --json
  watch <video> --gallery <dir>           follow and name faces on a video, stream or camera; events as JSON Lines
  gallery list|remove|copy <gallery>      people in a gallery, remove people, copy between folder / pglite: / postgres://
  models copy <dir>                       copy the pretrained model files into a web app's public folder

Run "facerec <command> --help" for its options.
`;

const commands: Record<string, { run: (argv: string[], io: CommandIO) => Promise<number>; usage: string }> = {
  train: { run: trainCommand, usage: trainUsage },
  eval: { run: evalCommand, usage: evalUsage },
  predict: { run: predictCommand, usage: predictUsage },
  enroll: { run: enrollCommand, usage: enrollUsage },
  identify: { run: identifyCommand, usage: identifyUsage },
  verify: { run: verifyCommand, usage: verifyUsage },
  lfw: { run: lfwCommand, usage: lfwUsage },
  watch: { run: watchCommand, usage: watchUsage },
  gallery: { run: galleryCommand, usage: galleryUsage },
  models: { run: modelsCommand, usage: modelsUsage },
};

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`facerec: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`facerec ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof FacerecError) {
      io.err(`facerec ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
