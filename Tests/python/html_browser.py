"""Drives the HTML report in real headless Chromium over the DevTools protocol (websocket-client from
PyPI) and checks what a person would do with it: sort a table by clicking its header (twice), filter
rows with the search box, drill down from a host row to its keys and users and from a user row to its
keys, hover a chart bar for its value, print it; the page never wider than the window; no script error,
no console error. Saves screenshots (and the printed PDF) as test artefacts.
(Tests/ReportTests/HTMLBrowserTests.swift.)

usage: html_browser.py CHROMIUM REPORT_HTML ARTEFACT_DIR LONG_KEY HOSTILE_KEY
       html_browser.py --diff CHROMIUM DIFF_HTML ARTEFACT_DIR KEYS_TITLE
         (a `report --diff` page: sort its keys by the change, drill down from a host, width, no errors;
         ReportTests/CaptureDiffTests)

Prints one JSON object (the facts read from the page) on stdout; exits 1 with the failed checks on
stderr when any check fails. Chromium is started here, on 127.0.0.1 only, and stopped by its pid.
"""
import base64
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

import websocket  # websocket-client

WIDTH, HEIGHT = 1280, 900


class Failed(Exception):
    pass


class Page:
    """One page target: commands by id, events kept in order."""

    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def send(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        deadline = time.time() + 60
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise Failed("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise Failed("%s: no answer in 60 s" % method)

    def wait_event(self, method, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            for e in self.events:
                if e["method"] == method:
                    self.events.remove(e)
                    return e
            self.ws.settimeout(max(0.1, deadline - time.time()))
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            finally:
                self.ws.settimeout(60)
            if "method" in msg:
                self.events.append(msg)
        raise Failed("no %s in %d s" % (method, seconds))

    def js(self, expression):
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise Failed("evaluating %s: %s" % (expression[:80], r["exceptionDetails"]))
        return r["result"].get("value")

    def settle(self):
        # Two animation frames: the page has handled the input and laid itself out again.
        self.js("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")

    def center(self, selector_js):
        """Scrolls the element (a JS expression) to the middle of the window; its centre in CSS pixels."""
        box = self.js(
            "(() => { const el = %s; if (!el) return null; el.scrollIntoView({block: 'center', inline: 'nearest'});"
            " const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()" % selector_js
        )
        if box is None:
            raise Failed("no element for %s" % selector_js)
        self.settle()  # the scroll has happened (and its event been handled) before the pointer moves
        return box

    def click(self, selector_js):
        x, y = self.center(selector_js)
        self.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        self.send("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button="left", clickCount=1)
        self.send("Input.dispatchMouseEvent", type="mouseReleased", x=x, y=y, button="left", clickCount=1)
        self.settle()

    def hover(self, selector_js):
        x, y = self.center(selector_js)
        self.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        self.settle()


def start_chromium(binary, profile):
    args = [
        binary, "--headless=new", "--no-sandbox", "--disable-gpu",
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile,
        "--window-size=%d,%d" % (WIDTH, HEIGHT), "--hide-scrollbars",
        # Loopback only: no background fetches, and no name resolves to anything.
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-default-apps", "--disable-extensions", "--disable-domain-reliability", "--no-pings",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "about:blank",
    ]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise Failed("chromium exited %s: %s" % (proc.returncode, proc.stderr.read().decode("utf-8", "replace")[-2000:]))
        try:
            with open(port_file) as f:
                lines = f.read().split("\n")
            if len(lines) >= 2 and lines[0].strip().isdigit():
                return proc, int(lines[0])
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    raise Failed("chromium wrote no %s in 60 s" % port_file)


def stop_chromium(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own process group (start_new_session)
            proc.wait(10)
    # Helpers it started and left in its group.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def page_url(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=30) as r:
        targets = json.load(r)
    for t in targets:
        if t.get("type") == "page":
            return t["webSocketDebuggerUrl"]
    raise Failed("no page target in %s" % targets)


def save_screenshot(page, artefacts, name):
    """A screenshot of the page as a PNG artefact: its path and bytes."""
    shot = page.send("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    path = os.path.join(artefacts, name)
    with open(path, "wb") as f:
        f.write(png)
    return path, png


def png_facts(data):
    """Width, height and the number of distinct byte values of the decoded scanlines."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise Failed("screenshot is not a PNG")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    return width, height, len(set(raw))


# JS helpers installed in the page (no effect on it): tables by the heading before them, rows as data.
HELPERS = r"""
window.__t = function (title) {
  const h = [...document.querySelectorAll('h2')].find(h => h.textContent === title);
  for (let el = h && h.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling) {
    if (el.matches('div.tw')) return el.querySelector('table');
  }
  return null;
};
window.__col = function (table, name) {
  return [...table.tHead.rows[0].cells].findIndex(c => c.textContent.replace(/ [\u25B2\u25BC]$/, '') === name);
};
window.__rows = function (title) {
  const t = __t(title);
  return [...t.tBodies[0].rows].map(tr => ({
    cells: [...tr.cells].map(c => c.textContent), v: [...tr.cells].map(c => c.getAttribute('data-v')),
    visible: !tr.hidden && tr.getClientRects().length > 0, note: tr.classList.contains('note'), sel: tr.classList.contains('sel'),
  }));
};
true;
"""


def main():
    binary, html, artefacts, long_key, hostile_key = sys.argv[1:6]
    def checks(page, port, facts, check):
        facts["devtools_port"] = port
        facts["window"] = page.js("[window.innerWidth, window.innerHeight]")

        # The script ran: the controls are shown, every header sorts.
        facts["controls_shown"] = page.js("!document.getElementById('mcf-controls').hidden")
        check(facts["controls_shown"], "the controls (search box) are not shown: the script did not run")
        facts["sortable_headers"] = page.js("document.querySelectorAll('th.s').length")
        facts["headers"] = page.js("document.querySelectorAll('th').length")
        check(facts["sortable_headers"] == facts["headers"] > 0, "not every header is sortable: %s" % facts)

        # Hostile key: shown as text, no element made of it.
        facts["hostile_key_cells"] = page.js("[...document.querySelectorAll('td')].filter(td => td.textContent === %s).length" % json.dumps(hostile_key))
        check(facts["hostile_key_cells"] >= 1, "the hostile key is not shown as text in a cell")
        facts["stray_elements"] = page.js("document.querySelectorAll('td b, td i, td img, td script').length")
        check(facts["stray_elements"] == 0, "a key made markup: %d elements inside cells" % facts["stray_elements"])

        # Width: the long key wraps, nothing is wider than the window.
        facts["long_key_cells"] = page.js("[...document.querySelectorAll('td')].filter(td => td.textContent.includes(%s)).length" % json.dumps(long_key))
        check(facts["long_key_cells"] >= 1, "the %d-character key is not in the page" % len(long_key))
        facts["scroll_width"] = page.js("document.documentElement.scrollWidth")
        check(facts["scroll_width"] <= WIDTH, "page is %d px wide in a %d px window" % (facts["scroll_width"], WIDTH))
        facts["long_key_cell_width"] = page.js(
            "Math.max(...[...document.querySelectorAll('td')].filter(td => td.textContent.includes(%s)).map(td => td.getBoundingClientRect().right))"
            % json.dumps(long_key))
        check(facts["long_key_cell_width"] <= WIDTH, "the long key's cell ends at %s px" % facts["long_key_cell_width"])

        page.send("Page.captureScreenshot", format="png")  # warm-up: fonts loaded
        path, png = save_screenshot(page, artefacts, "report-html.png")
        w, h, distinct = png_facts(png)
        facts["screenshot"] = {"path": path, "bytes": len(png), "width": w, "height": h, "distinct_bytes": distinct}
        check([w, h] == facts["window"] and w == WIDTH, "screenshot is %dx%d, the window %s" % (w, h, facts["window"]))
        check(len(png) > 20000 and distinct > 32, "screenshot looks empty: %s" % facts["screenshot"])

        # Sort: Largest keys by size (first click largest first, second smallest first), Top users by items.
        def sorted_by(title, column, expect_dir):
            col = page.js("__col(__t(%s), %s)" % (json.dumps(title), json.dumps(column)))
            check(col >= 0, "no column %s in %s" % (column, title))
            before = page.js("__rows(%s)" % json.dumps(title))
            page.click("__t(%s).tHead.rows[0].cells[%d]" % (json.dumps(title), col))
            after = page.js("__rows(%s)" % json.dumps(title))
            aria = page.js("__t(%s).tHead.rows[0].cells[%d].getAttribute('aria-sort')" % (json.dumps(title), col))
            data = [r for r in after if not r["note"]]
            vals = [float(r["v"][col]) for r in data if r["v"][col] is not None]
            check(len(vals) == len(data) and len(vals) >= 2, "%s/%s: cells without data-v or too few rows: %s" % (title, column, after))
            pairs = list(zip(vals, vals[1:]))
            ok = all(a >= b for a, b in pairs) if expect_dir == "descending" else all(a <= b for a, b in pairs)
            check(aria == expect_dir, "%s/%s: aria-sort %s, expected %s" % (title, column, aria, expect_dir))
            check(ok, "%s/%s not %s after the click: %s" % (title, column, expect_dir, vals))
            check(sorted(map(json.dumps, before)) == sorted(map(json.dumps, after)), "%s: sorting changed the rows themselves" % title)
            check(all(r["note"] for r in after[len(data):]), "%s: a note row is not last" % title)
            return [r["cells"] for r in data], vals

        keys_desc, sizes_desc = sorted_by("Largest keys", "size", "descending")
        keys_asc, sizes_asc = sorted_by("Largest keys", "size", "ascending")
        check(sizes_asc == sizes_desc[::-1], "the second click did not reverse the sizes")
        if len(set(sizes_desc)) == len(sizes_desc):
            check(keys_asc == keys_desc[::-1], "the second click did not reverse the rows")
        users_desc, items_desc = sorted_by("Top users", "items", "descending")
        facts["sorted"] = {"largest_keys_size_desc": sizes_desc, "largest_keys_size_asc": sizes_asc, "top_users_items_desc": items_desc}

        # Search: type (mixed case) a piece of the long key; only rows containing it stay visible.
        needle = long_key[:12].upper()
        page.click("document.getElementById('mcf-q')")
        page.send("Input.insertText", text=needle)
        page.settle()
        rows = page.js("[...document.querySelectorAll('div.tw > table > tbody > tr')].map(tr => [[...tr.cells].map(c => c.textContent).join('\\t'), !tr.hidden && tr.getClientRects().length > 0])")
        visible = [t for t, v in rows if v]
        facts["search"] = {"needle": needle, "rows": len(rows), "visible": len(visible), "status": page.js("document.getElementById('mcf-status').textContent")}
        check(len(visible) >= 1, "search %r left no row visible" % needle)
        check(all((needle.lower() in t.lower()) == v for t, v in rows), "search %r: a row's visibility does not match its text" % needle)
        check(facts["search"]["status"] == "%d of %d rows" % (len(visible), len(rows)), "status says %r" % facts["search"]["status"])
        page.js("(() => { const q = document.getElementById('mcf-q'); q.select(); return true; })()")
        page.send("Input.dispatchKeyEvent", type="keyDown", key="Backspace", code="Backspace", windowsVirtualKeyCode=8)
        page.send("Input.dispatchKeyEvent", type="keyUp", key="Backspace", code="Backspace", windowsVirtualKeyCode=8)
        page.settle()
        facts["search_cleared_hidden"] = page.js("[...document.querySelectorAll('div.tw > table > tbody > tr')].filter(tr => tr.hidden).length")
        check(facts["search_cleared_hidden"] == 0, "rows still hidden after clearing the search")

        # Drill-down: click the second host's row in Hosts.
        hosts = page.js("__rows('Hosts')")
        host = hosts[-1]["cells"][0].replace(" (partial)", "")
        page.click("[...__t('Hosts').tBodies[0].rows].find(tr => tr.cells[0].textContent.startsWith(%s))" % json.dumps(host))
        chips = page.js("[...document.querySelectorAll('#mcf-chips .chip')].map(b => b.textContent)")
        check(chips == ["host %s \u2715" % host], "chips after the host click: %s" % chips)
        hosts_after = page.js("__rows('Hosts')")
        check(all(r["visible"] for r in hosts_after), "the Hosts table hid a host")
        check([r["sel"] for r in hosts_after] == [r["cells"][0].startswith(host) for r in hosts_after], "the chosen host is not the one marked")
        keys = page.js("__rows('Largest keys')")
        hcol = page.js("__col(__t('Largest keys'), 'host')")
        ocol = page.js("__col(__t('Largest keys'), 'owner')")
        check(any(r["visible"] for r in keys), "no key of %s is shown" % host)
        check(all(r["visible"] == (r["cells"][hcol] == host) for r in keys if not r["note"]), "Largest keys after choosing %s: %s" % (host, keys))
        slabs = page.js("__rows('Slab classes')")
        check(all(r["visible"] == (r["cells"][0] == host) for r in slabs), "Slab classes after choosing %s" % host)
        users = page.js("[...__t('Top users').tBodies[0].rows].map(tr => [tr.getAttribute('data-user'), (tr.getAttribute('data-host') || '').split('\\n'), !tr.hidden])")
        check(all(v == (host in hs) for _, hs, v in users), "Top users after choosing %s: %s" % (host, users))
        check(any(v for _, _, v in users), "no user of %s is shown" % host)
        # Then a user with keys among the largest: its keys on that host.
        owners = [r["cells"][ocol] for r in keys if r["visible"] and r["cells"][ocol] != "-"]
        user = next((u for u, _, v in users if v and u in owners), None)
        check(user is not None, "no shown user owns a shown key (owners %s)" % owners)
        if user is not None:
            page.click("[...__t('Top users').tBodies[0].rows].find(tr => tr.getAttribute('data-user') === %s)" % json.dumps(user))
            keys = page.js("__rows('Largest keys')")
            want = [r["cells"][hcol] == host and r["cells"][ocol] == user for r in keys if not r["note"]]
            check(any(want), "no key of %s on %s" % (user, host))
            check([r["visible"] for r in keys if not r["note"]] == want, "Largest keys after choosing user %s on %s" % (user, host))
            chips = page.js("[...document.querySelectorAll('#mcf-chips .chip')].map(b => b.textContent)")
            check(chips == ["host %s \u2715" % host, "user %s \u2715" % user], "chips: %s" % chips)
            # Take the host off: the user's keys on every host.
            page.click("document.querySelector('#mcf-chips .chip[data-dim=host]')")
            keys = page.js("__rows('Largest keys')")
            check([r["visible"] for r in keys if not r["note"]] == [r["cells"][ocol] == user for r in keys if not r["note"]],
                  "Largest keys after taking the host off (user %s)" % user)
            facts["drill"] = {"host": host, "user": user, "user_keys": sum(1 for r in keys if r["visible"])}
            page.click("document.querySelector('#mcf-chips .chip[data-dim=user]')")
        check(page.js("document.querySelectorAll('#mcf-chips .chip').length") == 0, "chips left after taking them off")
        check(page.js("[...document.querySelectorAll('div.tw > table > tbody > tr')].filter(tr => tr.hidden).length") == 0,
              "rows hidden after taking every filter off")
        # A family row: its largest key among the largest keys, when it is one.
        fam = page.js("(() => { const tr = [...__t('Key families').tBodies[0].rows].find(tr => tr.hasAttribute('data-family')); return tr && tr.getAttribute('data-family'); })()")
        if fam is not None:
            page.click("[...__t('Key families').tBodies[0].rows].find(tr => tr.getAttribute('data-family') === %s)" % json.dumps(fam))
            fam_keys = page.js("[...__t('Largest keys').tBodies[0].rows].map(tr => [(tr.getAttribute('data-family') || '').split('\\n').includes(%s), !tr.hidden])" % json.dumps(fam))
            check(all(a == b for a, b in fam_keys), "Largest keys after choosing family %s" % fam)
            facts["family"] = {"family": fam, "keys_shown": sum(1 for _, v in fam_keys if v)}
            page.click("document.querySelector('#mcf-chips .chip[data-dim=family]')")

        # Chart tooltip: hover the first bar.
        tip_want = page.js("document.querySelector('svg rect[data-tip]').getAttribute('data-tip')")
        page.hover("document.querySelector('svg rect[data-tip]')")
        tip = page.js("(() => { const t = document.getElementById('mcf-tip'); return [t.hidden, t.textContent, getComputedStyle(t).display]; })()")
        facts["tooltip"] = {"want": tip_want, "shown": tip}
        check(tip_want and not tip[0] and tip[1] == tip_want and tip[2] != "none", "tooltip over the first bar: %s, expected %r" % (tip, tip_want))
        check(any(u in (tip_want or "") for u in (" B", "kB", "MB", "GB")), "the bar's tooltip has no value: %r" % tip_want)
        page.hover("document.querySelector('h1')")
        check(page.js("document.getElementById('mcf-tip').hidden"), "the tooltip stays after the pointer left the bar")
        # And a point of the measured timeline, when the report has one.
        if page.js("!!document.querySelector('svg circle[data-tip]')"):
            want = page.js("document.querySelector('svg circle[data-tip]').getAttribute('data-tip')")
            page.hover("document.querySelector('svg circle[data-tip]')")
            shown = page.js("(() => { const t = document.getElementById('mcf-tip'); return t.hidden ? null : t.textContent; })()")
            facts["timeline_tooltip"] = shown
            check(shown == want and "/s" in want, "tooltip over a timeline point: %r, expected %r" % (shown, want))
            page.hover("document.querySelector('h1')")

        # The keys table, sorted, as a second picture.
        page.center("__t('Largest keys')")
        page.settle()
        shot = page.send("Page.captureScreenshot", format="png")
        with open(os.path.join(artefacts, "report-html-keys.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))

        # Print: with a search on, every row is printed and the controls are not.
        page.click("document.getElementById('mcf-q')")
        page.send("Input.insertText", text="zzz-no-such-text")
        page.settle()
        check(page.js("[...document.querySelectorAll('tbody tr')].every(tr => tr.hidden)"), "the search for nothing left rows")
        page.send("Emulation.setEmulatedMedia", media="print")
        printed = page.js("[[...document.querySelectorAll('tbody tr')].filter(tr => getComputedStyle(tr).display === 'none').length,"
                          " getComputedStyle(document.getElementById('mcf-controls')).display, getComputedStyle(document.body).color]")
        facts["print"] = printed
        check(printed[0] == 0, "%d rows are not printed" % printed[0])
        check(printed[1] == "none", "the controls are printed")
        check(printed[2] == "rgb(0, 0, 0)", "printed text is %s, not black" % printed[2])
        pdf = page.send("Page.printToPDF", printBackground=False)
        pdf_bytes = base64.b64decode(pdf["data"])
        with open(os.path.join(artefacts, "report-html.pdf"), "wb") as f:
            f.write(pdf_bytes)
        facts["pdf_bytes"] = len(pdf_bytes)
        check(pdf_bytes[:5] == b"%PDF-" and len(pdf_bytes) > 10000, "the printed PDF looks wrong (%d bytes)" % len(pdf_bytes))
        page.send("Emulation.setEmulatedMedia", media="")

        # Errors: exceptions, console errors, log errors — from the whole session.
        page.settle()
        errors = page_errors(page)
        facts["errors"] = errors
        check(not errors, "errors in the page: %s" % errors)
        facts["scroll_width_end"] = page.js("document.documentElement.scrollWidth")
        check(facts["scroll_width_end"] <= WIDTH, "page is %d px wide at the end" % facts["scroll_width_end"])

    session(binary, html, artefacts, checks)


def open_page(binary, html, held):
    """Chromium started on 127.0.0.1 with a fresh profile, the page loaded and the helpers installed.
    `held` gets the profile folder and the process as soon as they exist, for `close` (also after a failure)."""
    held["profile"] = tempfile.mkdtemp(prefix="mcf-chromium-")
    proc, port = start_chromium(binary, held["profile"])
    held["proc"] = proc
    page = Page(page_url(port))
    for domain in ("Page", "Runtime", "Log"):
        page.send(domain + ".enable")
    page.send("Page.navigate", url="file://" + os.path.abspath(html))
    page.wait_event("Page.loadEventFired")
    page.js(HELPERS)
    return port, page


def close(held):
    """Stops Chromium (by its pid) and removes its profile; returns its exit status, None if it never started."""
    proc = held.get("proc")
    if proc is not None:
        stop_chromium(proc)
    if held.get("profile"):
        shutil.rmtree(held["profile"], ignore_errors=True)
    return proc.returncode if proc is not None else None


def session(binary, html, artefacts, checks):
    """Opens the page in Chromium, runs `checks(page, port, facts, check)`, stops Chromium; prints the facts
    (JSON) and exits 1 with the failed checks on stderr when any failed."""
    os.makedirs(artefacts, exist_ok=True)
    facts, failures = {}, []

    def check(ok, what):
        if not ok:
            failures.append(what)

    held = {}
    try:
        port, page = open_page(binary, html, held)
        checks(page, port, facts, check)
    except (Failed, OSError, websocket.WebSocketException) as e:
        failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        facts["chromium_exit"] = close(held)
    facts["failures"] = failures
    print(json.dumps(facts))
    if failures:
        sys.stderr.write("\n".join(failures) + "\n")
        sys.exit(1)


def page_errors(page):
    """Exceptions, console errors and log errors of the whole session."""
    errors = []
    for e in page.events:
        p = e.get("params", {})
        if e["method"] == "Runtime.exceptionThrown":
            errors.append("exception: %s" % json.dumps(p.get("exceptionDetails", {}))[:500])
        elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append("console.%s: %s" % (p.get("type"), json.dumps(p.get("args", []))[:500]))
        elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            errors.append("log: %s" % p["entry"].get("text", ""))
    return errors


def main_diff():
    binary, html, artefacts, keys_title = sys.argv[2:6]
    def checks(page, port, facts, check):
        check(page.js("!document.getElementById('mcf-controls').hidden"), "the controls are not shown: the script did not run")
        facts["headers"] = page.js("[document.querySelectorAll('th.s').length, document.querySelectorAll('th').length]")
        check(facts["headers"][0] == facts["headers"][1] > 0, "not every header is sortable: %s" % facts["headers"])

        # The keys by their change in bytes: largest growth first, then the reverse.
        col = page.js("__col(__t(%s), 'change')" % json.dumps(keys_title))
        check(col is not None and col >= 0, "no change column in %s" % keys_title)
        page.click("__t(%s).tHead.rows[0].cells[%d]" % (json.dumps(keys_title), col))
        rows = page.js("__rows(%s)" % json.dumps(keys_title))
        deltas = [float(r["v"][col]) for r in rows if not r["note"] and r["v"][col] is not None]
        facts["keys_change_desc"] = deltas
        check(len(deltas) >= 3 and len(deltas) == len([r for r in rows if not r["note"]]), "keys without data-v: %s" % rows)
        check(deltas == sorted(deltas, reverse=True), "keys not sorted by change, largest first: %s" % deltas)
        page.click("__t(%s).tHead.rows[0].cells[%d]" % (json.dumps(keys_title), col))
        again = [float(r["v"][col]) for r in page.js("__rows(%s)" % json.dumps(keys_title)) if not r["note"] and r["v"][col] is not None]
        check(again == deltas[::-1], "the second click did not reverse the keys: %s" % again)

        # Drill down from the host that appeared (the last row): only keys on it stay in the keys table.
        host = page.js("__rows('Hosts')")[-1]["cells"][0]
        page.click("[...__t('Hosts').tBodies[0].rows].find(tr => tr.cells[0].textContent === %s)" % json.dumps(host))
        chips = page.js("[...document.querySelectorAll('#mcf-chips .chip')].map(b => b.textContent)")
        check(chips == ["host %s \u2715" % host], "chips after the host click: %s" % chips)
        keys = page.js("[...__t(%s).tBodies[0].rows].map(tr => [(tr.getAttribute('data-host') || '').split('\\n'), !tr.hidden])" % json.dumps(keys_title))
        facts["drill"] = {"host": host, "keys_shown": sum(1 for _, v in keys if v), "keys": len(keys)}
        check(any(v for _, v in keys), "no key of %s is shown" % host)
        check(all(v == (host in hs) for hs, v in keys), "keys after choosing %s: %s" % (host, keys))
        page.click("document.querySelector('#mcf-chips .chip[data-dim=host]')")
        check(page.js("[...document.querySelectorAll('div.tw > table > tbody > tr')].filter(tr => tr.hidden).length") == 0,
              "rows hidden after taking the filter off")

        facts["scroll_width"] = page.js("document.documentElement.scrollWidth")
        check(facts["scroll_width"] <= WIDTH, "page is %d px wide in a %d px window" % (facts["scroll_width"], WIDTH))
        path, png = save_screenshot(page, artefacts, "report-diff.png")
        w, _, distinct = png_facts(png)
        facts["screenshot"] = {"path": path, "bytes": len(png), "width": w}
        check(w == WIDTH and distinct > 32, "screenshot looks wrong: %s" % facts["screenshot"])
        page.settle()
        facts["errors"] = page_errors(page)
        check(not facts["errors"], "errors in the page: %s" % facts["errors"])

    session(binary, html, artefacts, checks)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--diff"]:
        main_diff()
    else:
        main()
