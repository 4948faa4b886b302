import { render } from 'ink';
import type { CockpitController } from '../src/cockpit/controller.js';
import type { CockpitStore } from '../src/store.js';
import { App } from './App.js';

export interface RunCockpitOptions {
  store: CockpitStore;
  controller: CockpitController;
  /** Frame-rate cap (Ink's maxFps). */
  fps?: number;
  /** Streams and process exit, replaceable for tests. */
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  exit?: (code: number) => void;
}

const ENTER_ALT_SCREEN = '\x1b[?1049h';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';
/** How long a signal or crash waits for controller.quit() to stop lanes before exiting anyway. */
const QUIT_GRACE_MS = 5000;

/** Sends console output to the status line while Ink owns the screen; returns the undo. */
function routeConsole(store: CockpitStore): () => void {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const to = (level: 'info' | 'warn' | 'error') => (...args: unknown[]) => store.getState().log(level, args.map(String).join(' '));
  console.log = to('info');
  console.info = to('info');
  console.warn = to('warn');
  console.error = to('error');
  return () => Object.assign(console, saved);
}

/**
 * Runs the cockpit full-screen until the user quits. The terminal is restored (main screen,
 * cursor shown) on quit, on a crash, and on SIGTERM / SIGHUP, which also stop what the
 * cockpit started (bounded by a grace period) before the process exits.
 */
export async function runCockpit(opts: RunCockpitOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const exitProcess = opts.exit ?? ((code: number) => process.exit(code));
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
    } catch {
      // the terminal is gone (SSH dropped): nothing left to restore
    }
  };

  stdout.write(ENTER_ALT_SCREEN);
  const unrouteConsole = routeConsole(opts.store);
  const instance = render(<App store={opts.store} controller={opts.controller} />, {
    stdout,
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    maxFps: opts.fps ?? 10,
    exitOnCtrlC: false,
    patchConsole: false,
  });

  // Set once a signal or crash ends the cockpit; runCockpit resolves only after it exits.
  let shutdownDone: Promise<void> | null = null;
  const shutdown = (code: number, err?: unknown) => {
    if (shutdownDone) return;
    instance.unmount();
    unrouteConsole();
    restore();
    if (err) process.stderr.write(`brainbench cockpit: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    const grace = new Promise<void>((resolve) => setTimeout(resolve, QUIT_GRACE_MS).unref());
    shutdownDone = Promise.race([opts.controller.quit().catch(() => undefined), grace]).finally(() => exitProcess(code));
  };
  const onSigterm = () => shutdown(143);
  const onSighup = () => shutdown(129);
  const onCrash = (err: unknown) => shutdown(1, err);
  process.on('SIGTERM', onSigterm);
  process.on('SIGHUP', onSighup);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', restore);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSigterm);
    process.off('SIGHUP', onSighup);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    process.off('exit', restore);
    unrouteConsole();
    restore();
  }
  if (shutdownDone) await shutdownDone;
}
