// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HistoryBar, compareFrom, oldestFirst, sliderLabel } from './history';
import { loadPage } from './testdata';
import type { SnapshotSummary } from './types';

const sum = (id: string, t: string): SnapshotSummary => ({ id, network: 'n', taken_at: t, nodes: 1, routers: 1, links: 0, border_routers: 0 });
// As GET /snapshots answers: newest first; #10 and #9 share a second.
const list = [sum('10', '2026-01-01T00:00:03Z'), sum('9', '2026-01-01T00:00:03Z'), sum('8', '2026-01-01T00:00:02Z'), sum('7', '2026-01-01T00:00:01Z')];

beforeEach(loadPage);
afterEach(() => vi.useRealTimers());

describe('history helpers', () => {
  it('orders oldest first by time, then id as a number', () => {
    expect(oldestFirst(list).map((h) => h.id)).toEqual(['7', '8', '9', '10']);
  });

  it('picks what a snapshot is compared with', () => {
    const h = oldestFirst(list);
    expect(compareFrom(h, 2, 'prev')).toBe('8');
    expect(compareFrom(h, 0, 'prev')).toBe('');
    expect(compareFrom(h, 2, 'none')).toBe('');
    expect(compareFrom(h, 2, '7')).toBe('7');
  });

  it('labels the slider with how many snapshots are newer', () => {
    const h = oldestFirst(list);
    expect(sliderLabel(h, { snapshot_id: '10', taken_at: '2026-01-01T00:00:03Z' })).toMatch(/^#10 · .* \(latest\)$/);
    expect(sliderLabel(h, { snapshot_id: '8', taken_at: '2026-01-01T00:00:02Z' })).toMatch(/\(2 newer\)$/);
  });
});

describe('HistoryBar', () => {
  it('sets the slider range and the compare choices, keeping the choice made', () => {
    const b = new HistoryBar();
    b.setList(list);
    const slider = document.getElementById('slider') as HTMLInputElement;
    const cmp = document.getElementById('compare') as HTMLSelectElement;
    expect(slider.max).toBe('3');
    expect(slider.disabled).toBe(false);
    expect([...cmp.options].map((o) => o.value)).toEqual(['prev', 'none', '10', '9', '8', '7']);
    cmp.value = '8';
    b.setList(list.slice(0, 3));
    expect(b.choice()).toBe('8');
    b.setList(list.slice(0, 2));
    expect(b.choice()).toBe('prev');
    b.setList(list.slice(0, 1));
    expect(slider.disabled).toBe(true);
  });

  it('pauses when the slider leaves the newest snapshot, and picks after the slider rests', () => {
    vi.useFakeTimers();
    const b = new HistoryBar();
    const picked: number[] = [];
    const lives: boolean[] = [];
    b.wire((i) => picked.push(i), () => {}, (l) => lives.push(l));
    b.setList(list);
    b.setIndex(3);
    expect(b.live).toBe(true);
    const slider = document.getElementById('slider') as HTMLInputElement;
    slider.value = '1';
    slider.dispatchEvent(new Event('input'));
    expect(b.live).toBe(false);
    expect(document.getElementById('live')!.textContent).toBe('○ Paused');
    slider.value = '2';
    slider.dispatchEvent(new Event('input'));
    vi.advanceTimersByTime(119);
    expect(picked).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(picked).toEqual([2]);
    document.getElementById('live')!.click();
    expect(lives).toEqual([true]);
    expect(document.getElementById('live')!.getAttribute('aria-pressed')).toBe('true');
    // Live stays off on an older entry.
    b.setLive(true);
    b.setIndex(1);
    expect(b.live).toBe(false);
  });
});
