#!/usr/bin/env python3
"""Browser test of the field app (/app/) and the desk (/desk/) (issue 12), run by Tools/browser_test.sh.

Drives Debian's chromium through Playwright for Python against a running `gridbook serve` on the
demo database (Tools/browser_test.sh sets all of that up):
  1. grid member P000063 signs in on the phone app with a code from `gridbook login-code`; Today
     shows exactly the households of GET /api/v1/due?unit=GRID (all pages), in the same order;
  2. logs a met visit on the first due household: it leaves Today, the grid's covered count +1;
  3. offline, logs three visits (one with a finding), reloads the page offline (the app opens and
     shows three waiting), back online: all three sent and stored exactly once (`gridbook visit
     list`), the finding is in the risk register;
  4. a visit whose first response is lost after the server stored it (request interception) is
     resent by the app and stored once, under the same id;
  5. township officer P000005 signs in at the desk, sees that risk, promotes it, dispatches and
     starts the case; the ledger shows both;
  6. five wrong codes lock a code (then even the right one is refused); a write without the CSRF
     header is refused (403 csrf) and passes with it; another grid's household is a 403 page that
     leaks nothing, and #forbidden in the app;
  7. a visit the server refuses (a 409, by interception) stays in the outbox as refused with the
     server's reason, across a reload, and is never sent again;
  8. the member's sessions are revoked (`gridbook session revoke`) while a visit waits offline:
     back online the app asks to sign in, and after signing in sends the visit, stored once;
  9. the desk's weekly digest;
 10. a visit dated before the member's duty is refused by the server (403): the outbox says why in
     Chinese (the date), the header counts it with a mark of its own, Today marks the household;
 11. the sign-in page: `next` leading to another site (/\host, /<tab>/host, //host) lands on the
     person's own page instead; a person id typed in lower case signs in; an unknown one is told to
     check the id (the same answer as a person with no code: which ids exist is not said);
 12. signing out of the app offline: only the sign-in form shows (also after a reload); back online
     the session is ended on the server before anything else;
 13. signing out while the server answers 503: the desk and the app say it failed and stay signed
     in (the session still works); once the server answers, the desk signs out.
Screenshots at 390x844 and 1280x800 of Today, the visit form, the outbox, the desk coverage and a
case page; a page that scrolls sideways at 390 px, a console error or a CSP violation fails its
step. Expected values all come from the API (never from today's date). Prints PASS/FAIL per step
and exits 1 on any failure.

Usage: python3 Tools/browser_test.py --base http://127.0.0.1:PORT --gridbook PATH --db DB
           [--seeds Seeds/demo] [--screenshots DIR] [--chromium /usr/bin/chromium] [--headed]
Python standard library + playwright only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

GRID = "150599001001001"
MEMBER = "P000063"
TOWNSHIP = "150599001000"
OFFICER = "P000005"
OTHER_HOUSEHOLD = "150599001001002-0001"
OTHER_GRID = "150599001001002"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
STAMP = time.strftime("%H%M%S")

# Logs every CSP violation as a console error (Chromium logs its own "Refused to …" line too).
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', e => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + e.sourceFile + ':' + e.lineNumber);
});
"""


class StepFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


class Test:
    def __init__(self, args: argparse.Namespace):
        self.base = args.base.rstrip("/")
        self.gridbook = args.gridbook
        self.db = args.db
        self.seeds = args.seeds
        self.shots = args.screenshots
        self.verbose = args.verbose
        os.makedirs(self.shots, exist_ok=True)
        self.results: list[tuple[str, bool, str]] = []
        self.errors: list[str] = []          # console errors and page errors, as they come
        self.ignored: list[str] = []         # expected "Failed to load resource" lines
        self.problems: list[str] = []        # sideways scrolling, found while taking screenshots
        self.screenshots: list[str] = []
        self.member_token = ""
        self.officer_token = ""
        # Shared between steps.
        self.visited: list[str] = []         # households visited by the test, in order
        self.finding_title = f"浏览器测试：楼道堆放杂物 {STAMP}"
        self.risk_id = None
        self.baseline: dict[str, set[str]] = {}

    # ---------- command line and API ----------

    def cli(self, *args: str) -> str:
        run = subprocess.run([self.gridbook, "--db", self.db, *args], capture_output=True, text=True)
        if run.returncode != 0:
            raise StepFailed(f"gridbook {' '.join(args)} exited {run.returncode}: {run.stderr.strip()}")
        return run.stdout

    def api(self, path: str, token: str, method: str = "GET", body=None) -> tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                                                  **({"Content-Type": "application/json"} if data else {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text

    def api_ok(self, path: str, token: str) -> dict:
        status, body = self.api(path, token)
        check(status == 200, f"GET {path} answered {status}: {str(body)[:300]}")
        return body

    def api_all(self, path: str, token: str) -> list:
        """Every item of a list endpoint, following `next` with `after=`."""
        items, after = [], None
        for _ in range(1000):
            sep = "&" if "?" in path else "?"
            url = path if after is None else f"{path}{sep}after={urllib.parse.quote(str(after))}"
            body = self.api_ok(url, token)
            items.extend(body["items"])
            after = body.get("next")
            if after is None:
                return items
        raise StepFailed(f"GET {path}: more than 1000 pages")

    def due(self) -> list[str]:
        return [item["household_code"] for item in self.api_all(f"/api/v1/due?unit={GRID}", self.member_token)]

    def covered(self) -> int:
        return self.api_ok(f"/api/v1/reports/coverage?unit={GRID}", self.member_token)["total"]["covered"]

    def visits_by_household(self) -> dict[str, list[dict]]:
        """The grid's visits from `gridbook visit list --format json` (all pages), by household."""
        found: dict[str, list[dict]] = {}
        after = None
        for _ in range(1000):
            args = ["visit", "list", "--unit", GRID, "--format", "json", "--limit", "1000"]
            if after is not None:
                args += ["--after", str(after)]
            text = self.cli(*args)
            try:
                page = json.loads(text)
            except ValueError:
                raise StepFailed(f"gridbook visit list --format json printed no JSON: {text[:300]}")
            for visit in page["items"]:
                found.setdefault(visit["household_code"], []).append(visit)
            after = page.get("next")
            if after is None:
                return found
        raise StepFailed("gridbook visit list: more than 1000 pages")

    def new_visits(self, household: str) -> list[dict]:
        """Visits of `household` stored since the test began."""
        now = self.visits_by_household().get(household, [])
        return [v for v in now if v["id"] not in self.baseline.get(household, set())]

    def login_code(self, person: str) -> str:
        code = self.cli("login-code", "--person", person).strip().splitlines()[-1].strip()
        check(re.fullmatch(r"[0-9]{8}", code) is not None, f"gridbook login-code printed {code!r}, not 8 digits")
        return code

    def household_row(self, code: str) -> dict:
        with open(os.path.join(self.seeds, "households.csv"), encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                if row["code"] == code:
                    return row
        raise StepFailed(f"{code} is not in {self.seeds}/households.csv")

    # ---------- pages ----------

    def watch(self, page, label: str) -> None:
        def on_console(message):
            if message.type != "error":
                return
            text = message.text
            url = (message.location or {}).get("url", "") or ""
            path = urllib.parse.urlparse(url).path
            expected = text.startswith("Failed to load resource") and (
                path.startswith("/api/") or path.startswith("/auth/") or path == "/login"
                or path == f"/desk/households/{OTHER_HOUSEHOLD}"
                or "ERR_INTERNET_DISCONNECTED" in text or "ERR_FAILED" in text)
            if expected:
                self.ignored.append(f"{label}: {text} ({url})")
            else:
                self.errors.append(f"{label}: console error: {text} ({url})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"{label}: page error: {error}"))

    def shoot(self, page, name: str) -> None:
        """Screenshots at 390x844 and 1280x800; sideways scrolling at 390 px is a problem."""
        original = page.viewport_size
        for size in (PHONE, DESK):
            page.set_viewport_size(size)
            page.wait_for_timeout(350)
            if size["width"] == 390:
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    self.problems.append(f"{name} scrolls sideways at 390 px (scrollWidth {width}, {page.url})")
            path = os.path.join(self.shots, f"{name}-{size['width']}x{size['height']}.png")
            page.screenshot(path=path, scale="css")
            self.screenshots.append(path)
        page.set_viewport_size(original)
        page.wait_for_timeout(200)

    def wait_until(self, page, condition, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        last = None
        while True:
            last = condition()
            if last:
                return last
            if time.monotonic() > deadline:
                raise StepFailed(f"timed out after {timeout:.0f} s waiting for {what}")
            page.wait_for_timeout(250)

    def wait_js(self, page, expression: str, timeout: float, what: str):
        """Polls a JavaScript expression (page.evaluate, which the page's CSP does not block;
        page.wait_for_function may poll with eval, which 'default-src 'self'' forbids)."""
        def value():
            try:
                return page.evaluate(expression)
            except PlaywrightError as error:  # a navigation under way: try again
                if "context was destroyed" in str(error) or "navigat" in str(error):
                    return False
                raise
        return self.wait_until(page, value, timeout, what)

    def due_in_app(self, page) -> list[str]:
        return page.eval_on_selector_all("#due-list li.due-item[data-household]", "els => els.map(e => e.dataset.household)")

    def app_sign_in(self, page, person: str, code: str) -> None:
        page.goto(self.base + "/app/")
        page.wait_for_selector("form#signin")
        page.fill("form#signin input[name=person_id]", person)
        page.fill("form#signin input[name=code]", code)
        page.click("form#signin [type=submit]")

    def open_visit_form(self, page, household: str) -> None:
        page.click(f'#due-list li.due-item[data-household="{household}"] a')
        page.wait_for_selector(f'#household[data-household="{household}"]')
        page.click("#log-visit")
        page.wait_for_selector("form#visit-form")

    def fill_visit(self, page, outcome: str, method: str, note: str, finding: dict | None = None) -> None:
        page.select_option("form#visit-form select[name=outcome]", outcome)
        page.select_option("form#visit-form select[name=method]", method)
        page.fill("form#visit-form textarea[name=note]", note)
        if finding:
            page.click("#add-finding")
            row = page.locator("form#visit-form .finding").last
            row.locator("select[name=finding_category]").select_option(finding["category"])
            row.locator("select[name=finding_level]").select_option(finding["level"])
            row.locator("input[name=finding_title]").fill(finding["title"])

    def submit_visit(self, page) -> None:
        page.click("form#visit-form [type=submit]")
        page.wait_for_selector("#due-list")

    def outbox_rows(self, page) -> list[dict]:
        return page.eval_on_selector_all("#outbox li.outbox-item",
                                         "els => els.map(e => ({id: e.dataset.id, state: e.dataset.state}))")

    # ---------- steps ----------

    def step1(self, phone) -> None:
        due = self.due()
        check(len(due) >= 5, f"the test needs 5 due households in grid {GRID}; the API lists {len(due)}")
        code = self.login_code(MEMBER)
        self.app_sign_in(phone, MEMBER, code)
        phone.wait_for_selector("#due-list li.due-item", timeout=20000)
        try:
            self.wait_until(phone, lambda: self.due_in_app(phone) == due, 20, "Today to show the API's due list")
        except StepFailed:
            shown = self.due_in_app(phone)
            raise StepFailed(f"Today shows {len(shown)} households, the API {len(due)}; first difference at "
                             f"{next((i for i, (a, b) in enumerate(zip(shown, due)) if a != b), min(len(shown), len(due)))}: "
                             f"app {shown[:8]}… api {due[:8]}…")
        # The service worker must control the page before the offline steps.
        self.wait_js(phone, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)", 20,
                     "the service worker to control /app/")
        self.step_note = f"{len(due)} due households, same order"

    def step2(self, phone) -> None:
        due = self.due()
        schedule = {item["household_code"]: item for item in self.api_all(f"/api/v1/due?unit={GRID}", self.member_token)}
        # The first due household; it must not be covered already, or a met visit could not raise coverage.
        first = due[0]
        item = schedule[first]
        check(item["overdue_days"] > 0 or item.get("last_met") is None,
              f"the first due household {first} is covered already (due_on {item['due_on']}): coverage could not rise")
        before = self.covered()
        self.open_visit_form(phone, first)
        self.fill_visit(phone, "met", "door", "浏览器测试：入户见面，情况正常")
        self.shoot(phone, "visit-form")
        self.submit_visit(phone)
        self.visited.append(first)
        self.wait_until(phone, lambda: first not in self.due(), 20, f"{first} to leave GET /api/v1/due")
        self.wait_until(phone, lambda: (lambda shown: shown and first not in shown)(self.due_in_app(phone)), 20,
                        f"{first} to leave Today")
        after = self.wait_until(phone, lambda: (lambda c: c if c == before + 1 else None)(self.covered()), 10,
                                f"the grid's covered count to rise from {before} to {before + 1}")
        stored = self.new_visits(first)
        check(len(stored) == 1, f"{first}: {len(stored)} visits stored, expected 1: {stored}")
        check(stored[0]["outcome"] == "met", f"{first}: the stored visit's outcome is {stored[0]['outcome']}")
        self.wait_until(phone, lambda: self.due_in_app(phone) == self.due(), 20, "Today to match the API after the visit")
        self.shoot(phone, "today")
        self.step_note = f"{first} left Today; covered {before} -> {after}"

    def step3(self, context, phone) -> None:
        due = [code for code in self.due() if code not in self.visited]
        check(len(due) >= 4, f"too few due households left: {due}")
        chosen = due[:3]
        context.set_offline(True)
        self.wait_js(phone, "navigator.onLine === false", 10, "navigator.onLine to be false")
        phone.goto(self.base + "/app/#/")
        phone.wait_for_selector("#due-list li.due-item")
        outcomes = ["met", "met", "met"]
        for index, household in enumerate(chosen):
            finding = {"category": "neighbour", "level": "orange", "title": self.finding_title} if index == 0 else None
            self.open_visit_form(phone, household)
            self.fill_visit(phone, outcomes[index], ["door", "phone", "door"][index], f"浏览器测试：离线走访 {index + 1}", finding)
            self.submit_visit(phone)
            self.visited.append(household)
        phone.click("#outbox-link")
        phone.wait_for_selector("#outbox")
        self.wait_until(phone, lambda: len(phone.query_selector_all("#outbox li.outbox-item[data-state=waiting]")) == 3, 15,
                        "three waiting entries in the outbox")
        ids = [row["id"] for row in self.outbox_rows(phone) if row["state"] == "waiting"]
        # Reload with no network: the service worker opens the app.
        try:
            phone.reload()
        except PlaywrightError as error:
            raise StepFailed(f"reloading /app/ offline failed (no service worker?): {error}")
        phone.wait_for_selector("#outbox", timeout=15000)
        self.wait_until(phone, lambda: len(phone.query_selector_all("#outbox li.outbox-item[data-state=waiting]")) == 3, 15,
                        "three waiting entries after the offline reload")
        count = self.wait_until(phone, lambda: (lambda t: t if t == "3" else None)(phone.inner_text("#outbox-count").strip()), 10,
                                "#outbox-count to read 3 after the offline reload")
        self.shoot(phone, "outbox")
        context.set_offline(False)
        self.wait_js(phone, "navigator.onLine === true", 10, "navigator.onLine to be true")

        def all_sent():
            states = {row["id"]: row["state"] for row in self.outbox_rows(phone)}
            return all(states.get(i) == "sent" for i in ids)
        try:
            self.wait_until(phone, all_sent, 45, "all three entries to reach data-state=sent")
        except StepFailed as failure:
            raise StepFailed(f"{failure}: {self.outbox_rows(phone)}")
        self.wait_until(phone, lambda: phone.inner_text("#outbox-count").strip() == "0", 10, "#outbox-count to read 0 once sent")
        stored_ids = []
        for household in chosen:
            stored = self.new_visits(household)
            check(len(stored) == 1, f"{household}: {len(stored)} visits stored, expected exactly 1: {stored}")
            stored_ids.append(stored[0]["id"])
        check(sorted(stored_ids) == sorted(ids), f"stored visit ids {stored_ids} are not the outbox's ids {ids}")
        risks = [r for r in self.api_all(f"/api/v1/risks?unit={GRID}", self.member_token) if r["title"] == self.finding_title]
        check(len(risks) == 1, f"{len(risks)} risks titled {self.finding_title!r} in the register, expected 1")
        risk = risks[0]
        check(risk.get("household_code") == chosen[0], f"the finding's risk is on {risk.get('household_code')}, not {chosen[0]}")
        check(risk.get("category") == "neighbour" and risk.get("level") == "orange", f"the finding's risk: {risk}")
        self.risk_id = risk["id"]
        self.step_note = f"outbox count {count} offline after reload; {chosen} stored once each; risk {self.risk_id}"

    def step4(self, phone) -> None:
        due = [code for code in self.due() if code not in self.visited]
        check(due, "no due household left")
        household = due[0]
        posts: list[dict] = []

        def handler(route):
            request = route.request
            if request.method != "POST":
                route.continue_()
                return
            body = request.post_data_json or {}
            if not posts:
                response = route.fetch()
                posts.append({"id": body.get("id"), "status": response.status, "lost": True})
                route.abort()
            else:
                posts.append({"id": body.get("id"), "status": None, "lost": False})
                route.continue_()

        answers: list[int] = []

        def on_response(response):
            if response.request.method == "POST" and urllib.parse.urlparse(response.url).path == "/api/v1/visits":
                answers.append(response.status)
        phone.on("response", on_response)
        phone.route("**/api/v1/visits", handler)
        try:
            phone.goto(self.base + "/app/#/")
            phone.wait_for_selector(f'#due-list li.due-item[data-household="{household}"]')
            self.open_visit_form(phone, household)
            self.fill_visit(phone, "met", "door", "浏览器测试：回应丢失后重发")
            self.submit_visit(phone)
            self.visited.append(household)
            phone.goto(self.base + "/app/#/outbox")
            phone.wait_for_selector("#outbox")
            self.wait_until(phone, lambda: len(posts) >= 2, 30, "the app to resend the visit whose answer was lost")
            visit_id = posts[0]["id"]
            self.wait_until(phone, lambda: any(r["id"] == visit_id and r["state"] == "sent" for r in self.outbox_rows(phone)), 20,
                            f"outbox entry {visit_id} to reach data-state=sent")
        finally:
            phone.unroute("**/api/v1/visits", handler)
            phone.remove_listener("response", on_response)
        check(posts[0]["status"] == 201, f"the first POST (answer lost) was answered {posts[0]['status']}, expected 201")
        check(all(p["id"] == visit_id for p in posts), f"the resends changed the visit's id: {posts}")
        check(answers and answers[-1] in (200, 201), f"the resend's answers: {answers}")
        stored = self.new_visits(household)
        check(len(stored) == 1, f"{household}: {len(stored)} visits stored, expected 1: {stored}")
        check(stored[0]["id"] == visit_id, f"{household}: stored id {stored[0]['id']}, sent {visit_id}")
        self.step_note = f"{household}: POSTed {len(posts)} times (first answer 201 lost, resend answered {answers[-1]}), stored once as {visit_id}"

    def step5(self, desk) -> None:
        check(self.risk_id is not None, "no risk from step 3")
        code = self.login_code(OFFICER)
        response = desk.goto(self.base + "/login")
        check(response is not None and response.status == 200, f"GET /login answered {response and response.status}")
        desk.wait_for_selector("form#signin")
        desk.fill("form#signin input[name=person_id]", OFFICER)
        desk.fill("form#signin input[name=code]", code)
        desk.click("form#signin [type=submit]")
        desk.wait_for_url(re.compile(r"/desk/"), timeout=15000)
        response = desk.goto(self.base + f"/desk/risks?unit={TOWNSHIP}")
        check(response.status == 200, f"GET /desk/risks?unit={TOWNSHIP} answered {response.status}")
        desk.wait_for_selector("table#risks")
        row = desk.locator(f'table#risks tr.risk[data-id="{self.risk_id}"]')
        check(row.count() == 1, f"risk {self.risk_id} is not a row of table#risks ({desk.locator('table#risks tr.risk').count()} rows)")
        check(self.finding_title in row.inner_text(), f"risk {self.risk_id}'s row does not show its title: {row.inner_text()[:200]}")
        row.locator("a.risk-link").first.click()
        desk.wait_for_selector(f'#risk[data-id="{self.risk_id}"]')
        desk.click("#promote")
        desk.wait_for_url(re.compile(r"/desk/cases/[^/?#]+"), timeout=15000)
        case = desk.wait_for_selector("#case[data-id][data-status]")
        case_id = case.get_attribute("data-id")
        check(desk.url.rstrip("/").endswith("/desk/cases/" + urllib.parse.quote(case_id)) or desk.url.rstrip("/").endswith("/desk/cases/" + case_id),
              f"promote landed on {desk.url}, not /desk/cases/{case_id}")

        def act(action: str, fill) -> None:
            form = desk.locator(f'form.action[data-action="{action}"]')
            check(form.count() == 1, f"case {case_id} ({desk.get_attribute('#case', 'data-status')}) offers no {action} form")
            fill(form)
            form.locator("[type=submit]").first.click()
            try:
                desk.wait_for_selector(f'ol#ledger li.ledger-entry[data-action="{action}"]', timeout=15000)
            except PlaywrightError:
                error = desk.locator("#action-error")
                raise StepFailed(f"{action}: no ledger entry appeared; #action-error: "
                                 f"{error.inner_text().strip() if error.count() else '(none)'}")

        def dispatch(form):
            form.locator("input[name=assignee]").fill(OFFICER)
            form.locator("textarea[name=note]").fill("浏览器测试：派给本人处理")

        act("dispatch", dispatch)
        act("start", lambda form: None)
        actions = desk.eval_on_selector_all("ol#ledger li.ledger-entry", "els => els.map(e => e.dataset.action)")
        check("dispatch" in actions and "start" in actions, f"the ledger shows {actions}")
        error = desk.locator("#action-error")
        check(error.count() == 0 or not error.inner_text().strip(), f"#action-error says {error.inner_text().strip()!r}")
        status = desk.get_attribute("#case", "data-status")
        _, body = self.api(f"/api/v1/cases/{urllib.parse.quote(case_id)}", self.officer_token)
        ledger = [entry["action"] for entry in (body or {}).get("ledger", [])] if isinstance(body, dict) else body
        check(isinstance(body, dict) and body.get("status") == "in_progress" and "dispatch" in ledger and "start" in ledger,
              f"GET /api/v1/cases/{case_id}: status {isinstance(body, dict) and body.get('status')}, ledger {ledger}")
        self.shoot(desk, "case")
        response = desk.goto(self.base + f"/desk/units/{TOWNSHIP}")
        check(response.status == 200, f"GET /desk/units/{TOWNSHIP} answered {response.status}")
        desk.wait_for_selector("table#coverage")
        self.shoot(desk, "desk-coverage")
        self.step_note = f"case {case_id} ({status}), ledger {actions}"

    def step6(self, browser, phone) -> None:
        notes = []
        # A write from the signed-in page without the CSRF header.
        due = [code for code in self.due() if code not in self.visited]
        check(due, "no due household left")
        phone.goto(self.base + "/app/#/")
        phone.wait_for_selector("#due-list")
        result = phone.evaluate("""async household => {
          const body = JSON.stringify({household_code: household, visited_at: new Date(Date.now() - 60000).toISOString(),
                                       method: 'phone', outcome: 'absent', note: '浏览器测试：CSRF'});
          const without = await fetch('/api/v1/visits', {method: 'POST', headers: {'Content-Type': 'application/json'}, body});
          const withoutBody = await without.text();
          const csrf = (document.cookie.split(';').map(s => s.trim()).find(s => s.startsWith('gb_csrf=')) || '').slice(8);
          const withHeader = await fetch('/api/v1/visits', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf)}, body});
          return {without: without.status, withoutBody, csrf: csrf.length, with: withHeader.status, withBody: await withHeader.text()};
        }""", due[0])
        try:
            code = json.loads(result["withoutBody"])["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = None
        check(result["without"] == 403 and code == "csrf",
              f"POST /api/v1/visits without X-CSRF-Token answered {result['without']}: {result['withoutBody'][:300]}")
        check(result["csrf"] > 0, "the signed-in page has no gb_csrf cookie")
        check(result["with"] == 201, f"the same POST with X-CSRF-Token answered {result['with']}: {result['withBody'][:300]}")
        self.visited.append(due[0])
        notes.append("no CSRF header: 403 csrf, with it: 201")

        # Another grid's household, as the grid member.
        household = self.household_row(OTHER_HOUSEHOLD)
        response = phone.goto(self.base + f"/desk/households/{OTHER_HOUSEHOLD}")
        check(response is not None and response.status == 403,
              f"GET /desk/households/{OTHER_HOUSEHOLD} as {MEMBER} answered {response and response.status}")
        check(phone.locator('#error[data-status="403"]').count() == 1, "the 403 page has no #error[data-status=\"403\"]")
        html = response.text()
        leaks = [what for what, text in (("head name", household["head_name"]), ("address", household["address"]),
                                         ("phone", household["phone"]))
                 if text and text in html]
        if OTHER_GRID in html:  # (the household's own code holds it too: not even that may be echoed)
            leaks.append("grid code")
        check(not leaks, f"the 403 page shows the household's {', '.join(leaks)}")
        phone.goto(self.base + f"/app/#/h/{OTHER_HOUSEHOLD}")
        phone.wait_for_selector("#forbidden")
        # Its visit form, and an unknown household's, show the same views as the households.
        for hash_, view in ((f"#/h/{OTHER_HOUSEHOLD}/visit", "#forbidden"), (f"#/h/{GRID}-9999/visit", "#not-found")):
            phone.goto(self.base + "/app/#/")
            phone.wait_for_selector("#due-list")
            phone.goto(self.base + "/app/" + hash_)
            phone.wait_for_selector(view)
            check(phone.locator("form#visit-form").count() == 0, f"{hash_} shows the visit form")
        notes.append("another grid's household: 403 page, nothing leaked, #forbidden in the app (its visit form too)")

        # Five wrong codes lock the code.
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.add_init_script(CSP_LISTENER)
        try:
            page = context.new_page()
            self.watch(page, "lockout")
            code = self.login_code(MEMBER)
            wrong = f"{(int(code) + 1) % 100_000_000:08d}"
            page.goto(self.base + "/app/")
            page.wait_for_selector("form#signin")
            answers = []

            def try_code(digits: str) -> tuple[int, str]:
                page.fill("form#signin input[name=person_id]", MEMBER)
                page.fill("form#signin input[name=code]", digits)
                with page.expect_response(lambda r: urllib.parse.urlparse(r.url).path == "/auth/login") as info:
                    page.click("form#signin [type=submit]")
                status = info.value.status
                self.wait_js(page, "!!document.querySelector('#signin-error') && document.querySelector('#signin-error').textContent.trim() !== ''",
                             10, "#signin-error to say why")
                return status, page.inner_text("#signin-error").strip()

            for _ in range(5):
                answers.append(try_code(wrong))
            check(all(400 <= status < 500 for status, _ in answers), f"wrong codes were answered {answers}")
            status, text = try_code(code)
            answers.append((status, text))
            check(400 <= status < 500, f"the right code after five wrong ones was answered {status} (expected a refusal)")
            check(page.locator("form#signin").count() == 1, "the right code after lockout signed in")
            locked = [t for _, t in answers[4:] if re.search(r"lock|锁", t, re.IGNORECASE)]
            check(locked, f"#signin-error does not say the code is locked: {[t for _, t in answers]}")
            notes.append(f"lockout: {answers[4][0]} {answers[4][1]!r}; then the right code {status} {text!r}")
        finally:
            context.close()
        self.step_note = "; ".join(notes)

    def step7(self, phone) -> None:
        """A refusal stays in the outbox with the server's reason, and is not sent again."""
        due = [code for code in self.due() if code not in self.visited]
        check(due, "no due household left")
        household = due[0]
        posts: list[str] = []
        reason = "visit 浏览器测试 is already stored with other content"

        def handler(route):
            if route.request.method != "POST":
                route.continue_()
                return
            posts.append((route.request.post_data_json or {}).get("id"))
            route.fulfill(status=409, content_type="application/json; charset=utf-8",
                          body=json.dumps({"error": {"code": "conflict", "message": reason, "details": []}}))
        phone.route("**/api/v1/visits", handler)
        try:
            phone.goto(self.base + "/app/#/")
            phone.wait_for_selector(f'#due-list li.due-item[data-household="{household}"]')
            self.open_visit_form(phone, household)
            self.fill_visit(phone, "met", "door", "浏览器测试：被拒绝的走访")
            self.submit_visit(phone)
            self.visited.append(household)
            phone.goto(self.base + "/app/#/outbox")
            phone.wait_for_selector("#outbox")
            self.wait_until(phone, lambda: posts, 20, "the visit to be sent")
            visit_id = posts[0]
            row = f'#outbox li.outbox-item[data-id="{visit_id}"]'
            self.wait_until(phone, lambda: phone.get_attribute(row, "data-state") == "refused", 20,
                            f"outbox entry {visit_id} to reach data-state=refused")
            shown = phone.inner_text(f"{row} .outbox-reason")
            check(reason in shown, f"the refused entry shows {shown!r}, not the server's reason")
            # Not resent in a loop: across a reload and the sender's next turns, no second POST.
            phone.reload()
            phone.wait_for_selector(row)
            phone.wait_for_timeout(6000)
            check(posts == [visit_id], f"the refused visit was sent {len(posts)} times: {posts}")
            check(phone.get_attribute(row, "data-state") == "refused", "the refused entry changed state after a reload")
        finally:
            phone.unroute("**/api/v1/visits", handler)
        check(not self.new_visits(household), f"{household}: a refused visit was stored")
        self.step_note = f"{household}: 409 shown as refused with the reason, sent once, kept across a reload"

    def step8(self, phone) -> None:
        """A session that ends while a visit waits: the app asks to sign in, then sends it."""
        due = [code for code in self.due() if code not in self.visited]
        check(due, "no due household left")
        household = due[0]
        context = phone.context
        phone.goto(self.base + "/app/#/")
        phone.wait_for_selector(f'#due-list li.due-item[data-household="{household}"]')
        context.set_offline(True)
        try:
            self.wait_js(phone, "navigator.onLine === false", 10, "navigator.onLine to be false")
            self.open_visit_form(phone, household)
            self.fill_visit(phone, "met", "phone", "浏览器测试：会话过期后补发")
            self.submit_visit(phone)
            self.visited.append(household)
            sessions = json.loads(self.cli("session", "list", "--person", MEMBER, "--format", "json"))
            sessions = sessions["items"] if isinstance(sessions, dict) else sessions
            revoked = 0
            for session in sessions:
                if not session.get("revoked"):
                    self.cli("session", "revoke", str(session["id"]))
                    revoked += 1
            phone.wait_for_timeout(2500)  # a running server keeps a session for 2 s
        finally:
            context.set_offline(False)
        phone.wait_for_selector("form#signin", timeout=30000)
        phone.wait_for_timeout(1000)
        check(not self.new_visits(household), f"{household}: stored without a session")
        code = self.login_code(MEMBER)
        phone.fill("form#signin input[name=person_id]", MEMBER)
        phone.fill("form#signin input[name=code]", code)
        phone.click("form#signin [type=submit]")
        self.wait_until(phone, lambda: len(self.new_visits(household)) == 1, 30,
                        f"the waiting visit on {household} to be sent after signing in again")
        phone.wait_for_timeout(1500)
        stored = self.new_visits(household)
        check(len(stored) == 1, f"{household}: {len(stored)} visits stored, expected 1")
        self.step_note = f"{household}: waited through a revoked session ({revoked} revoked), sent once after signing in again"

    def step10(self, phone) -> None:
        """A visit the server refuses for its date: the reason in Chinese, counted, marked on Today."""
        due = [code for code in self.due() if code not in self.visited]
        check(due, "no due household left")
        household = due[0]
        # P000063's duty on the grid began on 2018-01-23 (Seeds/demo/duties.csv).
        phone.goto(self.base + "/app/#/")
        phone.wait_for_selector(f'#due-list li.due-item[data-household="{household}"]')
        self.open_visit_form(phone, household)
        self.fill_visit(phone, "met", "door", "浏览器测试：任职前的日期")
        phone.click("details.when summary")
        phone.fill("input[name=visited_at]", "2017-05-01T10:00")
        self.submit_visit(phone)
        self.visited.append(household)
        phone.goto(self.base + "/app/#/outbox")
        phone.wait_for_selector("#outbox")
        rows_js = """els => els.map(e => ({id: e.dataset.id, state: e.dataset.state, text: e.innerText,
                                              reason: (e.querySelector('.outbox-reason') || {}).innerText || ''}))"""

        def refused_row():
            rows = phone.eval_on_selector_all("#outbox li.outbox-item", rows_js)
            return next((r for r in rows if r["state"] == "refused" and household in r["text"]), None)
        row = self.wait_until(phone, refused_row, 30, f"the visit to {household} to be refused")
        check("403" in row["reason"] and "走访日期不在您负责此住户的任职期间内" in row["reason"],
              f"the refused visit's reason does not say the date is outside the duty: {row['reason']!r}")
        check("无权为此住户记录走访" not in row["reason"], f"the refused visit's reason says another grid's: {row['reason']!r}")
        rows = phone.eval_on_selector_all("#outbox li.outbox-item", rows_js)
        refused = sum(1 for r in rows if r["state"] == "refused")
        unsent = sum(1 for r in rows if r["state"] in ("waiting", "sending", "refused"))
        self.wait_until(phone, lambda: phone.inner_text("#outbox-count").strip() == str(unsent), 10,
                        f"#outbox-count to read {unsent} (refused visits counted)")
        check(phone.locator("#outbox-refused").is_visible(), "no mark of refused visits in the header")
        mark = phone.inner_text("#outbox-refused").strip()
        check(mark == f"被拒 {refused}", f"the header's refused mark reads {mark!r}, not '被拒 {refused}'")
        phone.goto(self.base + "/app/#/")
        item = f'#due-list li.due-item[data-household="{household}"]'
        phone.wait_for_selector(item)
        self.wait_js(phone, f"document.querySelector('{item}').dataset.outbox === 'refused'", 10, f"Today to mark {household} refused")
        check("走访被拒绝" in phone.inner_text(item), f"Today's {household} does not say its visit was refused: {phone.inner_text(item)!r}")
        check(not self.new_visits(household), f"{household}: the refused visit was stored")
        self.shoot(phone, "today-refused")
        self.step_note = f"{household}: 403 shown as a date outside the duty; header {unsent} with mark {mark!r}; Today marks it"

    def step11(self, browser) -> None:
        """The sign-in page: `next` never leads to another site; a person id in any case."""
        notes = []
        for next_ in ("/%5Cexample.org/x", "/%09/example.org", "//example.org", "https://example.org"):
            context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
            context.add_init_script(CSP_LISTENER)
            elsewhere: list[str] = []

            def guard(route, elsewhere=elsewhere):
                if urllib.parse.urlparse(route.request.url).hostname == "example.org":
                    elsewhere.append(route.request.url)
                    route.abort()
                else:
                    route.continue_()
            context.route("**/*", guard)
            try:
                page = context.new_page()
                self.watch(page, "next")
                code = self.login_code(OFFICER)
                page.goto(self.base + "/login?next=" + next_)
                page.fill("form#signin input[name=person_id]", OFFICER)
                page.fill("form#signin input[name=code]", code)
                page.click("form#signin [type=submit]")
                page.wait_for_url(re.compile(re.escape(self.base) + r"/desk/"), timeout=15000)
                page.wait_for_timeout(500)
                check(not elsewhere, f"/login?next={next_} sent the browser to {elsewhere}")
            finally:
                context.close()
        notes.append("4 next= to other sites: landed on /desk/")
        context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.add_init_script(CSP_LISTENER)
        try:
            page = context.new_page()
            self.watch(page, "person id")
            code = self.login_code(MEMBER)
            page.goto(self.base + "/login")
            page.fill("form#signin input[name=person_id]", "P999999")
            page.fill("form#signin input[name=code]", code)
            page.click("form#signin [type=submit]")
            self.wait_js(page, "!document.querySelector('#signin-error').hidden", 10, "#signin-error to show")
            said = page.inner_text("#signin-error").strip()
            check("请核对人员编号" in said, f"an unknown person id is answered {said!r}")
            page.fill("form#signin input[name=person_id]", MEMBER.lower())
            page.click("form#signin [type=submit]")
            page.wait_for_url(re.compile(re.escape(self.base) + r"/app/"), timeout=15000)
            me = page.evaluate("fetch('/api/v1/me').then(r => r.json())")
            check(me.get("id") == MEMBER, f"signed in as {me.get('id')!r}, not {MEMBER}")
            notes.append(f"unknown id: {said!r}; {MEMBER.lower()} signed in as {MEMBER}")
        finally:
            context.close()
        self.step_note = "; ".join(notes)

    def sessions(self, person: str) -> list[dict]:
        """`gridbook session list --person PERSON --format json`: the person's sessions."""
        listed = json.loads(self.cli("session", "list", "--person", person, "--format", "json"))
        return listed["items"] if isinstance(listed, dict) else listed

    def step12(self, browser) -> None:
        """Signing out of the app offline: the session ends on the server once back online."""
        before = {session["id"] for session in self.sessions(MEMBER)}
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(15000)
        context.add_init_script(CSP_LISTENER)
        try:
            page = context.new_page()
            self.watch(page, "offline sign-out")
            page.on("dialog", lambda dialog: dialog.accept())
            self.app_sign_in(page, MEMBER, self.login_code(MEMBER))
            page.wait_for_selector("#due-list li.due-item", timeout=20000)
            self.wait_js(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)", 20,
                         "the service worker to control /app/")
            opened = [session for session in self.sessions(MEMBER) if session["id"] not in before]
            check(len(opened) == 1, f"signing in opened {len(opened)} sessions: {opened}")
            context.set_offline(True)
            self.wait_js(page, "navigator.onLine === false", 10, "navigator.onLine to be false")
            page.click("#sign-out")
            page.wait_for_selector("form#signin")
            said = page.inner_text("#signin-error").strip()
            check("联网后将自动结束" in said, f"signing out offline says {said!r}, not that the session ends once connected")
            check(page.evaluate("localStorage.getItem('gridbook-signout-pending') !== null"), "no pending sign-out kept")
            page.reload()
            page.wait_for_selector("form#signin")
            page.wait_for_timeout(1000)
            check(page.locator("#due-list").count() == 0 and page.locator("#household").count() == 0,
                  "offline after signing out, a reload shows the person's data")
            context.set_offline(False)
            self.wait_js(page, "navigator.onLine === true", 10, "navigator.onLine to be true")
            self.wait_js(page, "localStorage.getItem('gridbook-signout-pending') === null", 20, "the pending sign-out to be sent")
            status = page.evaluate("fetch('/api/v1/me').then(r => r.status)")
            check(status == 401, f"after the pending sign-out, GET /api/v1/me answered {status}")
            ended = [session for session in self.sessions(MEMBER) if session["id"] == opened[0]["id"]]
            check(ended and ended[0].get("revoked"), f"the session signed out offline is not revoked: {ended}")
            page.goto(self.base + "/app/")
            page.wait_for_selector("form#signin")
            page.wait_for_timeout(1500)
            check(page.locator("#due-list").count() == 0, "back online, /app/ shows Today without a code")
        finally:
            context.close()
        self.step_note = f"offline: {said!r}; online: the session ended (401), the sign-in form shows"

    def step13(self, desk, phone) -> None:
        """Signing out while the server answers 503: it says so and stays signed in."""
        calls: list[str] = []

        def busy(route):
            calls.append(route.request.url)
            route.fulfill(status=503, headers={"Retry-After": "1"}, content_type="application/json; charset=utf-8",
                          body=json.dumps({"error": {"code": "busy", "message": "the database is busy", "details": []}}))
        # The field app (signed in since step 8).
        phone.on("dialog", lambda dialog: dialog.accept())
        phone.route("**/auth/logout", busy)
        try:
            phone.goto(self.base + "/app/#/")
            phone.wait_for_selector("#due-list")
            phone.click("#sign-out")
            self.wait_js(phone, "!!document.querySelector('#signout-error') && !document.querySelector('#signout-error').hidden", 20,
                         "the app to say that signing out failed")
            said_app = phone.inner_text("#signout-error").strip()
            check("退出登录失败" in said_app, f"the app says {said_app!r}")
            check(len(calls) == 3, f"the app sent POST /auth/logout {len(calls)} times, expected 3")
            check(phone.locator("#due-list").count() == 1, "the app left Today after a failed sign-out")
            status = phone.evaluate("fetch('/api/v1/me').then(r => r.status)")
            check(status == 200, f"the app's session after a failed sign-out: GET /api/v1/me answered {status}")
        finally:
            phone.unroute("**/auth/logout", busy)
        # The desk (signed in since step 5).
        calls.clear()
        desk.route("**/auth/logout", busy)
        try:
            desk.goto(self.base + f"/desk/units/{TOWNSHIP}")
            desk.wait_for_selector("#sign-out")
            desk.click("#sign-out")
            self.wait_js(desk, "!document.querySelector('#action-error').hidden", 20, "the desk to say that signing out failed")
            said_desk = desk.inner_text("#action-error").strip()
            check("退出登录失败" in said_desk, f"the desk says {said_desk!r}")
            check(len(calls) == 3, f"the desk sent POST /auth/logout {len(calls)} times, expected 3")
            check("/desk/" in desk.url, f"the desk went to {desk.url} after a failed sign-out")
            status = desk.evaluate("fetch('/api/v1/me').then(r => r.status)")
            check(status == 200, f"the desk's session after a failed sign-out: GET /api/v1/me answered {status}")
        finally:
            desk.unroute("**/auth/logout", busy)
        desk.click("#sign-out")
        desk.wait_for_url(re.compile(r"/login"), timeout=15000)
        status = desk.evaluate("fetch('/api/v1/me').then(r => r.status)")
        check(status == 401, f"after signing out, GET /api/v1/me answered {status}")
        self.step_note = f"app: {said_app!r}; desk: {said_desk!r}; then signed out (401)"

    # ---------- running ----------

    def step9(self, desk) -> None:
        """The weekly digest of the demo's last week (to 2026-11-22) on the desk: the figures the
        server computed (the API's and the command line's JSON are one), at 1280 px."""
        query = f"period=weekly&unit={TOWNSHIP}&on=2026-11-23"
        digest = self.api_ok(f"/api/v1/reports/digest?{query}", self.officer_token)
        cli = json.loads(self.cli("digest", "weekly", "--unit", TOWNSHIP, "--on", "2026-11-23", "--format", "json"))
        check(cli == digest, "gridbook digest --format json differs from GET /api/v1/reports/digest")
        response = desk.goto(self.base + f"/desk/digest?{query}")
        check(response is not None and response.status == 200, f"GET /desk/digest answered {response and response.status}")
        desk.wait_for_selector("#digest-figures")
        span = desk.inner_text("#digest-span")
        check(f"{digest['from']} 至 {digest['to']}" in span, f"the digest's span reads {span!r}, not {digest['from']} to {digest['to']}")
        figures = desk.inner_text("#digest-figures")
        for value in (digest["visits"]["due"], digest["visits"]["done"], digest["risks"]["found"], digest["cases"]["accepted"]):
            check(str(value) in figures, f"the digest's figures do not show {value}: {figures[:300]}")
        check(desk.locator("#digest-triage").count() == 1, "the digest has no triage section")
        desk.set_viewport_size(DESK)
        check(desk.evaluate("document.documentElement.scrollWidth") <= 1280, "the digest is wider than 1280 px")
        path = os.path.join(self.shots, "digest-1280x800.png")
        desk.screenshot(path=path, full_page=True, scale="css")
        self.screenshots.append(path)

    def run_step(self, number: int, title: str, function, page, *args) -> None:
        errors_before, problems_before = len(self.errors), len(self.problems)
        self.step_note = ""
        started = time.monotonic()
        failure = None
        try:
            function(*args)
        except StepFailed as error:
            failure = str(error)
        except PlaywrightError as error:
            failure = f"Playwright: {str(error).splitlines()[0]}"
            traceback.print_exc(file=sys.stderr)
        except Exception as error:  # noqa: BLE001 (a bug in a step fails that step, the rest still run)
            failure = f"{type(error).__name__}: {error}"
            traceback.print_exc(file=sys.stderr)
        if page is not None and failure is not None:
            try:
                path = os.path.join(self.shots, f"failed-step{number}.png")
                page.screenshot(path=path)
                failure += f" [screenshot {path}, at {page.url}]"
            except PlaywrightError:
                pass
        extra = self.errors[errors_before:] + self.problems[problems_before:]
        if extra:
            failure = "; ".join(([failure] if failure else []) + extra)
        seconds = time.monotonic() - started
        self.results.append((f"step {number}", failure is None, failure or self.step_note))
        if failure is None:
            print(f"PASS step {number}: {title} ({seconds:.1f} s){': ' + self.step_note if self.step_note else ''}", flush=True)
        else:
            print(f"FAIL step {number}: {title} ({seconds:.1f} s): {failure}", flush=True)

    def run(self, chromium: str, headed: bool) -> int:
        self.member_token = self.cli("token", "issue", "--person", MEMBER).strip().splitlines()[-1].strip()
        self.officer_token = self.cli("token", "issue", "--person", OFFICER).strip().splitlines()[-1].strip()
        self.baseline = {code: {v["id"] for v in visits} for code, visits in self.visits_by_household().items()}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=not headed)
            try:
                phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                                    locale="zh-CN", timezone_id="Asia/Shanghai")
                phone_context.set_default_timeout(15000)
                phone_context.add_init_script(CSP_LISTENER)
                phone = phone_context.new_page()
                self.watch(phone, "app")
                desk_context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
                desk_context.set_default_timeout(15000)
                desk_context.add_init_script(CSP_LISTENER)
                desk = desk_context.new_page()
                self.watch(desk, "desk")

                self.run_step(1, "a grid member signs in; Today is GET /api/v1/due, in order", self.step1, phone, phone)
                self.run_step(2, "a met visit: the household leaves Today, coverage rises", self.step2, phone, phone)
                self.run_step(3, "offline: three visits, reload, back online: stored once each, finding in the register",
                              self.step3, phone, phone_context, phone)
                phone_context.set_offline(False)  # whatever step 3 did
                self.run_step(4, "a lost response: the app resends, the visit is stored once", self.step4, phone, phone)
                self.run_step(5, "the desk: sees the risk, promotes, dispatches, starts; the ledger shows both",
                              self.step5, desk, desk)
                self.run_step(6, "lockout after five wrong codes; CSRF; another grid's household is 403",
                              self.step6, phone, browser, phone)
                self.run_step(7, "a refused visit stays in the outbox with the reason, never resent", self.step7, phone, phone)
                self.run_step(8, "an expired session: the app asks to sign in, then sends the waiting visit",
                              self.step8, phone, phone)
                self.run_step(9, "the desk's weekly digest of the last week: the server's figures, at 1280 px",
                              self.step9, desk, desk)
                self.run_step(10, "a visit refused for its date: the reason in Chinese, counted with a mark, marked on Today",
                              self.step10, phone, phone)
                self.run_step(11, "sign-in: next= to another site lands here; a lower-case person id signs in",
                              self.step11, None, browser)
                self.run_step(12, "signing out of the app offline: nothing shown; the session ends once online",
                              self.step12, None, browser)
                self.run_step(13, "signing out while the server answers 503: it says so and stays signed in",
                              self.step13, desk, desk, phone)
                # Today for the screenshots' set, whatever step 2 did.
                if not any(path.endswith("today-390x844.png") for path in self.screenshots):
                    try:
                        phone.goto(self.base + "/app/#/")
                        phone.wait_for_selector("#due-list li.due-item")
                        self.shoot(phone, "today")
                    except PlaywrightError:
                        pass
            finally:
                browser.close()
        wanted = [f"{name}-{w}x{h}.png" for name in ("today", "visit-form", "outbox", "desk-coverage", "case")
                  for w, h in ((390, 844), (1280, 800))] + ["digest-1280x800.png"]
        missing = [name for name in wanted if not any(path.endswith("/" + name) for path in self.screenshots)]
        if missing:
            print(f"FAIL screenshots: missing {', '.join(missing)}")
            self.results.append(("screenshots", False, "missing " + ", ".join(missing)))
        else:
            print(f"PASS screenshots: {len(wanted)} taken")
            self.results.append(("screenshots", True, ""))
        if self.ignored:
            print(f"(ignored {len(self.ignored)} console lines of requests that were meant to fail: offline, aborted, 401/403"
                  f"{'' if self.verbose else '; --verbose lists them'})")
            if self.verbose:
                for line in self.ignored:
                    print("   ", line)
        print(f"screenshots in {self.shots}")
        passed = sum(1 for _, ok, _ in self.results if ok)
        failed = len(self.results) - passed
        print(f"browser_test: {passed} passed, {failed} failed")
        return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the server, e.g. http://127.0.0.1:18090")
    parser.add_argument("--gridbook", required=True, help="the gridbook binary (for login-code, token, visit list)")
    parser.add_argument("--db", required=True, help="the server's database")
    parser.add_argument("--seeds", default=os.path.join(ROOT, "Seeds", "demo"))
    parser.add_argument("--screenshots", default=os.path.join(ROOT, ".build-browser", "screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--headed", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="list the console lines of requests meant to fail")
    args = parser.parse_args()
    return Test(args).run(args.chromium, args.headed)


if __name__ == "__main__":
    sys.exit(main())
