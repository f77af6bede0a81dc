#!/usr/bin/env bash
# The whole test suite: lint (eslint + layer rules + prettier), type check, build (the embedded start-up
# test runs the built apps), then jest: unit tests and e2e tests against the real PostgreSQL and Redis
# (TEST_DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres; REDIS_URL, default
# redis://127.0.0.1:6379). Jest's JSON report goes to reports/jest.json; the last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports
status=0
echo "== lint"; npm run -s lint || status=1
echo "== type check"; npm run -s typecheck || status=1
echo "== build"; npm run -s build || status=1
echo "== jest"
npx jest --runInBand --forceExit --json --outputFile=reports/jest.json "$@" || status=1
node -e '
  const fs = require("fs");
  let r = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0 };
  try { r = JSON.parse(fs.readFileSync("reports/jest.json", "utf8")); } catch { r.numFailedTests = 1; }
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  console.log(`${r.numPassedTests} passed, ${failed} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
'
exit $status
