// Every key of the cockpit, per view: store actions for what the screen shows, controller calls
// for what changes the world. Kept free of Ink so it reads as one table of behaviour.
import { activeOverlay, type CockpitStore } from '../store.js';
import type { CockpitController } from './controller.js';
import { laneForKey } from './lanes.js';
import { isRunActive, runState } from './runView.js';

/** The subset of Ink's `Key` the cockpit reads (Ink's Key is assignable to it). */
export interface KeyPress {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageUp: boolean;
  pageDown: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  tab?: boolean;
}

export interface KeyContext {
  store: CockpitStore;
  controller: CockpitController;
  /** Ends the Ink app (after quit). */
  exit: () => void;
}

/** Runs a controller call; a failure lands on the status line instead of crashing the UI. */
function attempt(ctx: KeyContext, what: string, call: () => Promise<unknown> | unknown): void {
  Promise.resolve()
    .then(call)
    .catch((err: unknown) => ctx.store.getState().notify('error', `${what}: ${err instanceof Error ? err.message : String(err)}`));
}

/** What an attached cockpit says to keys that belong to the run's own process. */
const attachedRefusal = (runId: string) => `attached to run ${runId}, which owns the lanes: x stops it, q leaves it running`;

function quit(ctx: KeyContext): void {
  ctx.store.getState().setQuitting(true);
  Promise.resolve()
    .then(() => ctx.controller.quit())
    .catch((err: unknown) => ctx.store.getState().log('error', `quit: ${err instanceof Error ? err.message : String(err)}`))
    .finally(() => ctx.exit());
}

/** Swap now, or ask first while a run is active. */
function chooseLane(ctx: KeyContext, id: string): void {
  const s = ctx.store.getState();
  const lane = s.lanes.find((l) => l.id === id);
  if (s.attached) {
    s.back();
    s.notify('info', attachedRefusal(s.attached));
    return;
  }
  if (id === s.resident && (lane?.state === 'ready' || lane?.state === 'starting')) {
    s.back();
    s.notify('info', `${id} is already the resident lane`);
    return;
  }
  if (isRunActive(s.run)) {
    s.requestSwap(id);
    return;
  }
  s.back();
  attempt(ctx, `swap to ${id}`, () => ctx.controller.swapLane(id));
}

function openDetail(ctx: KeyContext): void {
  const s = ctx.store.getState();
  const path = s.openDetail();
  if (path === null) return;
  ctx.controller.readTranscript(path).then(
    (text) => ctx.store.getState().setTranscript(path, { text }),
    (err: unknown) => ctx.store.getState().setTranscript(path, { error: err instanceof Error ? err.message : String(err) }),
  );
}

function openLeaderboard(ctx: KeyContext): void {
  ctx.store.getState().openLeaderboard(null);
  // A late answer must not reopen a leaderboard the user already left.
  const stillOpen = () => ctx.store.getState().view === 'leaderboard';
  ctx.controller.loadLeaderboard().then(
    (cards) => stillOpen() && ctx.store.getState().openLeaderboard(cards),
    (err: unknown) => stillOpen() && ctx.store.getState().openLeaderboard([], err instanceof Error ? err.message : String(err)),
  );
}

function togglePause(ctx: KeyContext): void {
  const s = ctx.store.getState();
  if (!isRunActive(s.run)) {
    s.notify('info', `no run to pause (${runState(s.run) ?? 'none yet'})`);
  } else if (s.run!.pausedReason) {
    ctx.controller.resumeRun();
    s.setPaused(null);
  } else {
    ctx.controller.pauseRun();
    // an attached run says so through its event log, a little later: show it paused at once
    if (!ctx.store.getState().run?.pausedReason) s.setPaused('paused by the user');
  }
}

/** Scroll step for page keys: a screen less one line of context. */
const page = (rows: number) => Math.max(1, rows - 1);

function stop(ctx: KeyContext): void {
  const s = ctx.store.getState();
  if (!isRunActive(s.run)) {
    s.notify('info', `no run to stop (${runState(s.run) ?? 'none yet'})`);
    return;
  }
  s.requestStop();
  s.notify('info', `stopping run ${s.run!.runId}: attempts in flight finish; brainbench run --resume ${s.run!.runId} carries it on`);
  attempt(ctx, 'stop', () => ctx.controller.stopRun());
}

function run(ctx: KeyContext): void {
  const s = ctx.store.getState();
  if (s.attached) s.notify('info', attachedRefusal(s.attached));
  else if (isRunActive(s.run)) s.notify('info', `run ${s.run!.runId} is ${runState(s.run)}: r starts a new one once it ends (x stops it)`);
  // a task suite runs under the harnesses picked with h; a prompt suite has none to pick
  else if (s.harnessOptions.length > 0) attempt(ctx, 'run', () => ctx.controller.startRun({ harnesses: s.harnessPick }));
  else attempt(ctx, 'run', () => ctx.controller.startRun());
}

function openHarnessMenu(ctx: KeyContext): void {
  const s = ctx.store.getState();
  if (s.harnessOptions.length === 0) s.notify('info', `${s.suite ?? 'this suite'} is a prompt suite (brainbench's own loop); harnesses drive task suites: brainbench --suite tasks-v1`);
  else s.openHarnessMenu();
}

/** The matrix's keys: the cursor, the overlays, the run's controls. */
function matrixKey(ctx: KeyContext, input: string, key: KeyPress, { up, down, laneKey }: { up: boolean; down: boolean; laneKey: string | undefined }): void {
  const s = ctx.store.getState();
  const rows = s.viewport.matrixRows;
  if (up) s.moveCursor(-1, 0);
  else if (down) s.moveCursor(1, 0);
  else if (key.leftArrow) s.moveCursor(0, -1);
  else if (key.rightArrow) s.moveCursor(0, 1);
  else if (key.pageUp) s.moveCursor(-page(rows), 0);
  else if (key.pageDown) s.moveCursor(page(rows), 0);
  else if (key.return) openDetail(ctx);
  else if (laneKey) chooseLane(ctx, laneKey);
  else if (input === 's') s.openMenu();
  else if (input === 'h') openHarnessMenu(ctx);
  else if (input === 'l') openLeaderboard(ctx);
  else if (input === '?') s.openHelp();
  else if (input === 'f') s.setFollow(true);
  else if (input === 'p') togglePause(ctx);
  else if (input === 'e') s.openError();
  else if (input === 'o') {
    const defer = ctx.controller.deferNextLane?.bind(ctx.controller);
    if (!defer) s.notify('info', 'o reorders a queue run (brainbench run --lanes a,b,c --detach, then attach)');
    else attempt(ctx, 'reorder', async () => ctx.store.getState().notify('info', `queue order: ${(await defer()).join(' → ')}`));
  } else if (input === 'x') stop(ctx);
  else if (input === 'r') run(ctx);
}

export function handleKey(ctx: KeyContext, input: string, key: KeyPress): void {
  const s = ctx.store.getState();
  if (s.quitting) return;
  if ((key.ctrl && input === 'c') || (input === 'q' && !key.ctrl)) {
    quit(ctx);
    return;
  }
  s.clearNotice();
  const up = key.upArrow || input === 'k';
  const down = key.downArrow || input === 'j';
  const laneKey = /^[1-9d]$/.test(input) ? laneForKey(s.lanes, input) : undefined;

  switch (activeOverlay(s)) {
    case 'too-small':
      return; // only q and ctrl+c until the terminal is big enough
    case 'error': {
      const rows = s.viewport.errorRows;
      if (up) s.scrollError(-1);
      else if (down) s.scrollError(1);
      else if (key.pageUp) s.scrollError(-page(rows));
      else if (key.pageDown || input === ' ') s.scrollError(page(rows));
      else if (key.escape || key.return || input === 'e') s.back();
      return;
    }
    case 'confirm': {
      const choice = input === 'm' ? 'move' : input === 'x' ? 'stop' : key.escape ? 'cancel' : null;
      if (!choice) return;
      const picked = s.confirmSwap(choice);
      if (picked) attempt(ctx, `swap to ${picked.id}`, () => ctx.controller.swapDuringRun(picked.id, picked.choice));
      return;
    }
    case 'menu':
      if (up) s.moveMenu(-1);
      else if (down) s.moveMenu(1);
      else if (key.return) {
        const lane = s.lanes[s.menuIndex];
        if (lane) chooseLane(ctx, lane.id);
      } else if (laneKey) chooseLane(ctx, laneKey);
      else if (key.escape || input === 's') s.back();
      return;
    case 'harnesses':
      if (up) s.moveHarnessMenu(-1);
      else if (down) s.moveHarnessMenu(1);
      else if (input === ' ') s.toggleHarness();
      else if (key.escape || key.return || input === 'h') s.back();
      return;
    case 'detail': {
      const rows = s.viewport.detailRows;
      if (up) s.scrollDetail(-1);
      else if (down) s.scrollDetail(1);
      else if (key.pageUp) s.scrollDetail(-page(rows));
      else if (key.pageDown || input === ' ') s.scrollDetail(page(rows));
      else if (key.escape || key.return) s.back();
      return;
    }
    case 'leaderboard': {
      const rows = s.viewport.leaderboardRows;
      if (up) s.scrollLeaderboard(-1);
      else if (down) s.scrollLeaderboard(1);
      else if (key.pageUp) s.scrollLeaderboard(-page(rows));
      else if (key.pageDown || input === ' ') s.scrollLeaderboard(page(rows));
      else if (key.tab || input === '\t') s.cycleLeaderboardMode();
      else if (key.escape || input === 'l') s.back();
      return;
    }
    case 'help':
      if (key.escape || key.return || input === '?') s.back();
      return;
    case 'matrix':
      matrixKey(ctx, input, key, { up, down, laneKey });
      return;
  }
}
