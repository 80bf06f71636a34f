#!/usr/bin/env python3
"""SAML interop peer for scripts/saml-interop: pysaml2 as the identity provider, urllib as the browser.

    saml_idp.py metadata WORKDIR            makes the IdP's key and certificate (and a rogue pair that is in no
                                            metadata) in WORKDIR and prints the IdP metadata XML
    saml_idp.py run WORKDIR BASE DIRECTORY  signs alice@example.com in to the Roster at BASE (loopback only),
                                            one line per scenario; exits 1 if any fails

pysaml2 signs with xmlsec1 (Debian's, /usr/bin/xmlsec1), RSA-SHA256 with SHA-256 digests.
"""
import base64
import html
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import warnings
import xml.etree.ElementTree as ET

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

# pysaml2 7.5.5 still names a cipher mode that cryptography has moved (it never uses it here).
warnings.filterwarnings("ignore", message="CFB has been moved")

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor, metadata_tostring_fix
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

IDP_ENTITY_ID = "https://idp.interop.test/metadata"
IDP_SSO_URL = "https://idp.interop.test/sso"
IDP_SLO_URL = "https://idp.interop.test/slo"
XMLSEC = "/usr/bin/xmlsec1"
HTTP_TIMEOUT = 10
USER = "alice@example.com"
IDENTITY = {"email": [USER], "givenName": ["Alice"], "sn": ["Liddell"]}
MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
# pysaml2 encrypts with 3DES-CBC unless told otherwise (sigver.pre_encryption_part); real IdPs (Okta, Entra ID,
# AD FS) use AES, so the encrypted scenario asks for AES-256-CBC, with the session key under RSA-OAEP (pysaml2's).
AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"


def make_keypair(workdir, name):
    key, cert = os.path.join(workdir, f"{name}.key"), os.path.join(workdir, f"{name}.crt")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
         "-days", "2", "-subj", f"/CN={name}.interop.test"],
        check=True, capture_output=True, timeout=60,
    )
    return key, cert


def idp_server(workdir, name, sp_metadata=None):
    """A pysaml2 IdP signing with WORKDIR/NAME.key; it knows the SP from its metadata when given."""
    config = IdPConfig()
    config.load({
        "entityid": IDP_ENTITY_ID,
        "xmlsec_binary": XMLSEC,
        "key_file": os.path.join(workdir, f"{name}.key"),
        "cert_file": os.path.join(workdir, f"{name}.crt"),
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "delete_tmpfiles": True,
        "service": {"idp": {
            "name": "Roster interop IdP",
            "endpoints": {"single_sign_on_service": [(IDP_SSO_URL, BINDING_HTTP_REDIRECT)],
                          "single_logout_service": [(IDP_SLO_URL, BINDING_HTTP_REDIRECT)]},
            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
            "want_authn_requests_signed": False,
            "sign_response": False,
            "sign_assertion": True,
            "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_BASIC}},
        }},
        "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
    })
    return Server(config=config)


def encrypt_with(server, algorithm, session_key):
    """Makes SERVER encrypt assertions with ALGORITHM (an xmlenc URI) and an xmlsec1 SESSION_KEY type."""
    encrypt_assertion = server.sec.encrypt_assertion

    def encrypt(statement, enc_key, template, key_type=None, node_xpath=None):
        template.encryption_method.algorithm = algorithm
        return encrypt_assertion(statement, enc_key, template, session_key, node_xpath)

    server.sec.encrypt_assertion = encrypt


def command_metadata(workdir):
    make_keypair(workdir, "idp")
    make_keypair(workdir, "rogue")
    server = idp_server(workdir, "idp")
    descriptor = entity_descriptor(server.config)
    xml = metadata_tostring_fix(descriptor, {"xs": "http://www.w3.org/2001/XMLSchema"})
    sys.stdout.write(xml.decode() if isinstance(xml, bytes) else xml)
    sys.stdout.write("\n")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser: its own cookie jar, no proxies, redirects shown rather than followed."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, url, data=None, headers=None):
        """(status, headers, body) of one request, 4xx/5xx included."""
        assert url.startswith("http://127.0.0.1:"), url
        req = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=HTTP_TIMEOUT) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def post_form(self, url, fields):
        body = urllib.parse.urlencode(fields).encode()
        return self.request(url, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def session_cookie(self):
        return next((c.value for c in self.jar if c.name == "roster_session"), None)


class Failure(Exception):
    pass


def sp_encryption_certificate(sp_metadata):
    """The SP's KeyDescriptor use="encryption" (or use-less) certificate, base64 DER, or None."""
    root = ET.fromstring(sp_metadata)
    for key in root.iter(f"{{{MD_NS}}}KeyDescriptor"):
        if key.get("use") in (None, "encryption"):
            cert = key.find(f".//{{{DS_NS}}}X509Certificate")
            if cert is not None and cert.text and cert.text.strip():
                return "".join(cert.text.split())
    return None


class Interop:
    def __init__(self, workdir, base, directory):
        self.workdir, self.base, self.directory = workdir, base.rstrip("/"), directory
        self.sp_entity_id = f"{self.base}/saml/{directory}/metadata"
        self.acs = f"{self.base}/saml/{directory}/acs"
        status, _, body = Browser().request(self.sp_entity_id)
        if status != 200:
            raise SystemExit(f"SP metadata: HTTP {status}")
        self.sp_metadata = body.decode()
        self.idp = idp_server(workdir, "idp", self.sp_metadata)
        self.rogue = idp_server(workdir, "rogue", self.sp_metadata)
        self.encrypting_idp = idp_server(workdir, "idp", self.sp_metadata)
        encrypt_with(self.encrypting_idp, AES256_CBC, "aes-256")
        self.last_sp_response = None

    # -- the IdP's side -------------------------------------------------------------------------------------

    def respond(self, idp, in_response_to, **extra):
        """A SAMLResponse (base64, HTTP-POST binding) for alice, assertion signed RSA-SHA256/SHA-256."""
        response = idp.create_authn_response(
            IDENTITY,
            in_response_to=in_response_to,
            destination=self.acs,
            sp_entity_id=self.sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=USER),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_assertion=True,
            sign_response=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            **extra,
        )
        xml = str(response)
        if "rsa-sha1" in xml or "xmldsig#sha1" in xml:
            raise Failure("pysaml2 signed with SHA-1")
        return base64.b64encode(xml.encode()).decode(), xml

    def start_login(self, browser, relay_state):
        """GET /saml/DIR/login; intercept the redirect to the IdP and parse the AuthnRequest with pysaml2."""
        url = f"{self.base}/saml/{self.directory}/login?" + urllib.parse.urlencode({"RelayState": relay_state})
        status, headers, _ = browser.request(url)
        location = headers.get("Location", "")
        if status != 302 or not location.startswith(IDP_SSO_URL + "?"):
            raise Failure(f"login: expected 302 to {IDP_SSO_URL}, got {status} {location[:120]}")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        if query.get("RelayState") != [relay_state]:
            raise Failure(f"login: RelayState {query.get('RelayState')}")
        parsed = self.idp.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        request = parsed.message
        if request.issuer.text != self.sp_entity_id or request.assertion_consumer_service_url != self.acs:
            raise Failure(f"login: AuthnRequest from {request.issuer.text} to {request.assertion_consumer_service_url}")
        return request.id

    # -- the browser's side ---------------------------------------------------------------------------------

    def post_acs(self, browser, saml_response, relay_state):
        fields = {"SAMLResponse": saml_response}
        if relay_state is not None:
            fields["RelayState"] = relay_state
        return browser.post_form(self.acs, fields)

    def expect_signed_in(self, browser, posted, location):
        status, headers, body = posted
        if status != 302:
            raise Failure(f"ACS answered {status}: {page_text(body)}")
        if location is not None and headers.get("Location") != location:
            raise Failure(f"ACS redirected to {headers.get('Location')}, expected {location}")
        if "roster_session=" not in " ".join(headers.get_all("Set-Cookie") or []) or not browser.session_cookie():
            raise Failure("ACS set no roster_session cookie")
        status, _, body = browser.request(f"{self.base}/api/v1/session")
        if status != 200:
            raise Failure(f"/api/v1/session answered {status}")
        session = json.loads(body)
        if session.get("userName") != USER:
            raise Failure(f"/api/v1/session names {session.get('userName')}")
        return f"302 to {headers.get('Location')}, session of {session['userName']}"

    def expect_refused(self, browser, posted):
        status, headers, body = posted
        if not 400 <= status < 500:
            raise Failure(f"expected 4xx, ACS answered {status} {headers.get('Location') or ''}")
        if any("roster_session=" in c for c in headers.get_all("Set-Cookie") or []) or browser.session_cookie():
            raise Failure(f"{status} but a roster_session cookie was set")
        return f"refused with {status}: {page_text(body)}"

    # -- scenarios ------------------------------------------------------------------------------------------

    def sp_initiated(self):
        browser = Browser()
        request_id = self.start_login(browser, "/hello")
        saml_response, _ = self.respond(self.idp, request_id)
        self.last_sp_response = saml_response
        return self.expect_signed_in(browser, self.post_acs(browser, saml_response, "/hello"), "/hello")

    def idp_initiated(self):
        browser = Browser()
        saml_response, _ = self.respond(self.idp, None)
        return self.expect_signed_in(browser, self.post_acs(browser, saml_response, "/welcome"), "/welcome")

    def encrypted(self):
        certificate = sp_encryption_certificate(self.sp_metadata)
        if certificate is None:
            raise Failure("Roster's SP metadata has no encryption certificate (KeyDescriptor use=\"encryption\")")
        browser = Browser()
        request_id = self.start_login(browser, "/hello")
        # pysaml2 signs the assertion (xmlsec1 --sign), moves it into an EncryptedAssertion and encrypts it
        # (xmlsec1 --encrypt, session key under RSA-OAEP) for this certificate; see Entity._response.
        saml_response, xml = self.respond(
            self.encrypting_idp, request_id, encrypt_assertion=True, encrypt_cert_assertion=certificate,
            encrypt_assertion_self_contained=True,
        )
        root = ET.fromstring(xml)
        if root.find(f"{{{SAML_NS}}}EncryptedAssertion") is None or next(root.iter(f"{{{SAML_NS}}}Assertion"), None) is not None:
            raise Failure("pysaml2 did not encrypt the assertion")
        return self.expect_signed_in(browser, self.post_acs(browser, saml_response, "/hello"), "/hello")

    def replay(self):
        """The SP-initiated response again: its AuthnRequest is already answered."""
        if not self.last_sp_response:
            raise Failure("no SP-initiated response to replay (that scenario failed before answering)")
        browser = Browser()
        return self.expect_refused(browser, self.post_acs(browser, self.last_sp_response, "/hello"))

    def idp_initiated_replay(self):
        """An unsolicited response twice: only the assertion-ID replay cache can refuse the second."""
        saml_response, _ = self.respond(self.idp, None)
        first = Browser()
        self.expect_signed_in(first, self.post_acs(first, saml_response, "/welcome"), "/welcome")
        second = Browser()
        return self.expect_refused(second, self.post_acs(second, saml_response, "/welcome"))

    # -- single logout ----------------------------------------------------------------------------------------

    def sp_certificate(self):
        """Roster's SP certificate from its metadata (the key that signs its LogoutResponses)."""
        der = base64.b64decode(sp_encryption_certificate(self.sp_metadata) or "")
        return x509.load_der_x509_certificate(der)

    def check_redirect_signature(self, location, parameter):
        """Verifies Roster's redirect-binding signature over the exact query bytes (Bindings 3.4.4.1), returns the fields."""
        query = urllib.parse.urlsplit(location).query
        raw = dict(pair.split("=", 1) for pair in query.split("&"))
        if "Signature" not in raw or urllib.parse.unquote(raw.get("SigAlg", "")) != SIG_RSA_SHA256:
            raise Failure(f"{parameter} is not signed RSA-SHA256: {location[:160]}")
        signed = f"{parameter}={raw[parameter]}"
        if "RelayState" in raw:
            signed += f"&RelayState={raw['RelayState']}"
        signed += f"&SigAlg={raw['SigAlg']}"
        signature = base64.b64decode(urllib.parse.unquote(raw["Signature"]))
        self.sp_certificate().public_key().verify(signature, signed.encode(), padding.PKCS1v15(), hashes.SHA256())
        return {name: urllib.parse.unquote(value) for name, value in raw.items()}

    def signed_in_browser(self):
        browser = Browser()
        request_id = self.start_login(browser, "/hello")
        saml_response, _ = self.respond(self.idp, request_id)
        self.expect_signed_in(browser, self.post_acs(browser, saml_response, "/hello"), "/hello")
        return browser

    def expect_signed_out(self, browser):
        status, _, _ = browser.request(f"{self.base}/api/v1/session")
        if status != 401:
            raise Failure(f"the session still answers {status} after logout")

    def sp_initiated_logout(self):
        """Roster's LogoutRequest to the IdP; pysaml2 parses it and answers a LogoutResponse signed over the query."""
        browser = self.signed_in_browser()
        status, headers, _ = browser.post_form(f"{self.base}/logout", {})
        location = headers.get("Location", "")
        if status != 302 or not location.startswith(IDP_SLO_URL + "?"):
            raise Failure(f"/logout: expected 302 to {IDP_SLO_URL}, got {status} {location[:120]}")
        self.expect_signed_out(browser)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        request = self.idp.parse_logout_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT).message
        if request.name_id.text != USER or request.issuer.text != self.sp_entity_id:
            raise Failure(f"LogoutRequest for {request.name_id.text} from {request.issuer.text}")
        response = self.idp.create_logout_response(request, [BINDING_HTTP_REDIRECT])
        slo = f"{self.base}/saml/{self.directory}/slo"
        http = self.idp.apply_binding(BINDING_HTTP_REDIRECT, str(response), slo, "after-logout", response=True,
                                      sign=True, sigalg=SIG_RSA_SHA256)
        answer = dict(http["headers"])["Location"]
        status, _, body = browser.request(answer)
        text = page_text(body)
        if status != 200 or "of your identity provider" not in text or "not confirmed" in text:
            raise Failure(f"Roster on the IdP's LogoutResponse: {status} {text}")
        # A forged answer (signed by the rogue key) is not taken as a confirmation.
        forged = self.rogue.apply_binding(BINDING_HTTP_REDIRECT, str(response), slo, "x", response=True, sign=True, sigalg=SIG_RSA_SHA256)
        status, _, body = Browser().request(dict(forged["headers"])["Location"])
        if "not confirmed" not in page_text(body) and "did not confirm" not in page_text(body):
            raise Failure(f"a rogue LogoutResponse was taken as a confirmation: {page_text(body)}")
        return f"LogoutRequest for {USER} answered, Roster reports: {text}"

    def idp_logout(self, binding):
        """pysaml2's LogoutRequest ends the session; Roster answers a LogoutResponse signed with its SP key."""
        browser = self.signed_in_browser()
        slo = f"{self.base}/saml/{self.directory}/slo"
        name_id = NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=USER)
        if binding == BINDING_HTTP_REDIRECT:
            request_id, request = self.idp.create_logout_request(slo, self.sp_entity_id, name_id=name_id, sign=False)
            http = self.idp.apply_binding(BINDING_HTTP_REDIRECT, str(request), slo, "idp-state", sign=True, sigalg=SIG_RSA_SHA256)
            status, headers, body = Browser().request(dict(http["headers"])["Location"])
        else:
            request_id, request = self.idp.create_logout_request(slo, self.sp_entity_id, name_id=name_id, sign=True,
                                                                 sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
            xml = str(request)
            if "<ds:Signature" not in xml and "Signature" not in xml:
                raise Failure("pysaml2 did not sign the LogoutRequest")
            status, headers, body = Browser().post_form(slo, {"SAMLRequest": base64.b64encode(xml.encode()).decode(), "RelayState": "idp-state"})
        location = headers.get("Location", "")
        if status != 302 or not location.startswith(IDP_SLO_URL + "?"):
            raise Failure(f"Roster answered {status} {location[:120]} {page_text(body)}")
        self.expect_signed_out(browser)
        fields = self.check_redirect_signature(location, "SAMLResponse")
        if fields.get("RelayState") != "idp-state":
            raise Failure(f"RelayState came back as {fields.get('RelayState')}")
        parsed = self.idp.parse_logout_request_response(fields["SAMLResponse"], BINDING_HTTP_REDIRECT)
        response = parsed.response
        if response.in_response_to != request_id or response.status.status_code.value != "urn:oasis:names:tc:SAML:2.0:status:Success":
            raise Failure(f"LogoutResponse to {response.in_response_to}, status {response.status.status_code.value}")
        # The same request again is a replay: refused.
        if binding == BINDING_HTTP_REDIRECT:
            status, _, _ = Browser().request(dict(http["headers"])["Location"])
            if status != 400:
                raise Failure(f"a replayed LogoutRequest answered {status}")
        return f"session ended; signed LogoutResponse (pysaml2 parsed it, signature checked with the SP certificate) to {request_id}"

    def idp_logout_redirect(self):
        return self.idp_logout(BINDING_HTTP_REDIRECT)

    def idp_logout_post(self):
        return self.idp_logout(BINDING_HTTP_POST)

    def encrypted_idp_initiated(self):
        certificate = sp_encryption_certificate(self.sp_metadata)
        browser = Browser()
        saml_response, xml = self.respond(
            self.encrypting_idp, None, encrypt_assertion=True, encrypt_cert_assertion=certificate, encrypt_assertion_self_contained=True,
        )
        if "EncryptedAssertion" not in xml:
            raise Failure("pysaml2 did not encrypt the assertion")
        return self.expect_signed_in(browser, self.post_acs(browser, saml_response, "/welcome"), "/welcome")

    def wrong_key(self):
        browser = Browser()
        request_id = self.start_login(browser, "/hello")
        saml_response, _ = self.respond(self.rogue, request_id)
        return self.expect_refused(browser, self.post_acs(browser, saml_response, "/hello"))


def page_text(body):
    """The words of Roster's HTML page body (or JSON error), for the report line."""
    text = re.sub(r"(?s)<head>.*</head>", " ", body.decode(errors="replace"))
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", text)).split())[:160]


def command_run(workdir, base, directory):
    interop = Interop(workdir, base, directory)
    scenarios = [
        ("sp-initiated", interop.sp_initiated),
        ("idp-initiated", interop.idp_initiated),
        ("encrypted (assertion signed, then encrypted AES-256-CBC/RSA-OAEP)", interop.encrypted),
        ("replayed sp-initiated response refused", interop.replay),
        ("replayed idp-initiated response refused", interop.idp_initiated_replay),
        ("response signed by an unknown key refused", interop.wrong_key),
        ("encrypted idp-initiated sign-in", interop.encrypted_idp_initiated),
        ("sp-initiated single logout (pysaml2 answers a signed LogoutResponse)", interop.sp_initiated_logout),
        ("idp-initiated single logout, HTTP-Redirect", interop.idp_logout_redirect),
        ("idp-initiated single logout, HTTP-POST", interop.idp_logout_post),
    ]
    failed = 0
    for name, scenario in scenarios:
        try:
            print(f"PASS {name}: {scenario()}", flush=True)
        except Failure as failure:
            failed += 1
            print(f"FAIL {name}: {failure}", flush=True)
        except Exception as error:  # pysaml2's or the network's: this scenario fails, the others still run
            failed += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
    return 1 if failed else 0


def main(argv):
    if len(argv) == 2 and argv[0] == "metadata":
        command_metadata(argv[1])
        return 0
    if len(argv) == 4 and argv[0] == "run":
        return command_run(*argv[1:])
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
