// Adds up the jest JSON reports of every tier (plus failed pre-checks) and prints the closing line.
import { existsSync, readFileSync } from 'node:fs';

const [failedChecks, ...reports] = process.argv.slice(2);
let passed = 0;
let failed = Number(failedChecks) || 0;
for (const file of reports) {
  const tier = file.replace(/^.*\//, '').replace(/\.json$/, '');
  if (!existsSync(file)) {
    console.log(`${tier}: no report (the runner did not finish) — counted as 1 failure`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  // A suite that failed to load has no test results; count it as a failure too.
  const brokenSuites = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  console.log(`${tier}: ${r.numPassedTests} passed, ${r.numFailedTests} failed${brokenSuites ? `, ${brokenSuites} suite(s) failed to run` : ''}`);
  passed += r.numPassedTests;
  failed += r.numFailedTests + brokenSuites;
  if (r.numTotalTests === 0) {
    console.log(`${tier}: ran no test — counted as 1 failure`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
