import { describe, expect, it } from 'vitest';
import { EventStream, eventData, field, type EventSourceLike } from './events';

/** An event source the test fires events into (the browser's EventSource speaks to a server). */
class Source extends EventTarget implements EventSourceLike {
  closed = false;
  constructor(readonly url: string) {
    super();
  }
  close(): void {
    this.closed = true;
  }
  fire(type: string, data: string): void {
    this.dispatchEvent(new MessageEvent(type, { data }));
  }
}

describe('EventStream', () => {
  it('hands each event type its decoded data, for handlers added before and after open', () => {
    const made: Source[] = [];
    const es = new EventStream('/api/v1/events', (u) => {
      const s = new Source(u);
      made.push(s);
      return s;
    });
    const got: string[] = [];
    es.on('snapshot.new', (d) => got.push(`a:${field(d, 'snapshot_id')}`));
    es.open();
    es.on('snapshot.new', (d) => got.push(`b:${field(d, 'snapshot_id')}`));
    es.on('scan.finished', (d) => got.push(`f:${field(d, 'state')}`));
    expect(made[0].url).toBe('/api/v1/events');
    made[0].fire('snapshot.new', '{"snapshot_id":12,"network":"n"}');
    made[0].fire('scan.finished', '{"state":"failed"}');
    made[0].fire('snapshot.new', 'not json');
    made[0].fire('snapshot.new', '[1,2]');
    made[0].fire('other', '{}');
    expect(got).toEqual(['a:12', 'b:12', 'f:failed']);
  });

  it('closes the old source when opened again, and on close', () => {
    const made: Source[] = [];
    const es = new EventStream('/e', (u) => {
      const s = new Source(u);
      made.push(s);
      return s;
    });
    const got: number[] = [];
    es.on('x', () => got.push(made.length));
    es.open();
    es.open();
    expect(made[0].closed).toBe(true);
    made[0].fire('x', '{}');
    made[1].fire('x', '{}');
    expect(got).toEqual([2]);
    es.close();
    expect(made[1].closed).toBe(true);
  });
});

describe('eventData and field', () => {
  it('decodes objects only and reads fields as text', () => {
    expect(eventData(new MessageEvent('m', { data: '{"a":1}' }))).toEqual({ a: 1 });
    expect(eventData(new MessageEvent('m', { data: 'null' }))).toBeNull();
    expect(eventData(new MessageEvent('m', { data: '"s"' }))).toBeNull();
    const d = { s: 'x', n: 7, o: { a: 1 }, b: true };
    expect([field(d, 's'), field(d, 'n'), field(d, 'o'), field(d, 'b'), field(d, 'missing')]).toEqual(['x', '7', '', '', '']);
  });
});
