// The NVIDIA driver and CUDA version, as nvidia-smi's header says them (for provenance). CUDA's
// version is no --query-gpu field; the header carries both. One bounded call per process: a hung
// nvidia-smi (or a wrapper that never exits) is killed as a group at the bound and the versions
// are then unknown; the call never outlasts its bound.
import { clampDelayMs } from '../timers.js';
import { runBounded } from './nvidia-smi.js';

export interface GpuDriverInfo {
  driver_version: string | null;
  cuda_version: string | null;
}

/** Reads the header's "Driver Version: 580.95.05 … CUDA Version: 13.0" (newer drivers: KMD / CUDA UMD Version). */
export function parseDriverHeader(text: string): GpuDriverInfo {
  const pick = (re: RegExp) => re.exec(text)?.[1] ?? null;
  return {
    driver_version: pick(/(?:Driver|KMD) Version\s*:\s*([\w.-]+)/),
    cuda_version: pick(/CUDA (?:UMD )?Version\s*:\s*([\w.-]+)/),
  };
}

const cache = new Map<string, Promise<GpuDriverInfo | null>>();

/** null without nvidia-smi, when it fails, or when it does not answer within `timeoutMs`. */
export function gpuDriverInfo(bin = 'nvidia-smi', timeoutMs = 5000): Promise<GpuDriverInfo | null> {
  let known = cache.get(bin);
  if (!known) {
    known = runBounded(bin, [], clampDelayMs(timeoutMs)).then((result) => {
      if (!result.ok) return null;
      const info = parseDriverHeader(result.stdout);
      return info.driver_version || info.cuda_version ? info : null;
    });
    cache.set(bin, known);
  }
  return known;
}
