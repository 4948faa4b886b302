// The harness picker (`h`): which harnesses a task run started with `r` drives the lane with.
// The options are the registry's ids (builtin, oracle, null, then the catalog's agent CLIs), each
// marked installed or not; the pick is kept in the store and remembered in the preferences.
import { resolveInstall } from '../harness/install.js';
import { harnessCatalog } from '../harness/presets.js';
import { knownHarnessIds } from '../harness/registry.js';
import type { HarnessSpec } from '../harness/spec.js';
import type { CockpitState } from '../store.js';

export interface HarnessOption {
  id: string;
  /** An agent CLI of the catalog (presets, lanes.yaml); false for builtin, oracle and null. */
  external: boolean;
  /** Whether its program is on this PATH (the built-in kinds always are). */
  installed: boolean;
  /** How to install it (the preset's hint), for a CLI that is not installed. */
  install?: string;
}

/** Every harness id a task run can name, with whether it can run here. */
export function harnessOptions(declared: readonly HarnessSpec[] = [], env: NodeJS.ProcessEnv = process.env): HarnessOption[] {
  const catalog = harnessCatalog(declared);
  return knownHarnessIds(catalog).map((id) => {
    const spec = catalog.get(id);
    if (!spec) return { id, external: false, installed: true };
    const installed = resolveInstall(spec.command[0]!, [], env) !== null;
    return { id, external: true, installed, ...(spec.install && { install: spec.install }) };
  });
}

/** The remembered pick, cut to ids that still exist; builtin when nothing of it is left. */
export function initialPick(options: readonly HarnessOption[], remembered: readonly string[] | undefined): string[] {
  const known = new Set(options.map((o) => o.id));
  const pick = (remembered ?? []).filter((id) => known.has(id));
  return pick.length > 0 ? pick : ['builtin'];
}

/** What the picker's state in the store is. */
export type HarnessPickerState = Pick<CockpitState, 'harnessOptions' | 'harnessPick' | 'harnessIndex'>;

/**
 * Toggles the option under the cursor. The pick keeps the options' order (the run's order) and is
 * never empty; a CLI that is not installed is not picked. Returns the new pick, or why not.
 */
export function togglePick(s: HarnessPickerState): { pick: string[] } | { refusal: string } {
  const option = s.harnessOptions[s.harnessIndex];
  if (!option) return { refusal: 'no harness here' };
  const on = s.harnessPick.includes(option.id);
  if (on && s.harnessPick.length === 1) return { refusal: `${option.id} is the only harness picked: pick another first` };
  if (!on && !option.installed) return { refusal: `${option.id} is not installed here${option.install ? ` (${option.install})` : ''}` };
  const next = new Set(on ? s.harnessPick.filter((id) => id !== option.id) : [...s.harnessPick, option.id]);
  return { pick: s.harnessOptions.map((o) => o.id).filter((id) => next.has(id)) };
}

/** The picker's store actions (spread into the store). */
export function harnessActions(set: (partial: Partial<CockpitState> | ((s: CockpitState) => Partial<CockpitState>)) => void, get: () => CockpitState): Pick<CockpitState, 'openHarnessMenu' | 'moveHarnessMenu' | 'toggleHarness'> {
  return {
    openHarnessMenu: () => set({ view: 'harnesses', harnessIndex: 0 }),
    moveHarnessMenu: (delta) => set((s) => ({ harnessIndex: Math.max(0, Math.min(s.harnessIndex + delta, s.harnessOptions.length - 1)) })),
    toggleHarness: () => {
      const result = togglePick(get());
      if ('pick' in result) set({ harnessPick: result.pick });
      else get().notify('info', result.refusal);
    },
  };
}
