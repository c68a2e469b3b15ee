// Lists every skipped test by its full name with the summary, so that each skip in `pnpm test` shows its reason (the
// tests that need hardware put it in their name, e.g. "(skipped: needs a hardware GPU ...)").
import type { Reporter, TestModule } from 'vitest/node';

export default class SkippedTestsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped = modules.flatMap((m) => [...m.children.allTests('skipped')].map((t) => `  ↓ ${m.moduleId.replace(`${process.cwd()}/`, '')} > ${t.fullName}`));
    if (skipped.length > 0) process.stdout.write(`\nSkipped tests (${skipped.length}):\n${skipped.join('\n')}\n`);
  }
}
