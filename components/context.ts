import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { isRunActive } from '../src/cockpit/runView.js';
import { liveTokPerSec, type CockpitState, type CockpitStore } from '../src/store.js';

export const StoreContext = createContext<CockpitStore | null>(null);

export function useCockpitStore(): CockpitStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('cockpit components must be inside <App>');
  return store;
}

/** Reads a narrow slice of the cockpit store; the component re-renders only when it changes. */
export function useCockpit<T>(selector: (state: CockpitState) => T): T {
  return useStore(useCockpitStore(), selector);
}

/** Like useCockpit, but re-renders only when `equal` says the slice changed. */
export function useCockpitWith<T>(selector: (state: CockpitState) => T, equal: (a: T, b: T) => boolean): T {
  const last = useRef<{ value: T } | null>(null);
  return useCockpit((state) => {
    const next = selector(state);
    if (last.current && equal(last.current.value, next)) return last.current.value;
    last.current = { value: next };
    return next;
  });
}

/**
 * The cockpit's pulse: a counter that advances at most every PULSE_MS, and only when something
 * drawn from fast-moving data changed (a telemetry sample, live tok/s, the run clock's second, a
 * spinner while attempts run). Gauges, the run clock and spinners redraw on the pulse instead of
 * on every engine event, so 2 Hz telemetry plus token progress costs two frames a second, and an
 * idle cockpit draws nothing.
 */
export const PULSE_MS = 500;
export const PulseContext = createContext(0);

export function usePulse(): number {
  return useContext(PulseContext);
}

function pulseInputs(s: CockpitState, now: number): unknown[] {
  const live = isRunActive(s.run);
  return [
    s.latest,
    // the gauge shows one decimal: redraw when that changes
    Math.round((liveTokPerSec(s) ?? -1) * 10),
    s.probe,
    s.run?.done,
    // the run clock ticks each second; spinners turn on every pulse while attempts run
    live ? Math.floor(now / 1000) : null,
    live && s.run!.running > 0 ? now : null,
  ];
}

/** Drives PulseContext from the store (used once, by PulseProvider). */
export function usePulseSource(store: CockpitStore): number {
  const [pulse, setPulse] = useState(0);
  useEffect(() => {
    let seen = pulseInputs(store.getState(), Date.now());
    const timer = setInterval(() => {
      const next = pulseInputs(store.getState(), Date.now());
      if (next.some((v, i) => !Object.is(v, seen[i]))) {
        seen = next;
        setPulse((p) => p + 1);
      }
    }, PULSE_MS);
    return () => clearInterval(timer);
  }, [store]);
  return pulse;
}
