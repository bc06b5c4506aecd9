// The whole client side of the backend-for-frontend pattern. This script never sees a token: it holds no credentials
// at all (the session cookie is HttpOnly), and every call goes to this app's own origin with the X-CSRF header.

const csrf = { 'X-CSRF': '1' };
const pageSize = 10;
let nextPageStart = null;

const $ = (id) => document.getElementById(id);

// fetch sends the session cookie to the same origin by default; 'same-origin' says so explicitly.
async function call(path, options = {}) {
  return fetch(path, { credentials: 'same-origin', ...options, headers: { ...csrf, Accept: 'application/json', ...options.headers } });
}

function show(section) {
  $('signed-in').hidden = section !== 'signed-in';
  $('signed-out').hidden = section !== 'signed-out';
  $('status').textContent = section === 'signed-in' ? 'Signed in.' : 'Signed out.';
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

async function loadUser() {
  const response = await call('/bff/user');
  if (response.status === 401) {
    show('signed-out');
    return;
  }

  if (!response.ok) {
    throw new Error(`The user endpoint answered ${response.status}.`);
  }

  const { claims } = await response.json();
  const name = claims.find((c) => c.type.endsWith('/claims/name'))?.value ?? '(unknown)';
  $('user-name').textContent = name;
  const list = $('claims');
  list.replaceChildren();
  for (const claim of claims) {
    const term = document.createElement('dt');
    term.textContent = claim.type.replace(/^.*[/:]/, '');
    const value = document.createElement('dd');
    value.textContent = claim.value;
    list.append(term, value);
  }

  show('signed-in');
}

async function listDrive(pageStart) {
  const query = new URLSearchParams({ type: JSON.stringify(['folder', 'raster', 'vector', 'file']), pageSize: String(pageSize) });
  if (pageStart) {
    query.set('pageStart', pageStart);
  }

  const response = await call(`/api/ellipsis/account/root/myDrive?${query}`);
  if (response.status === 401) {
    // The session ended (signed out elsewhere, or Ellipsis Drive refused the refresh): sign in again.
    show('signed-out');
    return;
  }

  if (!response.ok) {
    throw new Error(`Ellipsis Drive answered ${response.status}.`);
  }

  const { result, nextPageStart: next } = await response.json();
  const list = $('drive');
  if (!pageStart) {
    list.replaceChildren();
  }

  for (const item of result) {
    const entry = document.createElement('li');
    entry.className = 'drive-item';
    // textContent, never innerHTML: a name in the drive is data, not markup.
    entry.textContent = `${item.name} (${item.type})`;
    list.append(entry);
  }

  nextPageStart = next;
  $('next-page').hidden = !next;
  $('status').textContent = `My Drive: ${list.children.length} item(s).`;
}

async function signOut() {
  const response = await call('/bff/logout', { method: 'POST' });
  if (!response.ok) {
    throw new Error(`Sign-out answered ${response.status}.`);
  }

  $('drive').replaceChildren();
  $('claims').replaceChildren();
  show('signed-out');
}

function guarded(action) {
  return async () => {
    showError('');
    try {
      await action();
    } catch (error) {
      showError(error.message);
    }
  };
}

$('list-drive').addEventListener('click', guarded(() => listDrive(null)));
$('next-page').addEventListener('click', guarded(() => listDrive(nextPageStart)));
$('sign-out').addEventListener('click', guarded(signOut));

if (new URLSearchParams(location.search).get('signin') === 'failed') {
  showError('The sign-in with Ellipsis Drive was cancelled or failed.');
  history.replaceState(null, '', '/');
}

fetch('/sample/mode').then((r) => r.json()).then(({ emulator }) => { $('mode').hidden = !emulator; }).catch(() => {});
loadUser().catch((error) => showError(error.message));
