"""The web explorer (node/explorer/, served by veritraind at /) in a real
browser: headless Chromium (Debian chromium) driven by Debian python3-selenium.

A devnet runs a job through a dispute that ends in a slash (a cheating
provider caught at step 7 by a verifier, as in dispute_e2e_test.py), includes
a failing transaction (a checkpoint posted before the bisection ended) and
registers a provider whose endpoint is an HTML payload. The test then opens the node-served explorer and, page by page,
checks that what it shows is what the RPC says (heights, hashes, balances, the
dispute's narrowed step, the slash amounts...), that the browser logged no
error and that nothing from the chain was interpreted as HTML. Each page is
saved as a PNG in ARTIFACTS_DIR.

usage: /usr/bin/python3 explorer_browser_test.py BIN_DIR SOURCE_DIR CHEATING_TRAINER ARTIFACTS_DIR

Skipped (with a message) when chromium, chromedriver or selenium are missing.
VT_EXPLORER_STATIC=DIR serves DIR (e.g. node/explorer) instead of the node's
embedded copy, with ?rpc= pointing at the node: for editing the explorer
without rebuilding the daemon."""
import functools
import http.client
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dispute_e2e_test as disputes  # noqa: E402  (Net: devnet, keys, workers)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SKIP_MESSAGE = "EXPLORER BROWSER TEST SKIPPED: "

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
    SELENIUM = None
except ImportError as e:  # python3-selenium is not installed
    SELENIUM = str(e)


def missing_browser():
    """Why the browser test cannot run here, or None."""
    if SELENIUM is not None:
        return f"python3-selenium is missing ({SELENIUM}); install chromium chromium-driver python3-selenium"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is missing; install chromium chromium-driver python3-selenium"
    return None


def uvt(amount):
    """An amount as the explorer writes it: "500000" -> "500,000 uvt"."""
    return f"{int(amount):,} uvt"


class ClassScope:
    """Lets Net (which takes a TestCase for addCleanup) live for a whole class."""

    def __init__(self, cls):
        self.cls = cls

    def addCleanup(self, fn, *args, **kwargs):
        self.cls.addClassCleanup(fn, *args, **kwargs)


class StaticServer:
    """python3 -m http.server in a thread, for VT_EXPLORER_STATIC."""

    def __init__(self, directory):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass
        handler = functools.partial(Quiet, directory=directory)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@unittest.skipIf(missing_browser() is not None, SKIP_MESSAGE + (missing_browser() or ""))
class ExplorerInBrowser(unittest.TestCase):
    """One devnet and one browser for all the pages (tests run in name order)."""

    @classmethod
    def setUpClass(cls):
        started = time.time()
        cls.make_history()
        cls.open_browser()
        print(f"\n[explorer] devnet ready and browser started in {time.time() - started:.0f} s", flush=True)

    # ---- the chain the pages show ----

    @classmethod
    def make_history(cls):
        # A long dispute window: the workers are frozen below while a failing
        # transaction goes in, and no party may time out meanwhile.
        n = disputes.Net(ClassScope(cls), ["v1", "v2"], {"pol_dispute_window": "100"})
        cls.n = n
        net = cls.net = n.net
        if os.environ.get("VT_EXPLORER_STATIC"):  # the page comes from another origin: allow it
            net.stop()
            path = os.path.join(net.home, "config.toml")
            with open(path) as f:
                config = f.read()
            with open(path, "w") as f:
                f.write(config.replace("[rpc]\n", "[rpc]\ncors_origins = [\"*\"]\n", 1))
            net.start()
        # The cheating provider (a wrong state at step 7; segment 1 covers steps
        # 5..10) is caught: the bisection narrows to step 7 and the bond is slashed.
        job = cls.job_id = n.submit_and_accept()
        run = os.path.join(n.runs, f"job-{job}")
        subprocess.run([CHEATER, n.spec, run, "7"], check=True, capture_output=True)
        n.worker("provider", "run", "--from", "prov", "--runs", n.runs)
        n.worker("verifier", "run", "--from", "v1")
        n.worker("verifier", "run", "--from", "v2")
        # Meanwhile, a provider whose endpoint is markup: chain data is
        # attacker-chosen and the pages must show it as text.
        net.cli("keys", "new", "mallory")
        cls.mallory = next(k["address"] for k in net.cli("keys", "list") if k["name"] == "mallory")
        net.cli("send", "--from", "faucet", "--to", "mallory", "--amount", "1100000000")
        # (an endpoint is printable ASCII without spaces: ledger valid_endpoint)
        cls.evil_endpoint = "<svg/onload=window.vtXss=1><b>bold</b><script>window.vtXss=2</script>"
        net.cli("provider", "register", "--from", "mallory", "--stake", "1000000000",
                "--endpoint", cls.evil_endpoint)
        # A transaction that is included and fails: admission executes every
        # transaction except a checkpoint post (its referee step is too costly),
        # so a provider's post of the wrong checkpoint (step 5; the game is over
        # step 6 or later, or still bisecting) fails in its block (each party may
        # fail one post; the challenger's worker posts the referee's checkpoint
        # later). The workers are frozen while it goes in, so the dispute is
        # certainly still open, whatever the machine's speed.
        net.wait_for(lambda: any(d["status"] == "open" and "round" in d
                                 for d in net.rpc("state_listDisputes", {"job_id": job})["disputes"]),
                     120, "a bisection")
        n.pause_workers()
        dispute = net.rpc("state_listDisputes", {"job_id": job})["disputes"][0]
        assert dispute["status"] == "open", dispute
        r = net.cli("dispute", "post", str(dispute["id"]), "--from", "prov", "--checkpoint",
                    os.path.join(run, "ckpt-00000005.safetensors"), check=False)
        cls.failed_tx = cls.find_failed_tx(n.addr["prov"], r)
        n.resume_workers()
        n.wait_status(job, "slashed")
        n.stop_workers()  # the rest of the run only reads the chain

    @classmethod
    def find_failed_tx(cls, sender, cli_result):
        """The hash of the failed post (from the CLI's output, else the sender's
        latest failed transaction)."""
        out = cli_result if isinstance(cli_result, dict) else None
        if out is None:
            try:
                out = json.loads(cli_result.stdout)
            except ValueError:
                out = {}
        hashes = [out["hash"]] if isinstance(out, dict) and "hash" in out else []
        hashes += cls.net.rpc("account_getTransactions", {"address": sender})
        for h in hashes:
            t = cls.net.rpc("chain_getTransaction", {"hash": h})
            if not t["pending"] and not t["receipt"]["success"]:
                return h
        raise AssertionError(f"no failed transaction of {sender} on chain; the CLI said:\n"
                             f"{getattr(cli_result, 'stdout', cli_result)}\n{getattr(cli_result, 'stderr', '')}")

    # ---- the browser ----

    @classmethod
    def open_browser(cls):
        static = os.environ.get("VT_EXPLORER_STATIC")
        if static:
            server = StaticServer(static)
            cls.addClassCleanup(server.close)
            cls.base = f"http://127.0.0.1:{server.port}/index.html?rpc={cls.net.url}"
        else:
            cls.base = cls.net.url + "/"
        options = Options()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1400,1000", "--hide-scrollbars"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        log = os.path.join(cls.net.tmp, "chromedriver.log")
        # selenium 4.8 (Debian bookworm) names it log_path, later ones log_output.
        if "log_output" in Service.__init__.__code__.co_varnames:
            service = Service(CHROMEDRIVER, log_output=log)
        else:
            service = Service(CHROMEDRIVER, log_path=log)
        cls.driver = webdriver.Chrome(service=service, options=options)
        cls.addClassCleanup(cls.driver.quit)
        cls.driver.set_page_load_timeout(60)
        os.makedirs(ARTIFACTS, exist_ok=True)

    def rpc(self, method, params=None):
        return self.net.rpc(method, params)

    def visit(self, path, expected_page, ready=None, error_page=False):
        """Opens #<path> and waits until that page is rendered (and `ready`, a CSS
        selector, is present). Fails on browser errors, and on an error page
        unless error_page."""
        d = self.driver
        url = self.base + "#" + path
        before = d.execute_script("return document.getElementById('view') && document.getElementById('view').dataset.ready || null") \
            if d.current_url.startswith(self.base.split("#")[0]) else None
        d.get(url)

        def rendered(drv):
            state = drv.execute_script(
                "const v = document.getElementById('view');"
                "return v ? [v.dataset.page || null, v.dataset.ready || null, location.hash] : null;")
            if not state or state[0] != expected_page or state[1] is None or state[1] == before:
                return False
            return ready is None or bool(drv.find_elements(By.CSS_SELECTOR, ready))
        try:
            WebDriverWait(d, 30, poll_frequency=0.1).until(rendered)
        except TimeoutException:
            self.screenshot(f"FAILED-{expected_page}")
            raise AssertionError(f"{url}: page {expected_page!r} not rendered; body:\n"
                                 f"{d.find_element(By.TAG_NAME, 'body').text[:3000]}\n"
                                 f"console: {self.console()}") from None
        self.assertEqual(d.find_element(By.ID, "errors").text, "", "the page shows an error")
        if not error_page:
            self.assertNotIn(d.find_element(By.TAG_NAME, "h1").text, ("Error", "Not found"),
                             d.find_element(By.TAG_NAME, "main").text)
        self.assert_no_console_errors(path)

    def console(self):
        return self.driver.get_log("browser")

    def assert_no_console_errors(self, where):
        errors = [e for e in self.console() if e["level"] in ("SEVERE", "ERROR")]
        self.assertEqual(errors, [], f"browser console errors on {where}")

    def screenshot(self, name):
        """A PNG of the whole page (the window grows to the page's height)."""
        d = self.driver
        height = d.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        d.set_window_size(1400, min(max(int(height) + 40, 800), 6000))
        time.sleep(0.3)  # let charts resize
        path = os.path.join(ARTIFACTS, f"{name}.png")
        d.save_screenshot(path)
        d.set_window_size(1400, 1000)
        return path

    def text(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector).text

    def rows(self, section_title):
        """The body rows of the list table in the card whose title starts so."""
        d = self.driver
        for card in d.find_elements(By.CSS_SELECTOR, "section.card"):
            h2 = card.find_element(By.TAG_NAME, "h2").text
            if h2.startswith(section_title):
                return card.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
        raise AssertionError(f"no section {section_title!r}")

    def hrefs(self, rows, prefix):
        """In each row, the hash routes (#/prefix/...) it links to."""
        out = []
        for row in rows:
            for a in row.find_elements(By.TAG_NAME, "a"):
                href = a.get_attribute("href") or ""
                m = re.search(r"#/" + prefix + r"/([^/?]+)$", href)
                if m:
                    out.append(m.group(1))
                    break
        return out

    def assert_not_script(self):
        self.assertIsNone(self.driver.execute_script("return window.vtXss === undefined ? null : window.vtXss"),
                          "chain data ran as script")

    # ---- the pages ----

    def test_01_home_shows_the_head_and_recent_blocks_live(self):
        before = self.net.height()
        self.visit("/", "home", "#stat-height a")
        d = self.driver
        wait = WebDriverWait(d, 20, ignored_exceptions=(StaleElementReferenceException,))
        wait.until(lambda drv: drv.find_element(By.ID, "conn-text").text == "live (WebSocket)")
        shown = int(d.execute_script("return document.getElementById('stat-height').textContent"))
        self.assertGreaterEqual(shown, before)
        self.assertLessEqual(shown, self.net.height())
        # The head follows new blocks over the WebSocket without a reload.
        wait.until(lambda drv: int(drv.execute_script("return document.getElementById('stat-height').textContent")) > shown)
        wait.until(lambda drv: drv.find_elements(By.CSS_SELECTOR, "#chart-tps canvas"))
        # The page re-renders on every block: read the table in one step.
        rows = d.execute_script("""
            const card = [...document.querySelectorAll('section.card')]
              .find((c) => c.querySelector('h2').textContent.startsWith('Latest blocks'));
            return [...card.querySelectorAll('table.list tbody tr')].map((tr) => {
              const td = tr.querySelectorAll('td');
              return [td[0].textContent, td[1].querySelector('a').title, td[3].textContent];
            });""")
        self.assertGreaterEqual(len(rows), 10)
        for height, block_hash, txs in rows[:5]:
            block = self.rpc("chain_getBlock", {"height": int(height)})
            self.assertEqual(block_hash, block["hash"])
            self.assertEqual(int(txs), len(block["txs"]))
        heights = [int(r[0]) for r in rows]
        self.assertEqual(heights, list(range(heights[0], heights[0] - len(heights), -1)))
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, ".uplot canvas")), 2, "two charts")
        self.screenshot("01-home")
        self.assert_no_console_errors("home")

    def test_02_block_with_transactions_and_receipts(self):
        job = self.rpc("state_getJob", {"id": self.job_id})
        height = job["created_height"]
        block = self.rpc("chain_getBlock", {"height": height})
        results = self.rpc("chain_getBlockResults", {"height": height})
        self.assertGreater(len(block["txs"]), 0)
        self.visit(f"/block/{height}", "block", "#block-hash")
        self.assertEqual(self.text("#block-height"), str(height))
        self.assertEqual(self.text("#block-hash"), block["hash"])
        self.assertIn(block["header"]["prev_hash"], self.driver.find_element(By.TAG_NAME, "main").text)
        rows = self.rows("Transactions")
        self.assertEqual(len(rows), len(block["txs"]))
        self.assertEqual(self.hrefs(rows, "tx"), [t["hash"] for t in block["txs"]])
        for row, tx, receipt in zip(rows, block["txs"], results["results"]):
            self.assertIn(tx["type"], row.text)
            self.assertIn("success" if receipt["success"] else "failed", row.text)
        self.screenshot("02-block")

    def test_03_failed_transaction_is_marked(self):
        t = self.rpc("chain_getTransaction", {"hash": self.failed_tx})
        self.assertFalse(t["receipt"]["success"])
        self.visit(f"/tx/{self.failed_tx}", "tx", "#tx-hash")
        self.assertEqual(self.text("#tx-hash"), self.failed_tx)
        self.assertEqual(self.text("#tx-status"), "failed")
        banner = self.text("#tx-failed")
        self.assertIn(t["receipt"]["reason"], banner)
        self.assertIn(t["receipt"]["code_name"], banner)
        self.screenshot("03-tx-failed")
        # In its block the row is marked failed too.
        self.visit(f"/block/{t['height']}", "block", "#block-hash")
        row = self.rows("Transactions")[t["index"]]
        self.assertIn("failed", row.get_attribute("class"))
        self.assertIn(t["receipt"]["reason"], row.text)

    def test_04_transaction_with_events(self):
        job = self.rpc("state_getJob", {"id": self.job_id})
        block = self.rpc("chain_getBlock", {"height": job["created_height"]})
        tx = next(t for t in block["txs"] if t["type"] == "job_submit")
        t = self.rpc("chain_getTransaction", {"hash": tx["hash"]})
        self.visit(f"/tx/{tx['hash']}", "tx", "#tx-hash")
        self.assertEqual(self.text("#tx-hash"), tx["hash"])
        self.assertEqual(self.text("#tx-height"), str(t["height"]))
        self.assertEqual(self.text("#tx-status"), "success")
        self.assertEqual(self.driver.find_elements(By.ID, "tx-failed"), [])
        events = self.rows("Events")
        self.assertEqual(len(events), len(t["receipt"]["events"]))
        for row, event in zip(events, t["receipt"]["events"]):
            self.assertIn(event["type"], row.text)
            for key, value in event["attributes"].items():
                self.assertIn(key, row.text)
        self.assertIn(f"#/job/{self.job_id}", " ".join(a.get_attribute("href") for a in
                                                       self.driver.find_elements(By.CSS_SELECTOR, "main a")))
        self.screenshot("04-tx")

    def test_05_account_balance_and_history(self):
        address = self.n.addr["client"]
        account = self.rpc("state_getAccount", {"address": address})
        hashes = self.rpc("account_getTransactions", {"address": address})
        self.visit(f"/account/{address}", "account", "#account-balance")
        self.assertEqual(self.text("#account-address"), address)
        balance = self.driver.find_element(By.CSS_SELECTOR, "#account-balance .amount")
        self.assertEqual(balance.get_attribute("data-uvt"), account["balance"])
        self.assertEqual(balance.text, uvt(account["balance"]))
        self.assertEqual(self.text("#account-nonce"), str(account["nonce"]))
        self.assertEqual(self.hrefs(self.rows("Transactions"), "tx"), hashes[:50])
        self.assertIn(str(self.job_id), self.hrefs(self.rows("Jobs"), "job"))
        self.screenshot("05-account")

    def test_06_provider_stake_and_record(self):
        address = self.n.addr["prov"]
        p = self.rpc("state_getProvider", {"address": address})
        self.assertEqual(p["jobs_slashed"], 1)
        self.visit(f"/provider/{address}", "provider", "#provider-stake")
        self.assertEqual(self.text("#provider-stake"), uvt(p["stake"]))
        self.assertEqual(self.text("#provider-locked"), uvt(p["locked"]))
        self.assertEqual(self.text("#provider-slashed"), str(p["jobs_slashed"]))
        self.assertEqual(self.text("#provider-settled"), str(p["jobs_settled"]))
        slashes = self.rpc("state_listSlashes", {"offender": address})["slashes"]
        rows = self.rows("Slashes")
        self.assertEqual(len(rows), len(slashes))
        self.assertIn(uvt(disputes.BOND), rows[0].text)
        self.assertIn(str(self.job_id), self.hrefs(self.rows("Jobs"), "job"))
        self.screenshot("06-provider")

    def test_07_providers_list_shows_markup_as_text(self):
        providers = self.rpc("state_listProviders")["providers"]
        self.visit("/providers", "providers", "table.list")
        rows = self.rows("Providers")
        self.assertEqual(sorted(self.hrefs(rows, "provider")), sorted(p["address"] for p in providers))
        main = self.driver.find_element(By.TAG_NAME, "main")
        self.assertIn(self.evil_endpoint, main.text)  # shown literally
        self.assertEqual(main.find_elements(By.CSS_SELECTOR, "table svg, table b, script"), [])
        self.assert_not_script()
        self.screenshot("07-providers")

    def test_08_verifier(self):
        d = self.rpc("state_listDisputes", {"job_id": self.job_id})["disputes"][0]
        address = d["challenger"]
        v = self.rpc("state_getVerifier", {"address": address})
        self.visit(f"/verifier/{address}", "verifier", "#verifier-stake")
        self.assertEqual(self.text("#verifier-stake"), uvt(v["stake"]))
        self.assertEqual(self.text("#verifier-assigned"), str(v["segments_assigned"]))
        self.assertEqual(self.text("#verifier-agreed"), str(v["segments_agreed"]))
        self.assertEqual(self.text("#verifier-won"), str(v["disputes_won"]))
        self.assertEqual(v["disputes_won"], 1)
        self.assertEqual(self.hrefs(self.rows("Disputes"), "dispute"), [str(d["id"])])
        self.screenshot("08-verifier")
        verifiers = self.rpc("state_listVerifiers")["verifiers"]
        self.visit("/verifiers", "verifiers", "table.list")
        self.assertEqual(self.hrefs(self.rows("Verifiers"), "verifier"), [x["address"] for x in verifiers])

    def test_09_disputed_job_with_its_proof_of_learning_record(self):
        job = self.rpc("state_getJob", {"id": self.job_id})
        pol = job["pol"]
        self.visit(f"/job/{self.job_id}", "job", "#chart-loss canvas")
        self.assertEqual(self.text("#job-id"), str(self.job_id))
        self.assertEqual(self.text("#job-status"), "slashed")
        self.assertEqual(self.text("#job-phase"), pol["phase"])
        self.assertEqual(self.text("#job-final-loss"), f"{pol['commitment']['final_loss_micro'] / 1e6:.6f}")
        # The loss curve: one point per checkpoint after step 0, from the provider's manifest.
        main_text = self.driver.find_element(By.TAG_NAME, "main").text
        self.assertIn("Per-checkpoint losses from the manifest (not verified).", main_text)
        manifest = json.loads(bytes.fromhex(self.rpc("blob_get", {"hash": pol["manifest"]})["data"]))
        self.assertEqual([c["step"] for c in manifest["checkpoints"] if "loss" in c],
                         [5, 10, 15, 20])
        main = self.driver.find_element(By.TAG_NAME, "main").text
        self.assertIn(pol["commitment_root"], main)
        segments = self.rows("Sampled segments")
        self.assertEqual(len(segments), len(pol["segments"]))
        for row, s in zip(segments, pol["segments"]):
            self.assertEqual(self.hrefs([row], "verifier"), [s["verifier"]])
            self.assertIn(f"{s['start_step']} → {s['end_step']}", row.text)
            self.assertIn(s["result"], row.text)
        self.assertIn("disputed", [s["result"] for s in pol["segments"]])
        rows = self.rows("Disputes")
        self.assertEqual(len(rows), len(pol["disputes"]))
        self.assertIn(f"{pol['disputes'][0]['lo']} → {pol['disputes'][0]['hi']}", rows[0].text)
        slashes = self.rows("Slashes")
        self.assertEqual(len(slashes), 1)
        self.assertIn(uvt(pol["slashes"][0]["amount"]), slashes[0].text)
        self.assertEqual(len(self.rows("Committed checkpoints")), len(pol["commitment"]["checkpoints"]))
        for h in pol["commitment"]["checkpoints"]:
            self.assertIn(h, main)
        self.screenshot("09-job")

    def test_10_dispute_narrowed_to_one_step(self):
        d = self.rpc("state_listDisputes", {"job_id": self.job_id})["disputes"][0]
        self.assertEqual((d["lo"], d["hi"], d["outcome"]), (6, 7, "fraud_proven"))
        self.visit(f"/dispute/{d['id']}", "dispute", "#dispute-step")
        self.assertEqual(self.text("#dispute-range"), f"{d['lo']} → {d['hi']}")
        self.assertEqual(self.text("#dispute-step"), f"step {d['hi']}")
        self.assertEqual(self.text("#dispute-loser"), d["loser"])
        self.assertEqual(self.text("#dispute-outcome"), d["outcome"])
        self.assertEqual(self.text("#dispute-status"), "resolved")
        main = self.driver.find_element(By.TAG_NAME, "main").text
        for h in (d["lo_hash"], d["provider_hi"], d["challenger_hi"], d["referee_hash"]):
            self.assertIn(h, main)
        # The rounds, as the chain recorded them: every dispute_move's range in order.
        moves = []
        for height in range(d["opened_height"], d["resolved_height"] + 1):
            r = self.rpc("chain_getBlockResults", {"height": height})
            events = r["begin_events"] + [e for x in r["results"] for e in x["events"]]
            moves += [(height, e["attributes"]["lo"], e["attributes"]["hi"]) for e in events
                      if e["type"] == "dispute_move" and e["attributes"]["dispute_id"] == str(d["id"])]
        self.assertGreater(len(moves), 0)
        rounds = [r for r in self.rows("Rounds") if "dispute_move" in r.text]
        self.assertEqual(len(rounds), len(moves))
        for row, (height, lo, hi) in zip(rounds, moves):
            self.assertTrue(row.text.startswith(str(height)), row.text)
            self.assertIn(f"{lo} → {hi}", row.text)
        kinds = [r.find_elements(By.CSS_SELECTOR, ".event-type")[0].text for r in self.rows("Rounds")]
        self.assertEqual(kinds[0], "dispute_opened")
        self.assertIn("referee", kinds)
        self.assertIn("dispute_resolved", kinds)
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "svg.bisection rect.final")), 1)
        self.screenshot("10-dispute")

    def test_11_slashes(self):
        page = self.rpc("state_listSlashes")
        self.visit("/slashes", "slashes", "#burned-total")
        burned = self.driver.find_element(By.CSS_SELECTOR, "#burned-total .amount")
        self.assertEqual(burned.get_attribute("data-uvt"), page["burned_total"])
        rows = self.rows("Slashes")
        self.assertEqual(len(rows), len(page["slashes"]))
        s = page["slashes"][0]
        row = rows[-1]  # newest first
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        self.assertEqual(cells[0], str(s["id"]))
        self.assertEqual(cells[1], str(s["height"]))
        self.assertEqual(self.hrefs([row], "account"), [s["offender"]])
        self.assertEqual(cells[5], s["role"])
        self.assertEqual(row.find_element(By.CSS_SELECTOR, ".slash-amount .amount").get_attribute("data-uvt"),
                         s["amount"])
        self.assertIn(uvt(s["burned"]), cells[9])
        self.assertEqual(cells[10], s["reason"])
        self.screenshot("11-slashes")

    def test_12_validators_and_status(self):
        v = self.rpc("chain_getValidators")
        self.visit("/validators", "validators", "table.list")
        rows = self.rows("Validators")
        self.assertEqual(len(rows), len(v["validators"]))
        self.assertEqual(self.hrefs(rows, "account"), [x["operator"] for x in v["validators"]])
        self.screenshot("12-validators")
        status = self.rpc("chain_status")
        self.visit("/status", "status", "table.fields")
        self.assertIn(status["genesis_hash"], self.driver.find_element(By.TAG_NAME, "main").text)
        self.assertIn(status["chain_id"], self.driver.find_element(By.TAG_NAME, "main").text)

    def test_13_search_box(self):
        d = self.driver
        cases = [
            (f"job {self.job_id}", f"#/job/{self.job_id}"),
            (self.failed_tx, f"#/tx/{self.failed_tx}"),
            (self.n.addr["v1"], f"#/account/{self.n.addr['v1']}"),
            (self.rpc("chain_getBlock", {"height": 3})["hash"], "#/block/3"),
        ]
        self.visit("/", "home")
        for query, expected in cases:
            box = d.find_element(By.ID, "search-input")
            box.clear()
            box.send_keys(query, Keys.ENTER)
            WebDriverWait(d, 20).until(lambda drv: drv.execute_script("return location.hash") == expected,
                                       f"search {query!r} -> {expected}")
        # A number is a height or a job id: both exist here, so the page offers both.
        box = d.find_element(By.ID, "search-input")
        box.clear()
        box.send_keys(str(self.job_id), Keys.ENTER)
        WebDriverWait(d, 20).until(lambda drv: drv.find_elements(By.CSS_SELECTOR, "ul.choices a"))
        links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "ul.choices a")]
        self.assertEqual([h.split("#")[1] for h in links], [f"/block/{self.job_id}", f"/job/{self.job_id}"])
        self.screenshot("13-search")
        self.assert_no_console_errors("search")

    def test_14_rpc_errors_are_shown(self):
        self.visit("/block/999999999", "block", error_page=True)
        self.assertEqual(self.text("h1"), "Not found")
        self.assertIn("chain_getBlock", self.text("main"))
        self.visit("/account/not-an-address", "account", error_page=True)
        self.assertEqual(self.text("h1"), "Error")
        self.assertIn("state_getAccount", self.text("main"))
        self.screenshot("14-error")

    def test_15_served_by_the_node(self):
        """The files come from the daemon itself, with their MIME types."""
        if os.environ.get("VT_EXPLORER_STATIC"):
            self.skipTest("VT_EXPLORER_STATIC: the pages came from another server")
        for path, mime in (("/", "text/html"), ("/index.html", "text/html"), ("/explorer.js", "text/javascript"),
                           ("/explorer.css", "text/css"), ("/vendor/uPlot.iife.min.js", "text/javascript")):
            conn = http.client.HTTPConnection("127.0.0.1", self.net.port, timeout=10)
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            self.assertEqual(resp.status, 200, path)
            self.assertTrue(resp.getheader("Content-Type").startswith(mime), (path, resp.getheader("Content-Type")))
            self.assertGreater(len(body), 100, path)
        with open(os.path.join(SOURCE_DIR, "node", "explorer", "explorer.js"), "rb") as f:
            self.assertEqual(self.net.http(b"", method="GET", path="/explorer.js")[1], f.read())

    def test_16_polling_fallback_without_websocket(self):
        """Where the WebSocket cannot be used, the head still advances by polling."""
        d = self.driver
        script = d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                   {"source": "delete window.WebSocket; window.WebSocket = undefined;"})
        try:
            d.get(self.base + ("&" if "?" in self.base else "?") + "nows=1#/")
            wait = WebDriverWait(d, 20, ignored_exceptions=(StaleElementReferenceException,))
            wait.until(lambda drv: drv.find_elements(By.CSS_SELECTOR, "#stat-height a"))
            wait.until(lambda drv: drv.find_element(By.ID, "conn-text").text == "polling every 2 s")
            head = int(d.find_element(By.ID, "head-link").text)
            wait.until(lambda drv: int(drv.find_element(By.ID, "head-link").text) > head)
            self.assertEqual(d.find_element(By.ID, "conn-dot").get_attribute("class"), "dot polling")
            self.assert_no_console_errors("home without WebSocket")
        finally:
            d.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})


if __name__ == "__main__":
    BIN_DIR, SOURCE_DIR, CHEATER, ARTIFACTS = sys.argv[1:5]
    disputes.BIN_DIR, disputes.SOURCE_DIR, disputes.CHEATER = BIN_DIR, SOURCE_DIR, CHEATER
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[5:])
