// The small pages: sign-in and errors.
import { html } from 'hono/html';
import { CSRF_FIELD } from '../session.ts';
import { page, type Html, type Viewer } from '../layout.ts';

export function loginPage(csrf: string, next: string, refused: boolean): Html {
  return page(
    'Sign in',
    null,
    null,
    html`<div class="login panel">
      <p>This dashboard needs an API key with the read scope (admin to activate models or erase customers). It is sent once; a session cookie keeps you signed in.</p>
      ${refused ? html`<p class="error" role="alert">That key was not accepted.</p>` : ''}
      <form method="post" action="/dashboard/login">
        <input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
        <input type="hidden" name="next" value="${next}">
        <label>API key <input type="password" name="key" required autocomplete="current-password" autofocus></label>
        <button type="submit">Sign in</button>
      </form></div>`,
  );
}

export function errorPage(viewer: Viewer | null, title: string, message: string): Html {
  return page(title, null, viewer, html`<p class="error">${message}</p><p><a href="/dashboard">Back to the overview</a></p>`);
}
