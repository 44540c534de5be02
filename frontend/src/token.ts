// The API token the user typed for mutating calls (Scan now, Settings,
// names): kept in sessionStorage (this tab only), asked for with a small
// form when the server answers 401/403.
import { byId } from './dom';
import { esc } from './html';

/** sessionStorage key of the API token the user typed. */
export const TOKEN_KEY = 'threadmap.token';

/** The token typed in this tab, '' when none. */
export function token(store: Storage = sessionStorage): string {
  return store.getItem(TOKEN_KEY) ?? '';
}

/**
 * Appends a token form (`#ID-form`, field `#ID`) to box and focuses it; a
 * submitted token goes to sessionStorage, then `then` runs. `status` is the
 * HTTP status that asked for it (said when a token given before was refused).
 * `box` must not be inside another form.
 */
export function tokenPrompt(box: HTMLElement, id: string, status: number, button: string, then: () => void, store: Storage = sessionStorage): void {
  const had = !!store.getItem(TOKEN_KEY);
  box.insertAdjacentHTML(
    'beforeend',
    `<form id="${esc(id)}-form" class="token-form"><label>${had ? `The token given was refused (HTTP ${esc(status)}). ` : ''}API token <input id="${esc(id)}" type="password" autocomplete="off" required /></label><button type="submit">${esc(button)}</button></form>`,
  );
  const doc = box.ownerDocument;
  const form = byId<HTMLFormElement>(`${id}-form`, doc);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = byId<HTMLInputElement>(id, doc).value.trim();
    if (!v) return;
    store.setItem(TOKEN_KEY, v);
    then();
  });
  byId<HTMLInputElement>(id, doc).focus();
}
