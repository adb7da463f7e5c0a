// The desk's buttons: each writes through the JSON API with the session's CSRF token, then
// reloads the page the server renders. No rule lives here: the server says what is allowed.
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

const signOut = document.getElementById('sign-out');
if (signOut) {
  signOut.addEventListener('click', async () => {
    try { await send('POST', '/auth/logout'); } catch { /* signed out either way */ }
    location.assign('/login');
  });
}
