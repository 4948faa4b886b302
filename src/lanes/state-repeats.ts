// A lane failure can reach the bus twice, from the lane manager and again from the queue that gave
// up on the lane. Everything that shows lane states (the line reporter, the cockpit's event log)
// says a lane's state once: an event that repeats the last one for its lane is a repeat.
import type { EngineEvent } from '../types.js';

type LaneStateEvent = Extract<EngineEvent, { type: 'lane.state' }>;

/**
 * A filter that answers true for a lane.state event that adds nothing to the previous one for its
 * lane: same state and detail, and the same port or none (the queue does not know the port the
 * manager reported).
 */
export function laneStateRepeats(): (event: LaneStateEvent) => boolean {
  const last = new Map<string, LaneStateEvent>();
  return (event) => {
    const prev = last.get(event.lane);
    const repeat = prev !== undefined && prev.state === event.state && prev.detail === event.detail && (event.port === undefined || event.port === prev.port);
    last.set(event.lane, repeat ? prev : event);
    return repeat;
  };
}
