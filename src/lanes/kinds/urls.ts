import { connectHost } from '../net.js';
import type { LaneRecord } from '../state.js';

/** http://host:port<path> of a running lane (a wildcard host is reached through loopback). */
export function laneUrl(record: Pick<LaneRecord, 'host' | 'port'>, path: string): string {
  const host = connectHost(record.host);
  return `http://${host.includes(':') ? `[${host}]` : host}:${record.port}${path}`;
}
