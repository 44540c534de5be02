// @vitest-environment happy-dom
import cytoscape from 'cytoscape';
import { beforeEach, describe, expect, it } from 'vitest';
import { diffHighlights } from './diff';
import { emptyFilter } from './filter';
import { edgeId } from './graph';
import { GraphView, layoutRouters } from './graphview';
import { decodePositions, parentsKey, storageKey } from './layout';
import { syntheticMesh } from './synth';
import { diffAB, snapA, snapB } from './testdata';

const view = (storage: Storage | null = localStorage) => {
  const g = new GraphView(cytoscape({ headless: true, styleEnabled: true }), { storage, metrics: {} });
  g.network = 'net1';
  return g;
};
const pos = (g: GraphView) => Object.fromEntries(g.cy.nodes().map((n) => [n.id(), { ...n.position() }]));

beforeEach(() => localStorage.clear());

describe('GraphView.render', () => {
  it('draws every node and drawable link of a snapshot with role and link classes', () => {
    const g = view();
    const s = snapA();
    const d = g.render(s, null);
    expect(d).toEqual({ nodes: 7, edges: 7, dangling: 1, ghosts: 0 });
    expect(g.cy.nodes().map((n) => n.id()).sort()).toEqual(s.nodes.map((n) => n.id).sort());
    expect(g.cy.getElementById('1a2b3c4d5e6f7081').hasClass('role-leader')).toBe(true);
    expect(g.cy.getElementById(edgeId('child', '2222222222222222', '4444444444444444')).hasClass('child-link')).toBe(true);
    for (const n of g.cy.nodes()) expect(Number.isFinite(n.position('x')) && Number.isFinite(n.position('y'))).toBe(true);
  });

  it('keeps positions between renders and across a new view of the same network (storage)', () => {
    const g = view();
    g.render(snapA(), null);
    const p0 = pos(g);
    g.render(snapA(), null);
    expect(pos(g)).toEqual(p0);
    g.savePositionsNow(localStorage, 'net1');
    const stored = decodePositions(localStorage.getItem(storageKey('net1')));
    expect(stored.size).toBe(7);
    const again = view();
    again.render(snapA(), null);
    for (const [id, p] of Object.entries(pos(again))) {
      expect(Math.abs(p.x - p0[id].x)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(p.y - p0[id].y)).toBeLessThanOrEqual(0.5);
    }
  });

  it('moves a child that changed parent next to its new parent, and nothing else', () => {
    const g = view();
    g.render(snapA(), null);
    const p0 = pos(g);
    const b = snapB();
    g.render(b, null);
    const p1 = pos(g);
    // 5555 moved from 2222 to 3333.
    const kid = p1['5555555555555555'];
    const par = p1['3333333333333333'];
    expect(Math.hypot(kid.x - par.x, kid.y - par.y)).toBeLessThan(200);
    expect(kid).not.toEqual(p0['5555555555555555']);
    expect(p1['2222222222222222']).toEqual(p0['2222222222222222']);
    expect(localStorage.getItem(parentsKey('net1'))).toContain('"5555555555555555":"3333333333333333"');
  });

  it('draws what a diff removed as ghosts, with the diff classes', () => {
    const g = view();
    const hl = diffHighlights(diffAB(), snapA(), snapB());
    const d = g.render(snapB(), hl);
    expect(d.ghosts).toBe(2);
    expect(g.cy.getElementById('6666666666666666').hasClass('ghost')).toBe(true);
    expect(g.cy.getElementById('6666666666666666').hasClass('diff-removed')).toBe(true);
    expect(g.cy.getElementById('8888888888888888').hasClass('diff-added')).toBe(true);
    expect(g.cy.getElementById(edgeId('router', '2222222222222222', '3333333333333333')).hasClass('ghost')).toBe(true);
    // Without the diff the ghosts go.
    g.render(snapB(), null);
    expect(g.cy.getElementById('6666666666666666').empty()).toBe(true);
  });

  it('keeps a selection across renders', () => {
    const g = view(null);
    g.render(snapA(), null);
    expect(g.select('2222222222222222')).toBe(true);
    g.render(snapB(), null);
    expect(g.cy.nodes(':selected').map((n) => n.id())).toEqual(['2222222222222222']);
    expect(g.select('nope')).toBe(false);
    expect(g.cy.nodes(':selected').length).toBe(0);
  });

  it('lays out from scratch on relayout, dropping what was stored', () => {
    const g = view();
    g.render(snapA(), null);
    g.savePositionsNow(localStorage, 'net1');
    g.relayout(snapA(), null);
    expect(g.cy.nodes().length).toBe(7);
    // relayout saves the new positions again (debounced), the stale ones are gone at once
    expect(localStorage.getItem(parentsKey('net1'))).not.toBeNull();
  });

  it('writes nothing when storage is off', () => {
    const g = view(null);
    g.render(snapA(), null);
    g.savePositions();
    expect(localStorage.length).toBe(0);
  });
});

describe('GraphView.applyView', () => {
  it('hides filtered elements, highlights the focus and fades the rest', () => {
    const g = view(null);
    const s = snapA();
    g.render(s, null);
    const f = emptyFilter();
    f.roles.add('router');
    g.applyView(s, f, { ids: new Set(['2222222222222222']), fadeRest: true });
    expect(g.cy.getElementById('4444444444444444').hasClass('filtered')).toBe(true);
    expect(g.cy.getElementById('3333333333333333').hasClass('filtered')).toBe(false);
    expect(g.cy.getElementById('2222222222222222').hasClass('hl')).toBe(true);
    expect(g.cy.getElementById('3333333333333333').hasClass('faded')).toBe(true);
    g.applyView(s, emptyFilter(), { ids: new Set(), fadeRest: false });
    expect(g.cy.elements('.filtered, .hl, .faded').length).toBe(0);
  });
});

describe('layoutRouters', () => {
  it('spreads the routers of a 60-router mesh apart', () => {
    const s = syntheticMesh(300, 3);
    const routers = s.nodes.filter((n) => n.role === 'router' || n.role === 'leader').map((n) => n.id);
    const p = layoutRouters(s, routers);
    expect(p.size).toBe(routers.length);
    const pts = [...p.values()];
    let close = 0;
    for (let i = 0; i < pts.length; i++) for (let j = i + 1; j < pts.length; j++) if (Math.hypot(pts[i].x - pts[j].x, pts[i].y - pts[j].y) < 40) close++;
    expect(close).toBe(0);
  });
});
