// A synthetic Thread-shaped mesh for the stress mode (/?stress=N): up to 62
// routers (router IDs 0–62 minus one for the leader's neighbours) in a
// geometric mesh, the rest children spread over them. Deterministic per seed.
import type { Role, Snapshot, TopoLink, TopoNode } from './types';

/** mulberry32: a tiny seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

/** Builds a synthetic snapshot of n nodes (n ≥ 1). */
export function syntheticMesh(n: number, seed = 1): Snapshot {
  const rnd = prng(seed);
  const total = Math.max(1, Math.floor(n));
  const routerCount = Math.min(63, Math.max(1, Math.ceil(total / 32)));
  const nodes: TopoNode[] = [];
  const links: TopoLink[] = [];
  const pts: { x: number; y: number }[] = [];
  const extOf = (i: number) => hex(0x5a000000 + i, 8) + hex(Math.floor(rnd() * 0xffffffff), 8);
  for (let r = 0; r < routerCount; r++) {
    const id = extOf(r);
    pts.push({ x: rnd(), y: rnd() });
    nodes.push({
      id,
      ext_addr: id,
      rloc16: '0x' + hex(r << 10, 4),
      role: r === 0 ? 'leader' : 'router',
      router_id: r,
      parent: null,
      mode: { rx_on_when_idle: true, full_thread_device: true, full_network_data: true },
      border_router: r % 9 === 0,
      name: r % 3 === 0 ? `Router ${r}` : undefined,
      vendor: ['Eve', 'Nanoleaf', 'Aqara', undefined][r % 4],
      sources: ['synthetic'],
    });
  }
  // Router links: each router to its 3 nearest, LQ by distance.
  const seen = new Set<string>();
  for (let i = 0; i < routerCount; i++) {
    const near = pts
      .map((p, j) => ({ j, d: Math.hypot(p.x - pts[i].x, p.y - pts[i].y) }))
      .filter((x) => x.j !== i)
      .sort((a, b) => a.d - b.d)
      .slice(0, 3);
    for (const { j, d } of near) {
      const [a, b] = [nodes[i].id, nodes[j].id].sort();
      const key = a + b;
      if (seen.has(key)) continue;
      seen.add(key);
      const q = Math.max(0, Math.min(3, 3 - Math.floor(d * 6 + rnd())));
      const q2 = Math.max(0, Math.min(3, q + (rnd() < 0.3 ? -1 : 0)));
      links.push({ kind: 'router', a, b, lq_in: q, lq_out: q2, cost: [16, 6, 2, 1][Math.min(q, q2)] });
    }
  }
  const childCount = new Map<string, number>();
  const childRoles: Role[] = ['end-device', 'sleepy-end-device', 'sleepy-end-device', 'reed'];
  for (let c = routerCount; c < total; c++) {
    const r = Math.floor(rnd() * routerCount);
    const role = childRoles[c % 4];
    const id = extOf(c);
    const childId = 1 + (childCount.get(nodes[r].id) ?? 0);
    childCount.set(nodes[r].id, childId);
    nodes.push({
      id,
      ext_addr: id,
      rloc16: '0x' + hex((r << 10) | childId, 4),
      role,
      router_id: null,
      parent: nodes[r].id,
      mode: { rx_on_when_idle: role !== 'sleepy-end-device', full_thread_device: role === 'reed', full_network_data: false },
      border_router: false,
      name: c % 5 === 0 ? `Sensor ${c}` : undefined,
      sources: ['synthetic'],
    });
    links.push({ kind: 'child', a: nodes[r].id, b: id, lq_in: 1 + Math.floor(rnd() * 3) });
  }
  return {
    schema: 'threadmap.topology/v1',
    snapshot_id: 'synthetic',
    taken_at: new Date(0).toISOString(),
    network: { name: `Synthetic ${total}`, ext_pan_id: 'synthetic', channel: 15 },
    nodes,
    links,
  };
}
