// How the graph looks: role shapes and colours, link quality colours and
// widths, highlight classes, and the legend that explains them.
import type cytoscape from 'cytoscape';
import { CROWDED_CHILDREN } from './graph';
import type { Role } from './types';

/** Look of one role: shape, colour and size (border routers add a ring and a BR badge). */
export interface RoleLook {
  label: string;
  shape: cytoscape.Css.NodeShape;
  color: string;
  size: number;
}

/** Role looks, recognisable at a glance and readable in both themes. */
export const ROLE_LOOK: Record<Role, RoleLook> = {
  leader: { label: 'Leader', shape: 'star', color: '#f2a900', size: 48 },
  router: { label: 'Router', shape: 'hexagon', color: '#2f7fd8', size: 40 },
  reed: { label: 'REED (router-eligible end device)', shape: 'round-rectangle', color: '#10a3a3', size: 28 },
  fed: { label: 'FED (full end device, not router-eligible)', shape: 'round-rectangle', color: '#5f8f9e', size: 26 },
  'ftd-child': { label: 'FTD child (router eligibility unknown)', shape: 'round-rectangle', color: '#3b9a9a', size: 27 },
  'end-device': { label: 'End device (MED)', shape: 'ellipse', color: '#3aa657', size: 24 },
  'sleepy-end-device': { label: 'Sleepy end device (SED)', shape: 'ellipse', color: '#9a62d0', size: 20 },
  detached: { label: 'Detached', shape: 'diamond', color: '#8a8f98', size: 22 },
  unknown: { label: 'Unknown role', shape: 'ellipse', color: '#8a8f98', size: 22 },
};

/** Colour for a link quality 0–3 (index), and for unknown. */
export const LQ_COLOR = ['#d1242f', '#e5534b', '#d4a72c', '#2ea043'];
const LQ_UNKNOWN = '#8b949e';
const LQ_WIDTH = [2, 2.5, 4, 6];
const BR_COLOR = '#ff7a1a';
const WEAK_CHILD_COLOR = '#c98a00';
const COLLAPSED_COLOR = '#6e40c9';

/** Change colours of the diff view (halo around nodes and links), for the stylesheet and the legend. */
export const CHANGE_LOOK = {
  added: { color: '#2ea043', label: 'Joined / link added since the compared snapshot (green halo)' },
  role: { color: '#2f7fd8', label: 'Role changed (blue halo)' },
  rloc: { color: '#9a62d0', label: 'RLOC16 changed (purple halo)' },
  parent: { color: '#ff7a1a', label: 'Parent changed (orange halo)' },
  removed: { color: '#d1242f', label: 'Gone since the compared snapshot (faded, red dashed)' },
  lqUp: { color: '#2ea043', label: 'Link quality better (green halo on the link)' },
  lqDown: { color: '#d1242f', label: 'Link quality worse (red halo on the link)' },
  changed: { color: '#d4a72c', label: 'Link cost changed (amber halo on the link)' },
} as const;

/** Badges for nodes the map is not sure about (graph.ts nodeBadge): text, colour, legend words. */
export const STATUS_BADGE = {
  error: { text: '!', color: '#d1242f', label: 'Error: asked, answered with an error (red dashed outline)' },
  timeout: { text: '…', color: '#b3261e', label: 'Timed out: asked, no answer (red dashed outline)' },
  mismatch: { text: '≠', color: '#c08a00', label: 'Parent mismatch: parent and its child table disagree (amber dashed outline)' },
  inferred: { text: '?', color: '#6e7681', label: 'Inferred / not queried: never answered, implied by RLOC16 or other tables (faded, grey dotted outline)' },
} as const;

/** Palette that depends on the theme. */
export interface Theme {
  dark: boolean;
  text: string;
  outline: string;
  child: string;
  hl: string;
}

/** The palette for light or dark. */
export function theme(dark: boolean): Theme {
  return dark
    ? { dark, text: '#e6edf3', outline: '#0e1116', child: '#8b949e', hl: '#e3b341' }
    : { dark, text: '#1b1f24', outline: '#ffffff', child: '#7d8590', hl: '#f0b400' };
}

/** A little SVG badge (a letter in a circle) as a data URL: bundled, no network. */
export function badgeImage(text: string, color: string): string {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24">` +
    `<circle cx="12" cy="12" r="11" fill="${color}" stroke="#ffffff" stroke-width="2"/>` +
    `<text x="12" y="16.5" font-family="sans-serif" font-size="${text.length > 1 ? 10 : 13}" font-weight="700" text-anchor="middle" fill="#ffffff">${text}</text></svg>`;
  return 'data:image/svg+xml;utf8,' + encodeURIComponent(svg);
}

/** The Cytoscape stylesheet for a theme. */
export function stylesheet(t: Theme): cytoscape.StylesheetJson {
  const s: cytoscape.StylesheetJson = [
    {
      selector: 'node',
      style: {
        label: 'data(display)',
        'text-wrap': 'wrap',
        'text-max-width': '120px',
        'font-size': 10,
        color: t.text,
        'text-outline-color': t.outline,
        'text-outline-width': 2,
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'min-zoomed-font-size': 7,
        'border-width': 2,
        'border-color': t.outline,
      },
    },
  ];
  for (const [role, look] of Object.entries(ROLE_LOOK)) {
    s.push({
      selector: `node.role-${role}`,
      style: { shape: look.shape, 'background-color': look.color, width: look.size, height: look.size },
    });
  }
  s.push(
    // Router labels keep a readable size on screen however far out the view is (GraphView.scaleLabels sets fs).
    { selector: 'node.role-router, node.role-leader', style: { 'font-size': 'data(fs)', 'text-max-width': '400px', 'min-zoomed-font-size': 0, 'font-weight': 'bold' } },
    {
      selector:
        'node.role-reed, node.role-fed, node.role-ftd-child, node.role-end-device, node.role-sleepy-end-device, node.role-detached, node.role-unknown',
      style: { 'font-size': 8.5, 'text-max-width': '90px', 'text-margin-y': 2 },
    },
    { selector: 'node.role-sleepy-end-device', style: { 'border-style': 'dashed', 'border-color': t.text, 'border-width': 1.5 } },
    { selector: 'node.role-unknown, node.role-detached', style: { 'border-style': 'dotted', 'border-color': t.text } },
    {
      selector: 'node.br',
      style: {
        'border-color': BR_COLOR,
        'border-width': 5,
        'border-style': 'double',
        'background-image': badgeImage('BR', BR_COLOR),
        'background-width': '18px',
        'background-height': '18px',
        'background-position-x': '100%',
        'background-position-y': '0%',
        'background-clip': 'none',
        'background-image-containment': 'over',
        'bounds-expansion': 10,
      },
    },
    { selector: 'node.inferred, node.status-not-queried', style: { 'background-opacity': 0.45, 'border-style': 'dotted', 'border-color': '#6e7681', 'border-width': 2 } },
    { selector: 'node.badge-mismatch', style: { 'border-color': STATUS_BADGE.mismatch.color, 'border-style': 'dashed', 'border-width': 3 } },
    { selector: 'node.status-timed-out, node.status-error', style: { 'border-color': '#d1242f', 'border-style': 'dashed', 'border-width': 3, 'background-opacity': 0.7 } },
    ...badgeRules(),
    // Children of a crowded parent: label on hover, selection or zoom only.
    { selector: 'node.crowded', style: { 'min-zoomed-font-size': 15 } },
    { selector: 'node.crowded:selected, node.crowded.hover', style: { 'min-zoomed-font-size': 0, 'z-index': 20 } },
    // Level of detail in a big mesh: child labels when zoomed in, under an expanded parent, or next to the selection.
    { selector: 'node.lod', style: { 'min-zoomed-font-size': 11 } },
    { selector: 'node.lod-show, node.lod.near, node.lod:selected, node.lod.hover', style: { 'min-zoomed-font-size': 0 } },
    // Overview: children hidden behind their parent's count.
    { selector: 'node.collapsed', style: { display: 'none' } },
    { selector: 'node.has-collapsed', style: { 'border-width': 4, 'border-color': COLLAPSED_COLOR, 'border-style': 'double' } },
    {
      selector: 'edge',
      style: { 'curve-style': 'straight', width: 2, 'line-color': LQ_UNKNOWN, opacity: 0.9 },
    },
    {
      selector: 'edge.router-link',
      style: {
        label: 'data(label)',
        'font-size': 9,
        color: t.text,
        'text-background-color': t.outline,
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
        'min-zoomed-font-size': 8,
      },
    },
  );
  for (let q = 0; q <= 3; q++) {
    s.push({ selector: `edge.router-link.lq-${q}`, style: { 'line-color': LQ_COLOR[q], width: LQ_WIDTH[q] } });
  }
  s.push(
    { selector: 'edge.router-link.lq-0', style: { 'line-style': 'dashed' } },
    {
      selector: 'edge.child-link',
      style: { width: 1.4, 'line-color': t.child, 'line-style': 'dashed', 'line-dash-pattern': [1, 3], 'line-cap': 'round', opacity: 0.85 },
    },
    // A weak child link is dotted, amber and thin: never mistaken for a router link (solid, or long red dashes at LQ 0).
    { selector: 'edge.child-link.weak', style: { 'line-color': WEAK_CHILD_COLOR, width: 2.2, opacity: 1 } },
    { selector: 'edge.derived', style: { opacity: 0.5 } },
    // Selection, search and insight highlights.
    { selector: 'node:selected', style: { 'underlay-color': t.hl, 'underlay-opacity': 0.6, 'underlay-padding': 8, 'underlay-shape': 'ellipse' } },
    { selector: '.faded', style: { opacity: 0.15, 'text-opacity': 0.15 } },
    { selector: 'node.hl', style: { 'underlay-color': t.hl, 'underlay-opacity': 0.7, 'underlay-padding': 10, 'underlay-shape': 'ellipse' } },
    { selector: 'edge.hl', style: { 'underlay-color': t.hl, 'underlay-opacity': 0.7, 'underlay-padding': 5 } },
    { selector: '.filtered', style: { display: 'none' } },
    // Focus on the selection: its links, parent, children and neighbours stay, the rest dims.
    { selector: '.dim', style: { opacity: 0.18, 'text-opacity': 0.25 } },
    { selector: 'edge.near', style: { opacity: 1, 'z-index': 10 } },
    // Diff classes.
    { selector: 'node.diff-added', style: { 'underlay-color': CHANGE_LOOK.added.color, 'underlay-opacity': 0.65, 'underlay-padding': 10, 'underlay-shape': 'ellipse' } },
    { selector: 'node.diff-role', style: { 'underlay-color': CHANGE_LOOK.role.color, 'underlay-opacity': 0.65, 'underlay-padding': 10, 'underlay-shape': 'ellipse' } },
    { selector: 'node.diff-rloc', style: { 'underlay-color': CHANGE_LOOK.rloc.color, 'underlay-opacity': 0.5, 'underlay-padding': 10, 'underlay-shape': 'ellipse' } },
    { selector: 'node.diff-parent', style: { 'underlay-color': CHANGE_LOOK.parent.color, 'underlay-opacity': 0.65, 'underlay-padding': 10, 'underlay-shape': 'ellipse' } },
    { selector: 'node.diff-removed', style: { opacity: 0.45, 'border-color': '#d1242f', 'border-style': 'dashed', 'border-width': 3, 'underlay-color': '#d1242f', 'underlay-opacity': 0.35, 'underlay-padding': 8 } },
    { selector: 'edge.diff-added', style: { 'underlay-color': CHANGE_LOOK.added.color, 'underlay-opacity': 0.55, 'underlay-padding': 5 } },
    { selector: 'edge.diff-lq-up', style: { 'underlay-color': CHANGE_LOOK.lqUp.color, 'underlay-opacity': 0.45, 'underlay-padding': 6 } },
    { selector: 'edge.diff-lq-down', style: { 'underlay-color': CHANGE_LOOK.lqDown.color, 'underlay-opacity': 0.5, 'underlay-padding': 6 } },
    { selector: 'edge.diff-changed', style: { 'underlay-color': CHANGE_LOOK.changed.color, 'underlay-opacity': 0.45, 'underlay-padding': 5 } },
    { selector: 'edge.diff-removed', style: { 'line-color': '#d1242f', 'line-style': 'dashed', opacity: 0.45 } },
  );
  return s;
}

/** Style rules for the status badges: bottom-left, beside a border router's BR badge when both apply. */
function badgeRules(): cytoscape.StylesheetJson {
  const out: cytoscape.StylesheetJson = [];
  for (const [kind, b] of Object.entries(STATUS_BADGE)) {
    const img = badgeImage(b.text, b.color);
    out.push(
      {
        selector: `node.badge-${kind}`,
        style: {
          'background-image': img,
          'background-width': '13px',
          'background-height': '13px',
          'background-position-x': '-45%',
          'background-position-y': '145%',
          'background-clip': 'none',
          'background-image-containment': 'over',
          'background-image-opacity': 1,
          'bounds-expansion': 10,
        },
      },
      {
        selector: `node.br.badge-${kind}`,
        style: {
          'background-image': [badgeImage('BR', BR_COLOR), img],
          'background-width': ['18px', '13px'],
          'background-height': ['18px', '13px'],
          'background-position-x': ['100%', '-45%'],
          'background-position-y': ['0%', '145%'],
          'background-clip': ['none', 'none'],
          'background-image-containment': ['over', 'over'],
        } as unknown as cytoscape.Css.Node,
      },
    );
  }
  return out;
}

function shapeSvg(look: RoleLook, extra = ''): string {
  const c = look.color;
  const z = 11;
  let body: string;
  switch (look.shape) {
    case 'star': {
      const pts: string[] = [];
      for (let i = 0; i < 10; i++) {
        const r = i % 2 ? 4.5 : 10;
        const a = (Math.PI / 5) * i - Math.PI / 2;
        pts.push(`${(z + r * Math.cos(a)).toFixed(1)},${(z + r * Math.sin(a)).toFixed(1)}`);
      }
      body = `<polygon points="${pts.join(' ')}" fill="${c}"/>`;
      break;
    }
    case 'hexagon':
      body = `<polygon points="1,11 6,2 16,2 21,11 16,20 6,20" fill="${c}"/>`;
      break;
    case 'round-rectangle':
      body = `<rect x="3" y="3" width="16" height="16" rx="4" fill="${c}"/>`;
      break;
    case 'diamond':
      body = `<polygon points="11,1 21,11 11,21 1,11" fill="${c}" stroke="currentColor" stroke-dasharray="2 2"/>`;
      break;
    default:
      body = `<circle cx="11" cy="11" r="${look.size > 22 ? 9 : 7}" fill="${c}" ${extra}/>`;
  }
  return `<svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true">${body}</svg>`;
}

function lineSvg(color: string, width: number, dash = ''): string {
  return `<svg width="26" height="12" viewBox="0 0 26 12" aria-hidden="true"><line x1="1" y1="6" x2="25" y2="6" stroke="${color}" stroke-width="${width}" ${dash ? `stroke-dasharray="${dash}"` : ''}/></svg>`;
}

/** The legend's HTML (static, no user data). */
export function legendHtml(): string {
  const rows: string[] = [];
  for (const [role, look] of Object.entries(ROLE_LOOK)) {
    const extra = role === 'sleepy-end-device' ? 'stroke="currentColor" stroke-dasharray="2 2"' : role === 'unknown' ? 'stroke="currentColor" stroke-dasharray="1 2"' : '';
    rows.push(`${shapeSvg(look, extra)}<span>${look.label}</span>`);
  }
  rows.push(
    `<svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true"><circle cx="11" cy="11" r="8" fill="none" stroke="${BR_COLOR}" stroke-width="3"/><circle cx="17" cy="5" r="4.5" fill="${BR_COLOR}"/></svg><span>Border router (orange ring, BR badge)</span>`,
    ...Object.values(STATUS_BADGE).map(
      (b) =>
        `<svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true"><circle cx="11" cy="11" r="7" fill="#8a8f98" fill-opacity="0.45" stroke="${b.color}" stroke-width="2" stroke-dasharray="${b.text === '?' ? '1 2' : '3 2'}"/><circle cx="6" cy="16" r="5.5" fill="${b.color}"/><text x="6" y="19" font-size="8" font-weight="700" text-anchor="middle" fill="#fff">${b.text === '…' ? '..' : b.text}</text></svg><span>${b.label}</span>`,
    ),
    `${lineSvg(LQ_COLOR[3], LQ_WIDTH[3])}<span>Router link, LQ 3 (number = link cost)</span>`,
    `${lineSvg(LQ_COLOR[2], LQ_WIDTH[2])}<span>Router link, LQ 2</span>`,
    `${lineSvg(LQ_COLOR[1], LQ_WIDTH[1])}<span>Router link, LQ 1 (weak)</span>`,
    `${lineSvg(LQ_COLOR[0], LQ_WIDTH[0], '4 3')}<span>Router link, LQ 0 (long red dashes)</span>`,
    `${lineSvg('#8b949e', 1.5, '1 3')}<span>Parent–child link (grey dots)</span>`,
    `${lineSvg(WEAK_CHILD_COLOR, 2.2, '1 3')}<span>Parent–child link, weak: LQ ≤ 1 (amber dots)</span>`,
    `<svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true"><polygon points="1,11 6,2 16,2 21,11 16,20 6,20" fill="${ROLE_LOOK.router.color}" stroke="${COLLAPSED_COLOR}" stroke-width="3"/></svg><span>Router with its children folded away (label: ▸ N children; click to unfold)</span>`,
    `<span></span><span class="muted legend-head">Changes (diff view)</span>`,
    ...Object.values(CHANGE_LOOK).map((c) =>
      c === CHANGE_LOOK.removed
        ? `<svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true"><circle cx="11" cy="11" r="7" fill="#8a8f98" fill-opacity="0.45" stroke="${c.color}" stroke-width="2" stroke-dasharray="3 2"/></svg><span>${c.label}</span>`
        : c.label.includes('link')
          ? `<svg width="26" height="12" viewBox="0 0 26 12" aria-hidden="true"><line x1="1" y1="6" x2="25" y2="6" stroke="${c.color}" stroke-opacity="0.5" stroke-width="9"/><line x1="1" y1="6" x2="25" y2="6" stroke="#8b949e" stroke-width="2"/></svg><span>${c.label}</span>`
          : `<svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true"><circle cx="11" cy="11" r="10" fill="${c.color}" fill-opacity="0.55"/><circle cx="11" cy="11" r="5" fill="#8a8f98"/></svg><span>${c.label}</span>`,
    ),
    `<span></span><span class="muted">Around a router with more than ${CROWDED_CHILDREN} children, child labels show on hover, selection or zoom.</span>`,
  );
  return `<div class="legend">${rows.join('')}</div>`;
}

/** One legend entry: its icon (an inline SVG, '' for a heading or note) and its words. */
export interface LegendItem {
  icon: string;
  label: string;
}

/** The legend's entries, as legendHtml shows them (for exported images and reports). */
export function legendItems(): LegendItem[] {
  const out: LegendItem[] = [];
  const re = /(<svg[\s\S]*?<\/svg>|<span><\/span>)<span[^>]*>([\s\S]*?)<\/span>/g;
  for (const m of legendHtml().matchAll(re)) out.push({ icon: m[1].startsWith('<svg') ? m[1] : '', label: m[2] });
  return out;
}
