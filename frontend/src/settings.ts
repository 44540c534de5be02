// Runtime settings (GET/PATCH /api/v1/settings, docs/CONFIG.md): the rows
// the Settings section shows, the form's values, the merge patch a Save
// sends and which field a server error names. Pure functions, no DOM: unit-tested.
import { esc } from './html';

/** Where a setting's value came from ('none': no per-network interval for this network). */
export type SettingSource = 'default' | 'file' | 'env' | 'flag' | 'api' | 'none';

/** GET /api/v1/settings (and the settings.changed event). */
export interface Settings {
  interval: string;
  network_interval: Record<string, string> | null;
  max_backoff: string;
  scan_timeout: string;
  retain_count: number;
  retain_age: string;
  otbr: string[] | null;
  matter_server: string;
  tmf: string[] | null;
  /** Each field's SettingSource (a newer server may name others). */
  source: Record<string, string>;
  api_shadowed?: string[] | null;
}

/** The fields the server knows, in the order the UI shows them. */
export const SETTING_FIELDS = [
  'interval',
  'network_interval',
  'max_backoff',
  'scan_timeout',
  'retain_count',
  'retain_age',
  'otbr',
  'matter_server',
  'tmf',
] as const;

/** One of SETTING_FIELDS. */
export type SettingField = (typeof SETTING_FIELDS)[number];

/** Human labels of the fields. */
export const SETTING_LABELS: Record<SettingField, string> = {
  interval: 'Scan interval',
  network_interval: 'This network’s interval',
  max_backoff: 'Max back-off',
  scan_timeout: 'Scan timeout',
  retain_count: 'Keep at most (snapshots)',
  retain_age: 'Keep for (age)',
  otbr: 'OTBR REST URLs',
  matter_server: 'Matter server',
  tmf: 'TMF prefixes',
};

/** One row of the Settings section. */
export interface SettingRow {
  field: SettingField;
  label: string;
  /** The value in effect, as text ('' for none). */
  value: string;
  source: string;
  /** Set when the API's value is kept but a flag/env value wins. */
  shadowed: string;
}

function valueText(s: Settings, f: SettingField, network: string): string {
  switch (f) {
    case 'network_interval':
      return s.network_interval?.[network] ?? '';
    case 'otbr':
    case 'tmf':
      return (s[f] ?? []).join(', ');
    case 'retain_count':
      return String(s.retain_count ?? 0);
    default:
      return String(s[f] ?? '');
  }
}

/** Settings JSON → one row per field, with its source and a shadowing note. */
export function settingsRows(s: Settings, network: string): SettingRow[] {
  const shadowed = new Set(s.api_shadowed ?? []);
  return SETTING_FIELDS.map((field) => {
    const value = valueText(s, field, network);
    // network_interval's source is the whole map's: with no entry for this network none applies to it.
    const source = field === 'network_interval' && value === '' ? 'none' : String(s.source?.[field] ?? 'default');
    return {
      field,
      label: SETTING_LABELS[field],
      value,
      source,
      shadowed: shadowed.has(field) ? `the value set here is kept but the ${source === 'env' ? 'environment variable' : source} value wins` : '',
    };
  });
}

/** The editable values, as the form holds them (text). */
export interface SettingsForm {
  interval: string;
  network_interval: string;
  max_backoff: string;
  scan_timeout: string;
  retain_count: string;
  retain_age: string;
  otbr: string[];
  matter_server: string;
}

/** Settings JSON → the form's initial values for a network. */
export function formFrom(s: Settings, network: string): SettingsForm {
  return {
    interval: s.interval ?? '',
    network_interval: s.network_interval?.[network] ?? '',
    max_backoff: s.max_backoff ?? '',
    scan_timeout: s.scan_timeout ?? '',
    retain_count: String(s.retain_count ?? 0),
    retain_age: s.retain_age ?? '',
    otbr: [...(s.otbr ?? [])],
    matter_server: s.matter_server ?? '',
  };
}

/**
 * The JSON merge patch that turns `before` into `after`: only the fields the
 * user changed. An emptied network interval is `{KEY: null}` (removes it);
 * blank OTBR lines are dropped; a retain count that is not a whole number is
 * sent as typed so the server names the field.
 */
export function patchBody(before: SettingsForm, after: SettingsForm, network: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ['interval', 'max_backoff', 'scan_timeout', 'retain_age', 'matter_server'] as const) {
    const v = after[f].trim();
    if (v !== before[f].trim()) out[f] = v;
  }
  const rc = after.retain_count.trim();
  if (rc !== before.retain_count.trim()) out.retain_count = /^-?\d+$/.test(rc) ? Number(rc) : rc;
  const ni = after.network_interval.trim();
  if (network && ni !== before.network_interval.trim()) out.network_interval = { [network]: ni === '' ? null : ni };
  const a = after.otbr.map((u) => u.trim()).filter((u) => u !== '');
  const b = before.otbr.map((u) => u.trim()).filter((u) => u !== '');
  if (a.length !== b.length || a.some((u, i) => u !== b[i])) out.otbr = a;
  return out;
}

/**
 * The field a 400's message names ("interval: duration: …" → "interval"),
 * or '' when it names none the form knows.
 */
export function errorField(message: string): SettingField | '' {
  const m = /^\s*([a-z_]+)\b/.exec(message);
  if (!m) return '';
  return (SETTING_FIELDS as readonly string[]).includes(m[1]) ? (m[1] as SettingField) : '';
}

/** Fields the form edits (tmf is shown, not edited). */
const EDITABLE = new Set<SettingField>(['interval', 'network_interval', 'max_backoff', 'scan_timeout', 'retain_count', 'retain_age', 'otbr', 'matter_server']);

const HINTS: Partial<Record<SettingField, string>> = {
  interval: 'Go duration, e.g. 30s, 5m',
  network_interval: 'empty: the scan interval applies',
  matter_server: 'ws:// URL; empty for none',
};

/**
 * The Settings form's HTML: per field a label, an input (or the value for
 * fields the UI does not edit), its source, the shadowing note and an error
 * line (`#set-FIELD-err`, filled with `errors[field]`).
 */
export function settingsFormHtml(s: Settings, form: SettingsForm, network: string, errors: Partial<Record<SettingField | '', string>> = {}): string {
  const rows = settingsRows(s, network);
  const out: string[] = ['<form id="settings-form" class="settings-form" novalidate>'];
  for (const r of rows) {
    const id = `set-${r.field}`;
    const err = errors[r.field] ?? '';
    const described = `${id}-src ${id}-err`;
    const srcLine = `<span class="set-src src-${esc(r.source)}" id="${id}-src">source: ${esc(r.source)}${r.shadowed ? ` <span class="set-shadow">— ${esc(r.shadowed)}</span>` : ''}</span>`;
    let control: string;
    if (r.field === 'otbr') {
      const items = form.otbr
        .map(
          (u, i) =>
            `<li><input class="set-otbr" type="url" value="${esc(u)}" aria-label="OTBR URL ${i + 1}" placeholder="http://192.0.2.10:8081" aria-describedby="${described}" /><button type="button" class="set-otbr-remove" data-index="${i}" aria-label="Remove OTBR URL ${i + 1}">Remove</button></li>`,
        )
        .join('');
      control = `<ul id="set-otbr-list" class="set-list">${items}</ul><button type="button" id="set-otbr-add">Add URL</button>`;
    } else if (EDITABLE.has(r.field)) {
      const v = form[r.field as Exclude<keyof SettingsForm, 'otbr'>];
      const disabled = r.field === 'network_interval' && !network;
      const mode = r.field === 'retain_count' ? ' inputmode="numeric"' : '';
      const hint = HINTS[r.field];
      control = `<input id="${id}" name="${r.field}" type="text" value="${esc(v)}"${mode} autocomplete="off" spellcheck="false"${hint ? ` placeholder="${esc(hint)}"` : ''}${disabled ? ' disabled' : ''} aria-describedby="${described}"${err ? ' aria-invalid="true"' : ''} />`;
    } else {
      control = `<span id="${id}" class="set-value">${r.value ? esc(r.value) : '<span class="muted">none</span>'}</span>`;
    }
    const labelFor = r.field === 'otbr' ? '' : ` for="${id}"`;
    const note = r.field === 'network_interval' ? network : r.field === 'retain_count' ? '0 keeps all' : r.field === 'retain_age' ? '0s keeps forever' : '';
    const label = note ? `${esc(r.label)} <span class="muted">(${esc(note)})</span>` : esc(r.label);
    out.push(
      `<div class="set-row${err ? ' invalid' : ''}" data-field="${r.field}"><label class="set-label"${labelFor}>${label}</label>${control}${srcLine}<div class="set-err" id="${id}-err" role="alert"${err ? '' : ' hidden'}>${esc(err)}</div></div>`,
    );
  }
  const general = errors[''] ?? '';
  out.push(
    `<div class="set-err" id="set--err" role="alert"${general ? '' : ' hidden'}>${esc(general)}</div>`,
    '<div class="set-actions"><button type="submit" id="settings-save">Save</button><button type="button" id="settings-reset">Undo changes</button><span id="settings-status" class="muted" role="status" aria-live="polite"></span></div>',
    '</form>',
    // The token prompt is a form of its own: beside, not inside, this one.
    '<div id="settings-token-box"></div>',
  );
  return out.join('');
}
