// Small DOM helpers shared by the UI parts: element lookup by id, the status
// line under the graph, and file downloads.

/** The element with id `id`; throws naming the id when the page lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string, doc: Document = document): T {
  const e = doc.getElementById(id);
  if (!e) throw new Error(`ui: element #${id} missing`);
  return e as T;
}

/** Sets the status line under the graph; `error` colours it. */
export function setStatus(text: string, error = false): void {
  const s = byId('status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

/** Saves blob as a file named `name` through a temporary link. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
