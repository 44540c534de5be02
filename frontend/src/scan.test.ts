import { describe, expect, it } from 'vitest';
import { durationText, finishedText, progressText, scanErrorText, scanRows, scanSummary } from './scan';
import type { SourceReport } from './types';

const report: SourceReport[] = [
  { name: 'tmf', target: '[fd00::1]:61631', queried: 25, answered: 22, timed_out: 3, duration_ms: 4200, notes: ['router 0x5800 did not answer diag get'] },
  { name: 'matter', queried: 4, answered: 4, duration_ms: 120 },
  { name: 'otbr', target: 'http://[fd00::1]:8081', queried: 1, answered: 0, failed: 1, duration_ms: 75000, error: 'GET /node: connection refused' },
];

describe('progressText', () => {
  it.each([
    [undefined, 'scanning…'],
    [{}, 'scanning…'],
    [{ queried: 25, answered: 12 }, 'scanning… · 12/25 answered'],
    [{ queried: 25, answered: 12, sources: 1, sources_total: 3, source: 'tmf:[fd00::1]:61631' }, 'scanning… · 12/25 answered · 1/3 sources (last: tmf:[fd00::1]:61631)'],
    [{ queried: 0, answered: 0, sources: 0, sources_total: 3 }, 'scanning… · 0/3 sources'],
  ])('%j → %s', (p, want) => {
    expect(progressText(p)).toBe(want);
  });
});

describe('finishedText', () => {
  it.each([
    [{ state: 'finished', snapshot_id: '42' }, 'scan done: snapshot #42'],
    [{ state: 'finished' }, 'scan done'],
    [{ state: 'failed', error: 'every source failed' }, 'scan failed: every source failed'],
    [{ state: 'finished', error: 'tmf: timeout' }, 'scan failed: tmf: timeout'],
    [{ state: 'cancelled' }, 'scan cancelled'],
  ])('%j → %s', (d, want) => {
    expect(finishedText(d)).toBe(want);
  });
});

describe('scanErrorText', () => {
  it('says a scan is already running on 409', () => {
    expect(scanErrorText(409, 'a scan of this network is running')).toBe('a scan is already running for this network');
  });
  it('says a token is needed on 401 and 403', () => {
    expect(scanErrorText(401, 'missing bearer token')).toMatch(/token is needed.*401: missing bearer token/);
    expect(scanErrorText(403, 'origin not allowed')).toMatch(/not allowed.*403: origin not allowed.*token/);
  });
  it('names other statuses and unreachable servers', () => {
    expect(scanErrorText(503, 'scheduler is not running')).toBe('the scan scheduler is not running (HTTP 503: scheduler is not running)');
    expect(scanErrorText(404, '')).toBe('nothing to scan (HTTP 404)');
    expect(scanErrorText(500, 'boom')).toBe('scan failed to start (HTTP 500: boom)');
    expect(scanErrorText(0, 'Failed to fetch')).toBe('cannot reach the server: Failed to fetch');
  });
});

describe('durationText', () => {
  it.each([
    [0, '0 ms'],
    [349.6, '350 ms'],
    [4200, '4.2 s'],
    [12400, '12 s'],
    [125000, '2 min 5 s'],
    [undefined, '–'],
    [-1, '–'],
    [Number.NaN, '–'],
  ])('%s → %s', (ms, want) => {
    expect(durationText(ms)).toBe(want);
  });
});

describe('scanRows', () => {
  it('turns a scan report into rows sorted by source, with health', () => {
    const rows = scanRows(report);
    expect(rows.map((r) => r.name)).toEqual(['matter', 'otbr', 'tmf']);
    expect(rows[0]).toEqual({ name: 'matter', target: '', queried: 4, answered: 4, timedOut: 0, failed: 0, duration: '120 ms', error: '', notes: [], health: 'ok' });
    expect(rows[1]).toMatchObject({ failed: 1, duration: '1 min 15 s', error: 'GET /node: connection refused', health: 'failed' });
    expect(rows[2]).toMatchObject({ target: '[fd00::1]:61631', answered: 22, timedOut: 3, duration: '4.2 s', notes: ['router 0x5800 did not answer diag get'], health: 'partial' });
  });
  it('handles no report', () => {
    expect(scanRows(null)).toEqual([]);
    expect(scanRows(undefined)).toEqual([]);
    expect(scanSummary([])).toBe('no scan report in this snapshot');
  });
  it('sums a report up', () => {
    expect(scanSummary(scanRows(report))).toBe('3 sources · 26/30 answered · 3 timed out · 1 failed · 1 with errors');
    expect(scanSummary(scanRows([report[1]]))).toBe('1 source · 4/4 answered');
  });
});
