#!/usr/bin/env node
// `npx authmock ARGS`: runs this platform's authmock binary with ARGS, passing its exit code on.
"use strict";
const { spawnSync } = require("node:child_process");
const { binaryPath } = require("../index.cjs");

let binary;
try {
  binary = binaryPath();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  console.error(`authmock: could not run ${binary}: ${result.error.message}`);
  process.exit(1);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 1);
