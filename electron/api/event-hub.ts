/**
 * Fan-out of API events to every connected transport (the Electron window,
 * each WebSocket). Transports subscribe one sink each.
 */
import type { EventName, EventPayloads } from './contract';

export type EventSink = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

export class EventHub {
  private readonly sinks = new Set<EventSink>();

  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const sink of this.sinks) {
      // One broken sink (a closed socket) must not starve the others.
      try {
        sink(event, payload);
      } catch {
        this.sinks.delete(sink);
      }
    }
  }
}
