// The `scholia` command's entry point (bin/scholia.js and dist/cli.js): runs the command named on the command line
// with the process's environment and streams. The commands themselves are in commands.ts, callable in process.
import { runCli } from './commands.ts';

runCli(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exitCode = code;
});
