import { createContext, useContext, useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { CockpitState, CockpitStore } from '../src/store.js';

export const StoreContext = createContext<CockpitStore | null>(null);

/** Reads a narrow slice of the cockpit store; the component re-renders only when it changes. */
export function useCockpit<T>(selector: (state: CockpitState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useCockpit outside <App>');
  return useStore(store, selector);
}

export function useCockpitStore(): CockpitStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useCockpitStore outside <App>');
  return store;
}

/** A counter that advances every `ms` while `active` (spinners, the run clock). */
export function useTick(ms: number, active: boolean): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((t) => t + 1), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
  return tick;
}
