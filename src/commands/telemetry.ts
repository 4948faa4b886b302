import { intFlag, LIMITS, parseFlags, UsageError, type Command } from '../cli/args.js';
import { EventBus } from '../events.js';
import { formatRollup, formatSampleLine } from '../telemetry/format.js';
import { TelemetrySampler } from '../telemetry/sampler.js';
import { clampDelayMs } from '../timers.js';

const FLAGS = {
  seconds: { type: 'string' },
  interval: { type: 'string' },
  'metrics-url': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const HELP = `brainbench telemetry — print live GPU, temperature and unified-memory samples

Usage:
  brainbench telemetry [--seconds S] [--interval MS] [--metrics-url URL] [--json]

Prints one line per sample until Ctrl-C (or for S seconds):
  time · per GPU: utilisation %, temperature °C, power W, SM clock MHz ("no GPU" without
    nvidia-smi; "GPU stale since hh:mm:ss" while it does not answer — it is restarted)
  · throttled: the active slowdowns (power cap, thermal, power brake), when there are any
  · unified memory used/total GB (MemTotal − MemAvailable from /proc/meminfo) · page cache GB
  · psi some/full: the % of the last 10 s some / every task stalled on memory (— without PSI)
  · with --metrics-url: the lane's generation tok/s, requests running/waiting, KV-cache use.
When it ends, the roll-up (samples, GPU mean/max, peak temp, power, unified memory) goes to stderr.

Flags:
  --seconds S         stop after S seconds (default: run until Ctrl-C)
  --interval MS       sampling interval in ms (default 500, i.e. 2 Hz; at least 100)
  --metrics-url URL   a lane's Prometheus endpoint, e.g. http://127.0.0.1:8080/metrics
                      (llama-server needs --metrics); a bare http://host:port gets /metrics
  --json              one engine event per line, {"type":"telemetry","sample":{...}}

GPU figures come from one long-running nvidia-smi. On GB10 (DGX Spark) its memory fields are
[N/A]; the unified-memory figure is the one that counts there.`;

function metricsUrlFlag(value: string | undefined): string | null {
  if (value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--metrics-url wants a URL like http://127.0.0.1:8080/metrics, got '${value}'`);
  }
  if (url.pathname === '/') url.pathname = '/metrics';
  return url.href;
}

/** Resolves on Ctrl-C, SIGTERM, a closed stdout, or after `seconds`; holds the event loop open. */
function untilDone(seconds: number | null): Promise<void> {
  return new Promise((resolve) => {
    const keepAlive = seconds === null ? setInterval(() => {}, 1 << 30) : setTimeout(finish, clampDelayMs(seconds * 1000));
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    process.stdout.once('error', finish); // e.g. EPIPE from `| head`
    function finish() {
      clearTimeout(keepAlive);
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      process.stdout.off('error', finish);
      resolve();
    }
  });
}

export const telemetryCommand: Command = {
  name: 'telemetry',
  summary: 'print live GPU, temperature and unified-memory samples',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags(argv, FLAGS);
    const seconds = values.seconds === undefined ? null : intFlag(values.seconds, 'seconds', 0, { min: 1 });
    const intervalMs = intFlag(values.interval, 'interval', 500, LIMITS.interval);
    const metricsUrl = metricsUrlFlag(values['metrics-url']);

    const bus = new EventBus();
    const sampler = new TelemetrySampler({ bus, intervalMs, metricsUrl });
    let reportedGpuError: string | null = null;
    bus.on((event) => {
      if (event.type !== 'telemetry') return;
      if (values.json) {
        process.stdout.write(`${JSON.stringify(event)}\n`);
        return;
      }
      process.stdout.write(`${formatSampleLine(event.sample)}\n`);
      // A present but failing nvidia-smi (driver trouble) says why, once per distinct message.
      const gpuError = sampler.gpuError;
      if (event.sample.gpus === null && gpuError && gpuError !== reportedGpuError) {
        reportedGpuError = gpuError;
        process.stderr.write(`nvidia-smi: ${gpuError}\n`);
      }
    });
    sampler.start();
    await untilDone(seconds);
    await sampler.stop();
    process.stderr.write(`${formatRollup(sampler.rollup())}\n`);
    return 0;
  },
};
