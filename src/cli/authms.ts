#!/usr/bin/env node
import 'reflect-metadata';
import { runAuthms } from './authms.command.js';

// Entry point of the `authms` command (package.json `bin`, through bin/authms.js): one binary for the
// operator's commands, run from the built code on a production host.
process.exitCode = await runAuthms(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
