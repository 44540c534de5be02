// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_KEY, token, tokenPrompt } from './token';

beforeEach(() => {
  document.body.innerHTML = '<div id="box"></div>';
  sessionStorage.clear();
});

describe('tokenPrompt', () => {
  it('asks for the token, focuses the field and keeps what is typed for this tab', () => {
    let ran = 0;
    tokenPrompt(document.getElementById('box')!, 'tok', 401, 'Use token', () => ran++);
    const input = document.getElementById('tok') as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(document.activeElement).toBe(input);
    expect(document.getElementById('box')!.textContent).not.toMatch(/refused/);
    const form = document.getElementById('tok-form')!;
    input.value = '   ';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(ran).toBe(0);
    input.value = ' abc ';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(ran).toBe(1);
    expect(token()).toBe('abc');
  });

  it('says when a token given before was refused', () => {
    sessionStorage.setItem(TOKEN_KEY, 'old');
    tokenPrompt(document.getElementById('box')!, 'tok', 403, 'Use <token>', () => {});
    const box = document.getElementById('box')!;
    expect(box.textContent).toMatch(/The token given was refused \(HTTP 403\)/);
    expect(box.querySelector('button')!.textContent).toBe('Use <token>');
  });
});
