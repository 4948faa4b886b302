// Stopping a process lane: the llama-server stop rule (DESIGN §3, reference/llama-server).
import { LaneError } from './errors.js';
import { portOpen, waitFor } from './net.js';
import { groupAlive, processAlive, signalGroup } from '../os/proc.js';
import type { LaneRecord } from './state.js';

/** A real llama-server with a non-streaming request in flight ignores the first SIGTERM. */
const SECOND_SIGTERM_AFTER_MS = 2000;
const POLL_MS = 25;
/** After the processes are gone the kernel may take a moment to close the listening socket. */
const PORT_RELEASE_MS = 5000;

function gone(record: LaneRecord): boolean {
  return !processAlive(record.pid!, record.procStart) && !groupAlive(record.pgid!);
}

/**
 * SIGTERM to the group, a short wait, a second SIGTERM, SIGKILL once stop_timeout_s has passed.
 * Resolves when the group is gone and the port refuses connections.
 */
export async function stopProcessGroup(record: LaneRecord): Promise<void> {
  const pgid = record.pgid!;
  const budgetMs = record.stopTimeoutS * 1000;
  // Signal when the leader (checked by start time, pids get reused) or anything of its group lives.
  if (processAlive(record.pid!, record.procStart) || groupAlive(pgid)) {
    signalGroup(pgid, 'SIGTERM');
    if (!(await waitFor(() => gone(record), Math.min(SECOND_SIGTERM_AFTER_MS, budgetMs), POLL_MS))) {
      signalGroup(pgid, 'SIGTERM');
      if (!(await waitFor(() => gone(record), Math.max(0, budgetMs - SECOND_SIGTERM_AFTER_MS), POLL_MS))) {
        signalGroup(pgid, 'SIGKILL');
        await waitFor(() => gone(record), 2000, POLL_MS);
      }
    }
  }
  if (!(await waitFor(async () => !(await portOpen(record.host, record.port)), PORT_RELEASE_MS, POLL_MS))) {
    throw new LaneError(record.id, 'failed', `lane ${record.id} stopped but port ${record.port} still accepts connections`);
  }
}
