import type { EngineEvent, EventListener } from './types.js';

/** The engine's event stream: synchronous fan-out to every listener, in subscription order. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
