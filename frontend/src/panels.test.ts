// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { diffHighlights } from './diff';
import { InsightsPanel, noDiffText, showBorderRouters, showDiff, showNoDiff, showSnapshotPanels } from './panels';
import { diffAB, insightsB, loadPage, snapA, snapB } from './testdata';

beforeEach(loadPage);
const text = (id: string) => document.getElementById(id)!.textContent ?? '';

describe('snapshot panels', () => {
  it('fills network, network data and last scan with their badges', () => {
    const s = snapA();
    showSnapshotPanels(s);
    expect(text('network-info')).toContain(s.network.name!);
    expect(text('last-scan')).toContain('answered');
    expect(document.getElementById('last-scan')!.classList.contains('muted')).toBe(false);
    expect(text('scan-badge')).toMatch(/^\(\d+ sources? · /);
  });

  it('lists border routers, or the error loading them', () => {
    showBorderRouters([{ id: 'br1', vendor: 'Acme', model: 'Hub', state: { connection: 'ready' } }]);
    expect(text('border-routers')).toContain('Acme Hub');
    expect(text('br-badge')).toBe('(1)');
    showBorderRouters(new Error('/border-routers: HTTP 500'));
    expect(text('border-routers')).toBe('/border-routers: HTTP 500');
  });
});

describe('Changes section', () => {
  it('lists the diff lines, each selecting the node it names', () => {
    const d = diffAB();
    showDiff(d, diffHighlights(d, snapA(), snapB()));
    const box = document.getElementById('diff')!;
    expect(box.dataset.count).toBe(String(box.querySelectorAll('#diff-list li').length));
    expect(text('diff')).toMatch(/^From #1 to #2: \d+ changes\./);
    expect(box.querySelector('button[data-select="8888888888888888"]')).not.toBeNull();
    expect(text('diff-badge')).toBe(`(${box.dataset.count})`);
  });

  it('says why there is no diff', () => {
    showNoDiff('oldest');
    expect(text('diff')).toBe('This is the oldest snapshot: nothing earlier to compare with.');
    expect(document.getElementById('diff')!.dataset.count).toBe('');
    expect(noDiffText('error', 'HTTP 500')).toBe('Diff unavailable: HTTP 500');
    expect(noDiffText('single')).toBe('Only one snapshot so far.');
    expect(noDiffText('off')).toBe('Diff off.');
    expect(noDiffText('none')).toBe('No diff.');
  });
});

describe('InsightsPanel', () => {
  it('lists insights most severe first with counts, one active at a time', () => {
    const p = new InsightsPanel();
    const list = insightsB();
    p.set(list);
    const items = [...document.querySelectorAll('#insights li.insight')];
    expect(items.length).toBe(list.length);
    expect(items[0].querySelector('.sev')!.textContent).toBe('critical');
    expect(text('insights-badge')).toMatch(/^\(\d+ critical, \d+ warning, \d+ info\)$/);
    p.toggle(1);
    expect(p.current()?.message).toBe(document.querySelectorAll('#insights button')[1].textContent);
    expect(document.querySelectorAll('#insights button[aria-pressed="true"]').length).toBe(1);
    p.toggle(1);
    expect(p.current()).toBeUndefined();
    p.toggle(0);
    p.reset();
    expect(p.active).toBe(-1);
    p.set([]);
    expect(text('insights')).toBe('No insights.');
    expect(text('insights-badge')).toBe('');
  });
});
