// Third-party console output that a CLI user should not see: tfjs's Node banner and Dawn's native adapter warnings.
import * as tf from '@tensorflow/tfjs-core';

/**
 * How lines start that Dawn (the `webgpu` package) and Mesa's Vulkan drivers write to stderr from native code, e.g.
 * Dawn's "Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced ..." on lavapipe. Dawn's errors
 * ("Error: ...") are kept: they explain a failure.
 */
export const NATIVE_NOISE_PREFIXES: readonly string[] = ['Warning: ', 'WARNING: lavapipe is not a conformant'];

/**
 * For a command-line tool that writes its own output through process.stdout/stderr: turns off tfjs's console
 * warnings (tfjs's production mode), among them the banner "Hi, looks like you are running TensorFlow.js in Node.js
 * ..." that tfjs-backend-cpu prints on first use and that does not apply to facerec (its fast Node backend is WASM),
 * and drops what libraries write with console.log/info/debug/warn (tfjs-backend-webgpu's advice on reading data,
 * for one), which would also corrupt JSON on stdout. console.error still prints.
 */
export function silenceThirdPartyConsole(): void {
  tf.enableProdMode();
  const drop = (): void => {};
  console.log = drop;
  console.info = drop;
  console.debug = drop;
  console.warn = drop;
}

/**
 * Copies text to `write`, leaving out every whole line that starts with one of `prefixes`. Text after the last
 * newline goes out at once (a progress bar redraws its line with `\r`), unless it may still become a dropped line.
 */
export class LineFilter {
  private pending = '';

  constructor(
    private readonly write: (text: string) => void,
    private readonly prefixes: readonly string[] = NATIVE_NOISE_PREFIXES,
  ) {}

  push(chunk: string): void {
    const text = this.pending + chunk;
    this.pending = '';
    let out = '';
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const line = text.slice(start, end + 1);
      if (!this.dropped(line)) out += line;
      start = end + 1;
    }
    const rest = text.slice(start);
    if (rest !== '' && this.prefixes.some((p) => p.startsWith(rest) || rest.startsWith(p))) this.pending = rest;
    else out += rest;
    if (out !== '') this.write(out);
  }

  /** Writes a last line that did not end with a newline (kept unless it is noise). */
  end(): void {
    const rest = this.pending;
    this.pending = '';
    if (rest !== '' && !this.dropped(rest)) this.write(rest);
  }

  private dropped(line: string): boolean {
    return this.prefixes.some((p) => line.startsWith(p));
  }
}
