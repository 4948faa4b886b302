/** Why a lane could not be started or stopped; `reason` lets callers pick an exit code or a screen. */
export type LaneFailure = 'foreign' | 'crashed' | 'timeout' | 'missing' | 'failed';

export class LaneError extends Error {
  constructor(
    readonly lane: string,
    readonly reason: LaneFailure,
    message: string,
  ) {
    super(message);
    this.name = 'LaneError';
  }
}
