// The live event stream (GET /api/v1/events, server-sent events): one
// EventSource, each event's JSON data decoded once and handed to the
// handlers registered for its type. Events whose data is not a JSON object
// are dropped.

/** What the stream needs of an EventSource (the browser's, or another for tests). */
export interface EventSourceLike {
  addEventListener(type: string, listener: (ev: Event) => void): void;
  close(): void;
}

/** A handler of one event type, given the event's decoded data. */
export type EventHandler = (data: Record<string, unknown>) => void;

/** Decodes an SSE message's data as a JSON object; null when it is not one. */
export function eventData(ev: Event): Record<string, unknown> | null {
  try {
    const d = JSON.parse((ev as MessageEvent<string>).data) as unknown;
    return d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** One subscription to the server's events. */
export class EventStream {
  private readonly handlers = new Map<string, EventHandler[]>();
  private source: EventSourceLike | null = null;

  constructor(
    private readonly url: string,
    private readonly make: (url: string) => EventSourceLike = (u) => new EventSource(u),
  ) {}

  /** Registers a handler for events of `type` (before or after open). */
  on(type: string, handler: EventHandler): this {
    const list = this.handlers.get(type);
    if (list) list.push(handler);
    else {
      this.handlers.set(type, [handler]);
      const es = this.source;
      es?.addEventListener(type, (ev) => this.dispatch(es, type, ev));
    }
    return this;
  }

  /** Opens the stream; returns the source so callers can watch open/error. */
  open(): EventSourceLike {
    this.close();
    const es = this.make(this.url);
    this.source = es;
    for (const type of this.handlers.keys()) es.addEventListener(type, (ev) => this.dispatch(es, type, ev));
    return es;
  }

  /** Closes the stream (page unload, or before reconnecting). */
  close(): void {
    this.source?.close();
    this.source = null;
  }

  /** Hands an event to the handlers of its type; late events of a closed source are dropped. */
  private dispatch(from: EventSourceLike, type: string, ev: Event): void {
    if (from !== this.source) return;
    const d = eventData(ev);
    if (!d) return;
    for (const h of this.handlers.get(type) ?? []) h(d);
  }
}

/** An event field as text: strings as they are, numbers in decimal, anything else ''. */
export function field(d: Record<string, unknown>, key: string): string {
  const v = d[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
