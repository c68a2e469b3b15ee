// The facerec command-line tool: dispatches to train, eval and predict, and maps errors to exit codes.
import { FacerecError, VERSION } from '@facerec/core';
import { UsageError } from './args.js';
import { evalCommand, evalUsage } from './commands/eval.js';
import { predictCommand, predictUsage } from './commands/predict.js';
import { trainCommand, trainUsage } from './commands/train.js';

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

Run "facerec <command> --help" for its options.
`;

const commands: Record<string, { run: (argv: string[], io: CommandIO) => Promise<number>; usage: string }> = {
  train: { run: trainCommand, usage: trainUsage },
  eval: { run: evalCommand, usage: evalUsage },
  predict: { run: predictCommand, usage: predictUsage },
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
