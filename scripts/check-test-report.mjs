// Fails CI when any test was skipped or left todo, or when the integration project ran no test:
// a missing binary must show up as a failure, never as a silent skip.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
const problems = [];
let integration = 0;
for (const suite of report.testResults ?? []) {
  const isIntegration = /[/\\]test[/\\][^/\\]+\.test\.ts$/.test(suite.name);
  for (const t of suite.assertionResults ?? []) {
    if (t.status === 'skipped' || t.status === 'pending' || t.status === 'todo') {
      problems.push(`not run: ${suite.name} > ${t.fullName ?? t.title}`);
    }
    if (isIntegration && t.status === 'passed') integration++;
  }
}
if (integration === 0) problems.push('no integration test (test/*.test.ts) passed');
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} not run; integration passed: ${integration}`,
);
if (problems.length > 0 || report.numFailedTests > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
