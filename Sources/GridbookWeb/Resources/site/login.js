// The sign-in page: a person id and a one-time code give a session; then on to the page the
// server names (the field app for grid members, the desk for township and county staff), or
// back to the page that asked for a sign-in.
const form = document.getElementById('signin');
const error = document.getElementById('signin-error');

function nextPage(home) {
  const next = new URLSearchParams(location.search).get('next');
  // Only a path on this server, never another site.
  return next && next.startsWith('/') && !next.startsWith('//') ? next : home;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const response = await fetch('/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ person_id: String(data.get('person_id')).trim(), code: String(data.get('code')).replace(/\s/g, '') }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      location.assign(nextPage(body.home || '/'));
      return;
    }
    error.textContent = (body.error && body.error.message) || `登录失败（${response.status}）`;
  } catch {
    error.textContent = '无法连接服务器，请检查网络后再试。';
  }
  error.hidden = false;
  button.disabled = false;
});
