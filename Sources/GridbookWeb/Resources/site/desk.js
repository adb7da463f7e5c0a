// The desk's buttons: each writes through the JSON API with the session's CSRF token, then
// reloads the page the server renders. No rule lives here: the server says what is allowed.
import { endSession, flushPendingSignOut, signOutPending } from '/app/session.js';

const errorBox = document.getElementById('action-error');

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)gb_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : '';
}

async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
    throw new Error('signed out');
  }
  const answer = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error((answer.error && answer.error.message) || `失败（${response.status}）`);
  }
  return answer;
}

function showError(error) {
  if (!errorBox) return;
  errorBox.textContent = error.message;
  errorBox.hidden = false;
  errorBox.scrollIntoView({ block: 'center' });
}

function busy(element, on) {
  for (const button of element.querySelectorAll ? element.querySelectorAll('button') : [element]) button.disabled = on;
  if (element.tagName === 'BUTTON') element.disabled = on;
}

const promote = document.getElementById('promote');
if (promote) {
  promote.addEventListener('click', async () => {
    busy(promote, true);
    try {
      const dispute = await send('POST', `/api/v1/risks/${encodeURIComponent(promote.dataset.risk)}/promote`, {});
      location.assign(`/desk/cases/${encodeURIComponent(dispute.id)}`);
    } catch (error) {
      showError(error);
      busy(promote, false);
    }
  });
}

for (const form of document.querySelectorAll('form.action')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { action: form.dataset.action };
    for (const [name, value] of new FormData(form)) {
      if (String(value).trim() !== '') body[name] = String(value).trim();
    }
    busy(form, true);
    try {
      await send('POST', `/api/v1/cases/${encodeURIComponent(form.dataset.case)}/actions`, body);
      location.reload();
    } catch (error) {
      showError(error);
      busy(form, false);
    }
  });
}

const codeForm = document.getElementById('code-form');
if (codeForm) {
  codeForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = document.getElementById('code-result');
    busy(codeForm, true);
    try {
      const person = String(new FormData(codeForm).get('person_id')).trim();
      const issued = await send('POST', '/api/v1/login-codes', { person_id: person });
      result.textContent = `${issued.person_id} 的登录码：${issued.code}（${issued.expires_at} 前有效，仅可使用一次）`;
      result.hidden = false;
    } catch (error) {
      showError(error);
    }
    busy(codeForm, false);
  });
}

// Signing out ends the session on the server (tried again while it is busy); until it has, the
// page stays as it is and says so: going to the sign-in page would look signed out while the
// session still works.
const signOut = document.getElementById('sign-out');
if (signOut) {
  signOut.addEventListener('click', async () => {
    busy(signOut, true);
    const result = await endSession();
    if (result === 'ended') {
      location.assign('/login');
      return;
    }
    showError(new Error(result === 'unreachable'
      ? '退出登录失败：无法连接服务器，您仍处于登录状态。请检查网络后再点“退出”。'
      : '退出登录失败：服务器暂时无法处理，您仍处于登录状态。请稍后再点“退出”。'));
    busy(signOut, false);
  });
}

// A sign-out made in the field app while offline is sent as soon as a desk page opens.
if (signOutPending()) {
  flushPendingSignOut().then(done => {
    if (done) location.replace('/login');
    else showError(new Error('手机端的退出登录尚未在服务器上完成，您仍处于登录状态。请联网后刷新本页。'));
  });
}
