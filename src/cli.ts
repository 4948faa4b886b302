#!/usr/bin/env node
// brainbench's entry point: picks the cockpit, a headless command, or help.
import { UsageError, suggest, type Command } from './cli/args.js';
import { commands } from './commands/index.js';
import { isEntry } from './entry.js';
import { brainbenchVersion } from './paths.js';
import { oneLine, stripControl } from './safeText.js';

const MAIN_HELP = `brainbench ${brainbenchVersion} — pick the agent brain of a local inference box

Usage:
  brainbench [--demo] [--lanes-file FILE]   open the cockpit (live matrix, gauges, lane swaps)
  brainbench <command> [flags]              run a command; 'brainbench <command> --help' explains it

Commands:
${'{commands}'}

Quick start (no GPU needed):  brainbench --demo
Docs: README.md in the brainbench package.`;

function mainHelp(list: Command[]): string {
  const width = Math.max(...list.map((c) => c.name.length));
  return MAIN_HELP.replace('{commands}', list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n'));
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(mainHelp(commands));
    return 0;
  }
  if (first === '--version' || first === '-v') {
    console.log(brainbenchVersion);
    return 0;
  }
  // No command, or only flags: the cockpit.
  const command = first === undefined || first.startsWith('-') ? commands.find((c) => c.name === 'cockpit') : commands.find((c) => c.name === first);
  const args = first === undefined || first.startsWith('-') ? argv : rest;
  if (!command) {
    const hint = suggest(first!, commands.map((c) => c.name));
    console.error(`brainbench: unknown command '${oneLine(first!)}'${hint ? `; did you mean '${hint}'?` : '.'} See 'brainbench --help'.`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`brainbench ${command.name}: ${stripControl(err.message)}. See 'brainbench ${command.name} --help'.`);
      return 2;
    }
    // The one place a failure is printed: commands throw, they do not print and rethrow.
    // Lane and model text can be in the message, so no control sequence goes through.
    console.error(`brainbench ${command.name}: ${stripControl((err as Error).message)}`);
    if (process.env.BRAINBENCH_DEBUG) console.error(err);
    return 1;
  }
}

if (isEntry(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
