// The sign-in page: a person id and a one-time code give a session; then on to the page the
// server names (the field app for grid members, the desk for township and county staff), or
// back to the page that asked for a sign-in.
const form = document.getElementById('signin');

// The server's refusals by code, in the page's language (the server's message is the fallback).
const refusals = {
  wrong_code: '登录码不正确。连续输错 5 次后，登录码将被锁定。',
  code_locked: '该登录码已因输错 5 次被锁定，请向乡镇（苏木）索取新的登录码。',
  no_code: '没有可用的登录码：登录码 15 分钟内有效且只能使用一次，请向乡镇（苏木）索取新的登录码。',
  invalid: '请输入人员编号和 8 位数字登录码。',
  origin: '请从本系统的页面登录。',
};
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
    const code = body.error && body.error.code;
    error.textContent = refusals[code] || (body.error && body.error.message) || `登录失败（${response.status}）`;
  } catch {
    error.textContent = '无法连接服务器，请检查网络后再试。';
  }
  error.hidden = false;
  button.disabled = false;
});
