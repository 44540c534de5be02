// The Settings section: GET /settings shown as a form (settings.ts builds
// it), Save sends a merge patch of the changed fields, a 400 is shown by the
// field it names, 401/403 ask for the token; settings.changed events update
// the form, keeping what the user is typing.
import { ApiError, type Api } from './api';
import { byId } from './dom';
import { errorField, formFrom, patchBody, settingsFormHtml, type SettingField, type Settings, type SettingsForm } from './settings';
import { token, tokenPrompt } from './token';

/** The Settings section. */
export class SettingsPanel {
  /** The settings last read (GET /settings, settings.changed). */
  private settings: Settings | null = null;
  /** The form's values for them. */
  private base: SettingsForm | null = null;
  private saving = false;
  private readonly box = byId('settings');

  constructor(
    private readonly api: Api,
    /** The network shown (its own interval is one of the fields). */
    private readonly network: () => string,
  ) {}

  /** GET /settings into the section. */
  async load(): Promise<void> {
    try {
      this.show(await this.api.settings(), true);
    } catch (e) {
      this.box.textContent = `Cannot load the settings: ${(e as Error).message}`;
    }
  }

  /** Another network is shown: its interval field follows. */
  networkChanged(): void {
    if (this.settings) this.show(this.settings, true);
  }

  /**
   * Shows settings. `reset` drops the user's edits; otherwise (a
   * settings.changed event) fields the user edited keep their text and the
   * others take the new values, so Save still sends only the user's changes.
   */
  show(s: Settings, reset: boolean): void {
    const before = this.base;
    const typed = reset ? null : this.read();
    const net = this.network();
    const base = formFrom(s, net);
    const form: SettingsForm = { ...base, otbr: [...base.otbr] };
    if (before && typed) {
      const edited = patchBody(before, typed, net);
      for (const k of Object.keys(edited) as (keyof SettingsForm)[]) {
        if (k === 'otbr') form.otbr = typed.otbr;
        else form[k] = typed[k];
      }
    }
    this.settings = s;
    this.base = base;
    this.render(form, {});
  }

  /** The form's values as typed, null before the form is shown. */
  read(): SettingsForm | null {
    if (!this.base || !document.getElementById('settings-form')) return null;
    const val = (f: string, d: string): string => {
      const e = document.getElementById(`set-${f}`);
      return e instanceof HTMLInputElement ? e.value : d;
    };
    const b = this.base;
    return {
      interval: val('interval', b.interval),
      network_interval: val('network_interval', b.network_interval),
      max_backoff: val('max_backoff', b.max_backoff),
      scan_timeout: val('scan_timeout', b.scan_timeout),
      retain_count: val('retain_count', b.retain_count),
      retain_age: val('retain_age', b.retain_age),
      otbr: [...document.querySelectorAll<HTMLInputElement>('#set-otbr-list .set-otbr')].map((i) => i.value),
      matter_server: val('matter_server', b.matter_server),
    };
  }

  /** Renders the form (keeping focus on the same control) and wires it. */
  private render(form: SettingsForm, errors: Partial<Record<SettingField | '', string>>, status = ''): void {
    if (!this.settings) return;
    const box = this.box;
    const active = document.activeElement;
    const focusId = active instanceof HTMLElement && box.contains(active) ? active.id : '';
    const otbrIdx = active instanceof HTMLInputElement && active.classList.contains('set-otbr') ? [...box.querySelectorAll('.set-otbr')].indexOf(active) : -1;
    box.innerHTML = settingsFormHtml(this.settings, form, this.network(), errors);
    if (status) byId('settings-status').textContent = status;
    if (focusId) document.getElementById(focusId)?.focus();
    else if (otbrIdx >= 0) box.querySelectorAll<HTMLInputElement>('.set-otbr')[otbrIdx]?.focus();
    byId<HTMLFormElement>('settings-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save();
    });
    byId('settings-reset').addEventListener('click', () => {
      if (this.settings) this.show(this.settings, true);
      byId('settings-status').textContent = 'changes undone';
    });
    byId('set-otbr-add').addEventListener('click', () => {
      const f = this.read();
      if (!f) return;
      f.otbr.push('');
      this.render(f, {});
      const all = box.querySelectorAll<HTMLInputElement>('.set-otbr');
      all[all.length - 1]?.focus();
    });
    for (const b of box.querySelectorAll<HTMLButtonElement>('.set-otbr-remove')) {
      b.addEventListener('click', () => {
        const f = this.read();
        if (!f) return;
        f.otbr.splice(Number(b.dataset.index), 1);
        this.render(f, {}, 'URL removed; Save to apply');
        byId('set-otbr-add').focus();
      });
    }
  }

  /** PATCH /settings with the changed fields; a 400 is shown next to the field it names. */
  async save(): Promise<void> {
    const form = this.read();
    if (!form || !this.base || this.saving) return;
    const body = patchBody(this.base, form, this.network());
    const status = byId('settings-status');
    if (!Object.keys(body).length) {
      status.textContent = 'nothing changed';
      return;
    }
    this.saving = true;
    status.textContent = 'saving…';
    try {
      const s = await this.api.patchSettings(body, token());
      this.show(s, true);
      byId('settings-status').textContent = 'saved';
    } catch (e) {
      const code = e instanceof ApiError ? e.status : 0;
      const msg = (e as Error).message;
      if (code === 400) {
        const field = errorField(msg);
        this.render(form, { [field]: msg }, 'not saved');
        const first = field === 'otbr' ? document.querySelector<HTMLElement>('#set-otbr-list .set-otbr') : null;
        (first ?? document.getElementById(field ? (field === 'otbr' ? 'set-otbr-add' : `set-${field}`) : 'settings-save'))?.focus();
      } else if (code === 401 || code === 403) {
        byId('settings-status').textContent = `not saved: ${code === 401 ? 'a token is needed' : 'not allowed'} (HTTP ${code}${msg ? `: ${msg}` : ''})`;
        const tb = byId('settings-token-box');
        tb.innerHTML = '';
        tokenPrompt(tb, 'settings-token', code, 'Use token and save', () => void this.save());
      } else {
        this.render(form, { '': code === 0 ? `cannot reach the server: ${msg}` : `HTTP ${code}${msg ? `: ${msg}` : ''}` }, 'not saved');
      }
    } finally {
      this.saving = false;
    }
  }
}
