#!/usr/bin/env python3
"""Browser walkthrough of Roster's admin console (run by scripts/browser-test).

A: Acme (Guard, centralized) connects Okta: SCIM key, SSO from metadata, a verified domain, policy, Test SSO, key
rotation, disconnect. B: Globex (free, original experience) connects a portal-only customer IdP on its Jira Service
Management site. A loopback stub serves domains' well-known verification files and plays both identity providers
(pysaml2, signing with the walkthrough's key): on Test SSO it reads Roster's AuthnRequest and answers a sign-in page
whose form posts a signed SAMLResponse to Roster's ACS, which sends the browser back to the console's test result.
Each step saves artifacts/browser/NN-name.png and prints "ok NN name"; any failure saves failure.png and exits 1.
"""
import base64
import html
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
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from saml_idp import XMLSEC  # noqa: E402 - also silences pysaml2's CFB warning before saml2 is imported

from saml2 import BINDING_HTTP_REDIRECT  # noqa: E402
from saml2.config import IdPConfig  # noqa: E402
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS, NameID  # noqa: E402
from saml2.server import Server  # noqa: E402
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256  # noqa: E402

ROSTER = str((ROOT / os.environ.get("ROSTER_BIN", ".build/debug/roster")).resolve())
SHOTS = ROOT / "artifacts" / "browser"
PASSWORD = "correct horse battery staple"
OKTA_USER = "it.admin@acme.test"
PORTAL_USER = "customer@initech.test"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Failure(Exception):
    pass


# ---- loopback stub: the identity providers' sign-in pages and domains' /.well-known/roster-verification.txt ----

SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
# The stub's single sign-on paths and the IdP entity ID each one answers as (the directory is configured with it).
IDP_PATHS = {
    "/app/sso/saml": "http://www.okta.com/exkTEST",      # Okta, SSO from its metadata (walkthrough A)
    "/tenant/saml2": "https://sts.windows.net/tenant/",  # Entra ID for portal customers, typed in (walkthrough B)
}


class IdP:
    """The IdP side of Test SSO: pysaml2 reads the AuthnRequest (HTTP-Redirect) and signs the answer (HTTP-POST)."""
    roster = None     # Roster's base URL
    stub = None       # the stub's base URL
    key_file = None   # the IdP's signing key and certificate (the certificate each directory is configured with)
    cert_file = None
    users = {}        # directory id -> the email (NameID) of an account of that directory
    log = []          # one line per answered AuthnRequest, or the error that stopped it

    @staticmethod
    def server(entity_id, sso_url, sp_metadata):
        config = IdPConfig()
        config.load({
            "entityid": entity_id,
            "xmlsec_binary": XMLSEC,
            "key_file": IdP.key_file,
            "cert_file": IdP.cert_file,
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "delete_tmpfiles": True,
            "service": {"idp": {
                "name": "Walkthrough IdP",
                "endpoints": {"single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT)]},
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "want_authn_requests_signed": False,
                "sign_response": False,
                "sign_assertion": True,
                "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_BASIC}},
            }},
            "metadata": {"inline": [sp_metadata]},
        })
        return Server(config=config)

    @staticmethod
    def issuer(saml_request):
        """The AuthnRequest's Issuer (Roster's SP entity ID), read before pysaml2 is configured for that SP."""
        xml = zlib.decompress(base64.b64decode(saml_request), -15)
        issuer = ET.fromstring(xml).find(f"{{{SAML_NS}}}Issuer")
        if issuer is None or not (issuer.text or "").strip():
            raise Failure("the AuthnRequest has no Issuer")
        return issuer.text.strip()

    @staticmethod
    def sign_in_page(path, query):
        """The sign-in page for an AuthnRequest: a form that posts the signed SAMLResponse and RelayState to the ACS."""
        entity_id = IDP_PATHS[path]
        saml_request = query["SAMLRequest"][0]
        relay_state = query.get("RelayState", [None])[0]
        sp_entity_id = IdP.issuer(saml_request)
        match = re.fullmatch(re.escape(IdP.roster) + r"/saml/([^/]+)/metadata", sp_entity_id)
        if not match:
            raise Failure(f"the AuthnRequest's Issuer {sp_entity_id!r} is not a Roster directory's SP entity ID")
        directory = match.group(1)
        user = IdP.users.get(directory)
        if user is None:
            raise Failure(f"no user is known for directory {directory}")
        with NO_PROXY.open(sp_entity_id, timeout=10) as response:
            sp_metadata = response.read().decode()
        server = IdP.server(entity_id, IdP.stub + path, sp_metadata)
        request = server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        acs = f"{IdP.roster}/saml/{directory}/acs"
        if request.assertion_consumer_service_url not in (None, acs):
            raise Failure(f"the AuthnRequest asks for ACS {request.assertion_consumer_service_url}, not {acs}")
        response = server.create_authn_response(
            {"email": [user]},
            in_response_to=request.id,
            destination=acs,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=user),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_assertion=True,
            sign_response=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        saml_response = base64.b64encode(str(response).encode()).decode()
        IdP.log.append(f"{entity_id}: answered {request.id} for {sp_entity_id} with {user}")
        relay = "" if relay_state is None else f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
        return f"""<!doctype html><title>Identity provider sign-in</title>
<style>body{{font-family:sans-serif;margin:3em}} dd{{margin:0 0 .6em 1em;font-family:monospace}}</style>
<h1>Identity provider sign-in</h1>
<dl><dt>Identity provider</dt><dd>{html.escape(entity_id)}</dd><dt>Signed in as</dt><dd id="user">{html.escape(user)}</dd>
<dt>Service provider</dt><dd>{html.escape(sp_entity_id)}</dd><dt>Answering AuthnRequest</dt><dd>{html.escape(request.id)}</dd></dl>
<form method="post" action="{html.escape(acs)}"><input type="hidden" name="SAMLResponse" value="{saml_response}">{relay}
<button type="submit">Continue to Roster</button></form>"""


class Stub(BaseHTTPRequestHandler):
    files = {}  # Host (without port) -> body of the well-known file

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if self.path == "/.well-known/roster-verification.txt":
            body = Stub.files.get(self.headers.get("Host", "").split(":")[0])
            self.answer(200 if body else 404, "text/plain", body or "not here")
        elif url.path in IDP_PATHS and "SAMLRequest" in query:
            try:
                self.answer(200, "text/html", IdP.sign_in_page(url.path, query))
            except Exception as error:  # noqa: BLE001 - shown on the page (the walkthrough then fails with it)
                IdP.log.append(f"{url.path}: {type(error).__name__}: {error}")
                self.answer(500, "text/html", f"<!doctype html><title>IdP error</title><h1>IdP error</h1><pre>{html.escape(f'{type(error).__name__}: {error}')}</pre>")
        else:
            self.answer(404, "text/html", "<!doctype html><title>IdP</title><h1>Not found</h1>")

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


def provision(scim_url, key, email):
    """Creates EMAIL in a directory over SCIM, as its identity provider would; the account Test SSO then signs in."""
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email, "emails": [{"value": email, "primary": True}]}
    request = urllib.request.Request(f"{scim_url.rstrip('/')}/Users", data=json.dumps(user).encode(), method="POST", headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/scim+json", "Accept": "application/scim+json",
    })
    try:
        with NO_PROXY.open(request, timeout=10) as response:
            created = json.loads(response.read())
            status = response.status
    except urllib.error.HTTPError as error:
        raise Failure(f"SCIM POST {scim_url}/Users answered {error.code}: {error.read().decode(errors='replace')[:300]}") from error
    check(status == 201 and created.get("userName") == email, f"SCIM POST Users answered {status}: {created}")
    return created["id"]


def test_result(email, what):
    """After the IdP's form is posted: Roster's ACS sends the browser back to the console's result of the run."""
    wait_url("/setup/test?run=")
    wait_text("Last test run")
    text = page_text()
    if "Passed" not in text:
        rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")]
        raise Failure(f"{what} did not pass; checks:\n  " + "\n  ".join(rows))
    check(email in text, f"the {what} result does not name {email}")
    check("Did not pass" not in text, f"the {what} result says Did not pass")


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
    IdP.users[directory] = OKTA_USER
    provision(scim_url, first_key, OKTA_USER)
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
    # The owner signs in with a password and acme.test now routes to Okta: enforcing SSO alone would lock them out.
    button("Save policy").click()
    wait_text("would lock you out")
    shot("06-policy-lockout-refused")
    checkbox = driver.find_element(By.NAME, "enforceSSO")
    if not checkbox.is_selected():
        checkbox.click()
    driver.find_element(By.NAME, "backupAdmin").click()
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
    check(OKTA_USER in page_text(), f"the IdP page does not sign in {OKTA_USER}")
    ok("07", "test sso reaches the IdP", "okta-test-sso")
    button("Continue to Roster", "").click()
    test_result(OKTA_USER, "Okta test run")
    check(driver.current_url.startswith(f"{base}/admin/o/{acme}/directory/identity-providers/{directory}/setup/test?run="),
          f"the Okta test run came back to {driver.current_url}")
    ok("07b", "okta test sso passed (pysaml2 IdP, signed response)", "okta-test-passed")

    directory_page = f"{base}/admin/o/{acme}/directory/identity-providers/{directory}"
    driver.get(directory_page)
    for _ in range(5):  # the provisioning log is written in the background
        logged = re.search(r"(\d+) requests\.", page_text())
        if logged and int(logged.group(1)) > 0:
            break
        time.sleep(1)
        driver.refresh()
    text = page_text()
    for expected in ("Configured", "1 users · 0 groups", "API keys", "Troubleshooting log", f"/scim/directory/{directory}/Users"):
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
    portal_key = driver.find_element(By.ID, "api-key").text
    check(portal_key.startswith("rsk_"), "portal API key does not start with rsk_")
    check("customer organizations" in page_text(), "no note on customer organizations")
    portal_scim = driver.find_element(By.ID, "scim-url").text
    check("/scim/directory/" in portal_scim, f"portal SCIM base URL is {portal_scim!r}")
    # A test run never creates a portal customer just in time (it opens no session): the customer exists first.
    IdP.users[portal_scim.split("/scim/directory/")[1].strip("/").split("/")[0]] = PORTAL_USER
    provision(portal_scim, portal_key, PORTAL_USER)
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
    check(PORTAL_USER in page_text(), f"the IdP page does not sign in {PORTAL_USER}")
    ok("13", "portal test sso reaches the IdP", "portal-test-sso")
    button("Continue to Roster", "").click()
    test_result(PORTAL_USER, "portal test run")
    ok("13b", "portal test sso passed (pysaml2 IdP, signed response)", "portal-test-passed")

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
        IdP.roster, IdP.stub = base, stub
        IdP.key_file, IdP.cert_file = str(work / "k.pem"), str(work / "c.pem")
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
        if IdP.log:
            print("--- stub IdP ---\n" + "\n".join(IdP.log), file=sys.stderr)
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
