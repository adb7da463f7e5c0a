// The sign-in page: a person id and a one-time code give a session; then on to the page the
// server names (the field app for grid members, the desk for township and county staff), or
// back to the page that asked for a sign-in.
import { flushPendingSignOut } from '/app/session.js';

const form = document.getElementById('signin');

// The server's refusals by code, in the page's language (the server's message is the fallback).
const refusals = {
  wrong_code: '登录码不正确。连续输错 5 次后，登录码将被锁定。',
  code_locked: '该登录码已因输错 5 次被锁定，请向乡镇（苏木）索取新的登录码。',
  no_code: '这个人员编号没有可用的登录码：请核对人员编号（例如 P000063）；登录码 15 分钟内有效且只能使用一次，请向乡镇（苏木）索取新的登录码。',
  invalid: '请输入人员编号和 8 位数字登录码。',
  origin: '请从本系统的页面登录。',
};
const error = document.getElementById('signin-error');

// `path` as an address on this server, or null for anything that could lead elsewhere: not
// starting with '/', a backslash or a control character anywhere (browsers read '/\host' and
// '/<tab>/host' as '//host'), or another origin once resolved. The address is whole
// (origin included), so that a path resolved to '//host' (from '/..//host') stays on this server.
function onThisSite(path) {
  if (typeof path !== 'string' || !path.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(path)) return null;
  let url;
  try { url = new URL(path, location.origin); } catch (_) { return null; }
  return url.origin === location.origin ? url.href : null;
}

function nextPage(home) {
  return onThisSite(new URLSearchParams(location.search).get('next')) || onThisSite(home) || '/';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    // A sign-out that did not reach the server goes first: sent after the sign-in, it would end
    // the new session instead of the old one.
    if (!(await flushPendingSignOut())) {
      error.textContent = '上次退出登录尚未在服务器上完成，请联网后再登录。';
      error.hidden = false;
      button.disabled = false;
      return;
    }
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
