#!/usr/bin/env python3
"""Browser walkthrough of Roster's admin console (run by scripts/browser-test).

A: Acme (Guard, centralized) connects Okta: SCIM key, SSO from metadata, a verified domain, policy, Test SSO, key
rotation, disconnect. B: Globex (free, original experience) connects a portal-only customer IdP on its Jira Service
Management site. A loopback stub plays the IdP's sign-in page and serves domains' well-known verification files.
Each step saves artifacts/browser/NN-name.png and prints "ok NN name"; any failure saves failure.png and exits 1.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
ROSTER = str((ROOT / os.environ.get("ROSTER_BIN", ".build/debug/roster")).resolve())
SHOTS = ROOT / "artifacts" / "browser"
PASSWORD = "correct horse battery staple"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Failure(Exception):
    pass


# ---- loopback stub: the IdP's sign-in page and domains' /.well-known/roster-verification.txt ----

class Stub(BaseHTTPRequestHandler):
    files = {}  # Host (without port) -> body of the well-known file

    def do_GET(self):
        if self.path == "/.well-known/roster-verification.txt":
            body = Stub.files.get(self.headers.get("Host", "").split(":")[0])
            self.answer(200 if body else 404, "text/plain", body or "not here")
        else:
            self.answer(200, "text/html", "<!doctype html><title>IdP</title><h1>Identity provider sign-in</h1><p>Stub IdP.</p>")

    def answer(self, status, kind, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind + "; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def roster(*args, stdin=None):
    done = subprocess.run([ROSTER, *args], input=stdin, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise Failure(f"roster {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout) if "--json" in args else done.stdout


# ---- browser helpers ----

driver = None


def page_text():
    return driver.find_element(By.TAG_NAME, "body").text


def check(condition, what):
    if not condition:
        raise Failure(what)


def wait_for(predicate, what, timeout=15):
    def settled(_):
        # While the browser moves to the next page, elements read from the old one go stale: try again.
        try:
            return predicate()
        except (StaleElementReferenceException, NoSuchElementException):
            return False

    try:
        WebDriverWait(driver, timeout, poll_frequency=0.1).until(settled)
    except Exception as error:
        raise Failure(f"timed out waiting for {what} ({type(error).__name__})") from error


def wait_url(fragment):
    wait_for(lambda: fragment in driver.current_url, f"a URL containing {fragment!r} (at {driver.current_url})")


def wait_text(text):
    wait_for(lambda: text in page_text(), f"the page to show {text!r}")


def heading():
    return driver.find_element(By.TAG_NAME, "h1").text


def button(label, within="//main"):
    return driver.find_element(By.XPATH, f"{within}//button[normalize-space()='{label}']")


def link(label, within="//main"):
    return driver.find_element(By.XPATH, f"{within}//a[normalize-space()='{label}']")


def fill(element_id, value):
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(value)


def shot(name):
    """A full-page-ish screenshot: the window grows to the page's height (up to 4000 px) for the capture."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(1000, min(height + 140, 4000)))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(1280, 1000)


def ok(number, name, screenshot):
    shot(f"{number}-{screenshot}")
    print(f"ok {number} {name}", flush=True)


def sign_in(base, email):
    driver.get(f"{base}/admin/login")
    fill("email", email)
    button("Continue").click()
    wait_for(lambda: driver.find_elements(By.ID, "password"), "the password page")
    fill("password", PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    wait_url("/admin/o/")
    return driver.current_url.split("/admin/o/")[1].split("/")[0].split("?")[0]


# ---- the walkthrough ----

def walkthrough(base, stub, metadata, certificate_pem, acme, globex_site):
    # Walkthrough A: Okta for Acme (Guard plan, centralized experience).
    driver.get(f"{base}/admin")
    wait_url("/admin/login")
    check(sign_in(base, "owner@acme.test") == acme, "owner@acme.test landed on another organization")
    check(heading() == "Acme", f"overview heading is {heading()!r}")
    ok("01", "sign in", "signed-in")

    link("Identity providers", "//nav").click()
    wait_for(lambda: heading() == "Identity providers", "the Identity providers page")
    link("Add identity provider").click()
    wait_url("/directory/identity-providers/new")
    for name in ("Okta", "Microsoft Entra ID", "Google Workspace"):
        check(name in page_text(), f"the catalog does not list {name}")
    ok("02", "identity provider catalog", "catalog")

    driver.find_element(By.ID, "choose-okta").click()
    wait_for(lambda: driver.find_elements(By.ID, "name"), "the directory name form")
    fill("name", "Okta")
    button("Add directory").click()
    wait_for(lambda: driver.find_elements(By.ID, "api-key"), "the User provisioning step")
    check("User provisioning" in page_text(), "no User provisioning step")
    scim_url = driver.find_element(By.ID, "scim-url").text
    first_key = driver.find_element(By.ID, "api-key").text
    check("/scim/directory/" in scim_url, f"SCIM base URL is {scim_url!r}")
    check(first_key.startswith("rsk_"), f"API key is {first_key!r}")
    directory = scim_url.split("/scim/directory/")[1].strip("/").split("/")[0]
    request = urllib.request.Request(f"{base}/scim/directory/{directory}/Users", headers={"Authorization": f"Bearer {first_key}"})
    with NO_PROXY.open(request, timeout=10) as response:
        check(response.status == 200, f"GET Users with the new key answered {response.status}")
    ok("03", "okta provisioning step (key works)", "okta-provisioning")

    link("Next: single sign-on").click()
    wait_for(lambda: driver.find_elements(By.ID, "acs-url"), "the Single sign-on step")
    check(driver.find_element(By.ID, "sp-entity").text.strip(), "SP entity ID is empty")
    check("/acs" in driver.find_element(By.ID, "acs-url").text, "ACS URL has no /acs")
    driver.find_element(By.ID, "metadata").send_keys(str(metadata))
    button("Save single sign-on").click()
    wait_url("/setup/domains?done=sso")
    wait_text("Single sign-on is saved.")
    ok("04", "okta single sign-on from metadata", "okta-sso-saved")

    driver.get(f"{base}/admin/o/{acme}/domains")
    fill("domain", "acme.test")
    button("Claim").click()
    wait_for(lambda: driver.find_elements(By.ID, "domain-acme.test"), "the acme.test row")
    row = driver.find_element(By.ID, "domain-acme.test")
    record = row.find_element(By.CSS_SELECTOR, "code[id^='txt-']").text.strip()
    check(record.startswith("roster-verification="), f"verification record is {record!r}")
    Stub.files["acme.test"] = record + "\n"
    Select(row.find_element(By.CSS_SELECTOR, "select[name=method]")).select_by_visible_text("HTTPS file")
    row.find_element(By.XPATH, ".//button[normalize-space()='Verify']").click()
    wait_text("The domain is verified.")
    shot("05-domain-verified")
    driver.get(f"{base}/admin/o/{acme}/directory/identity-providers/{directory}/setup/domains")
    button("Link to Okta").click()
    wait_text("The domain link is saved.")
    check("Linked here" in page_text(), "acme.test is not shown as linked here")
    ok("05", "domain claimed, verified over HTTPS file, linked", "domain-linked")

    link("Next: authentication policy").click()
    checkbox = driver.find_element(By.NAME, "enforceSSO")
    if not checkbox.is_selected():
        checkbox.click()
    fill("sessionHours", "8")
    shot("06-policy-form")
    button("Save policy").click()
    wait_url("/setup/test")
    check(driver.find_elements(By.XPATH, "//main//button[normalize-space()='Test SSO']"), "no Test SSO button")
    ok("06", "authentication policy", "test-step")

    button("Test SSO").click()
    wait_url(f"{stub}/app/sso/saml?SAMLRequest=")
    check(driver.current_url.startswith(f"{stub}/app/sso/saml?SAMLRequest="), f"Test SSO went to {driver.current_url}")
    wait_text("Identity provider sign-in")
    ok("07", "test sso reaches the IdP", "okta-test-sso")

    directory_page = f"{base}/admin/o/{acme}/directory/identity-providers/{directory}"
    driver.get(directory_page)
    for _ in range(5):  # the provisioning log is written in the background
        logged = re.search(r"(\d+) requests\.", page_text())
        if logged and int(logged.group(1)) > 0:
            break
        time.sleep(1)
        driver.refresh()
    text = page_text()
    for expected in ("Configured", "0 users · 0 groups", "API keys", "Troubleshooting log", f"/scim/directory/{directory}/Users"):
        check(expected in text, f"the directory page does not show {expected!r}")
    Select(driver.find_element(By.ID, "overlap")).select_by_visible_text("keeps working for 1 hour")
    button("Regenerate API key").click()
    wait_for(lambda: driver.find_elements(By.ID, "api-key"), "the new API key")
    new_key = driver.find_element(By.ID, "api-key").text
    check(new_key.startswith("rsk_") and new_key != first_key, f"new API key is {new_key!r}")
    check("Retiring at" in page_text(), "the old key is not shown as retiring")
    ok("08", "directory page, log, key rotation", "okta-directory")

    driver.find_element(By.PARTIAL_LINK_TEXT, "Disconnect Okta").click()
    wait_for(lambda: driver.find_elements(By.ID, "confirm"), "the disconnect confirmation")
    fill("confirm", "okta")
    button("Disconnect").click()
    wait_text("Type the directory name exactly")
    shot("09-disconnect-refused")
    fill("confirm", "Okta")
    button("Disconnect").click()
    wait_url("/directory/identity-providers?done=disconnected")
    check("disconnected" in driver.find_element(By.CSS_SELECTOR, ".notice").text, "no disconnected notice")
    check("No identity provider is connected yet." in page_text(), "the Okta directory is still listed")
    ok("09", "disconnect okta", "okta-disconnected")
    button("Sign out", "//header").click()
    wait_url("/admin/login")

    # Walkthrough B: Globex (free plan, original experience), portal-only customers of its JSM site.
    sign_in(base, "owner@globex.test")
    check(heading() == "Globex", f"Globex overview heading is {heading()!r}")
    shot("10-globex-overview")
    driver.get(f"{base}/admin/s/{globex_site}/users")
    check(heading() == "Users of globex-help", f"site users heading is {heading()!r}")
    check("Identity provider directories belong to the organization" in page_text(), "no note on organization-wide IdPs")
    ok("10", "globex site users (original experience)", "globex-site-users")

    link("Identity provider", "//nav").click()
    wait_url(f"/admin/s/{globex_site}/jira-service-management/identity-provider")
    Select(driver.find_element(By.ID, "provider")).select_by_visible_text("Microsoft Entra ID")
    fill("name", "Help center customers")
    button("Connect identity provider").click()
    wait_for(lambda: driver.find_elements(By.ID, "api-key"), "the portal provisioning step")
    check(driver.find_element(By.ID, "api-key").text.startswith("rsk_"), "portal API key does not start with rsk_")
    check("customer organizations" in page_text(), "no note on customer organizations")
    ok("11", "portal identity provider (entra) provisioning step", "portal-provisioning")

    link("Next: single sign-on").click()
    wait_for(lambda: driver.find_elements(By.ID, "entityID"), "the portal Single sign-on step")
    fill("entityID", "https://sts.windows.net/tenant/")
    fill("ssoURL", f"{stub}/tenant/saml2")
    button("Save single sign-on").click()
    wait_for(lambda: driver.find_elements(By.CLASS_NAME, "field-error"), "the certificate field error")
    shot("12-portal-sso-field-error")
    fill("entityID", "https://sts.windows.net/tenant/")
    fill("ssoURL", f"{stub}/tenant/saml2")
    fill("certificate", certificate_pem)
    button("Save single sign-on").click()
    wait_url("/setup/test")
    ok("12", "portal single sign-on (field error, then saved)", "portal-sso-saved")

    button("Test SSO").click()
    wait_url(f"{stub}/tenant/saml2?SAMLRequest=")
    wait_text("Identity provider sign-in")
    ok("13", "portal test sso reaches the IdP", "portal-test-sso")

    driver.get(f"{base}/admin/s/{globex_site}/jira-service-management/identity-provider")
    check("Help center customers" in page_text(), "the connected portal directory is not shown")
    check(not driver.find_elements(By.ID, "name"), "the connect form is still offered")
    check("one identity provider for its customers" in page_text(), "no one-IdP-per-site note")
    ok("14", "one identity provider per JSM site", "portal-connected")


def main():
    global driver
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("browser-test: stopped (SIGTERM, probably the 300 s timeout)"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="roster-browser."))
    database = str(work / "roster.sqlite")
    stub_server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=stub_server.serve_forever, daemon=True).start()
    stub = f"http://127.0.0.1:{stub_server.server_address[1]}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    server_log = open(work / "server.log", "w+")
    try:
        roster("migrate", "--database", database)
        acme = roster("org", "create", "--name", "Acme", "--plan", "guard", "--user-management", "centralized", "--database", database, "--json")
        roster("admin", "create", "--org", acme["id"], "--email", "owner@acme.test", "--role", "org-admin", "--password-stdin",
               "--database", database, "--json", stdin=PASSWORD + "\n")
        globex = roster("org", "create", "--name", "Globex", "--plan", "free", "--user-management", "original", "--database", database, "--json")
        site = roster("site", "add", "--org", globex["id"], "--name", "globex-help", "--database", database, "--json")
        roster("product", "add", "--site", site["id"], "--product", "jira-service-management", "--database", database, "--json")
        roster("admin", "create", "--org", globex["id"], "--email", "owner@globex.test", "--role", "org-admin", "--password-stdin",
               "--database", database, "--json", stdin=PASSWORD + "\n")

        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=okta-test",
                        "-keyout", str(work / "k.pem"), "-out", str(work / "c.pem")], check=True, capture_output=True, timeout=60)
        pem = (work / "c.pem").read_text()
        body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
        metadata = work / "okta-metadata.xml"
        metadata.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="http://www.okta.com/exkTEST">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{stub}/app/sso/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
""")

        env = dict(os.environ, ROSTER_DOMAIN_VERIFICATION_BASE=stub)
        server = subprocess.Popen([ROSTER, "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database, "--base-url", base],
                                  env=env, stdout=server_log, stderr=subprocess.STDOUT)
        for _ in range(300):
            if server.poll() is not None:
                raise Failure(f"roster serve exited with {server.returncode}")
            try:
                with NO_PROXY.open(f"{base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise Failure("roster serve did not answer /healthz within 30 s")

        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--no-proxy-server",
                         "--disable-background-networking", "--disable-component-update", "--no-first-run", f"--user-data-dir={work / 'chrome'}"):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.set_page_load_timeout(30)
        walkthrough(base, stub, metadata, pem, acme["id"], site["id"])
        print(f"all steps passed; screenshots in {SHOTS}")
        return 0
    except Exception as error:  # noqa: BLE001 - any failure: report it with the page
        print(f"FAIL: {type(error).__name__}: {error}", file=sys.stderr)
        if driver is not None:
            try:
                driver.save_screenshot(str(SHOTS / "failure.png"))
                status = driver.execute_script("var n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : null")
                print(f"URL: {driver.current_url} (HTTP {status})\n--- page text ---\n{page_text()}\n---", file=sys.stderr)
            except WebDriverException as inner:
                print(f"(no page to show: {inner.msg})", file=sys.stderr)
        server_log.seek(0)
        print("--- server log (last 40 lines) ---\n" + "".join(server_log.readlines()[-40:]), file=sys.stderr)
        print(f"screenshots in {SHOTS}", file=sys.stderr)
        return 1
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        stub_server.shutdown()
        server_log.close()
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    sys.exit(main())
