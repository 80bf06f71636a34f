#!/usr/bin/env python3
"""Python baseline of the SAML benchmark: validates the WORK responses with python3-saml.

    .venv/bin/python Benchmarks/saml/python3_saml_bench.py WORK [--seconds S]

WORK holds settings.json ({"spEntityId", "acsUrl", "idpEntityId", "idpCertificatePem"}) and
responses/*.b64 (base64 samlp:Response values of the HTTP-POST binding, assertion signed).

Every response is read into memory first. Then, in one thread, each one is validated as a strict
SP would: OneLogin_Saml2_Settings with strict=True and wantAssertionsSigned=True (other security
options at python3-saml's defaults, so an AuthnStatement and an AttributeStatement are required),
OneLogin_Saml2_Response(settings, b64).is_valid(request_data, request_id=None,
raise_exceptions=True) with request_data taken from acsUrl so the Destination and Recipient checks
pass, then get_nameid(). The settings object is built once, as an SP keeps it. The responses are
cycled until at least S seconds (default 5) have passed and every one was validated at least once.

Prints one JSON line:
    {"validator":"python3-saml <version>","responses":N,"validated":count,"seconds":elapsed,
     "perSecond":rate,"failures":k,"firstFailure":"message or null"}
where validated counts successful validations and perSecond is validated / seconds.
Exits 1 when any validation failed (the first failure also goes to stderr), 2 on bad input.
"""

import argparse
import glob
import json
import os
import sys
import time
from importlib.metadata import version
from urllib.parse import urlsplit

from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


def saml_settings(work):
    with open(os.path.join(work, "settings.json")) as f:
        s = json.load(f)
    return s, OneLogin_Saml2_Settings({
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": s["spEntityId"],
            "assertionConsumerService": {
                "url": s["acsUrl"],
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
            },
            "NameIDFormat": EMAIL_FORMAT,
        },
        "idp": {
            "entityId": s["idpEntityId"],
            # Required by the settings checks, never used when validating a Response.
            "singleSignOnService": {
                "url": s.get("idpSsoUrl", "https://idp.example.com/sso"),
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
            },
            "x509cert": s["idpCertificatePem"],
        },
        "security": {
            "wantAssertionsSigned": True,
        },
    })


def request_data_for(acs_url, b64):
    """The request python3-saml would see from a web framework for a POST to acs_url."""
    url = urlsplit(acs_url)
    # http_host carries the port, as python3-saml 1.16 documents; its server_port key is deprecated
    # (a DeprecationWarning on every call) and only appends the same port.
    return {
        "https": "on" if url.scheme == "https" else "off",
        "http_host": url.netloc,
        "script_name": url.path,
        "get_data": {},
        "post_data": {"SAMLResponse": b64},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("work")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    s, settings = saml_settings(args.work)
    paths = sorted(glob.glob(os.path.join(args.work, "responses", "*.b64")))
    responses = []
    for path in paths:
        with open(path) as f:
            responses.append((os.path.basename(path), f.read().strip()))
    if not responses:
        print("no responses in %s/responses" % args.work, file=sys.stderr)
        return 2
    requests = [request_data_for(s["acsUrl"], b64) for _, b64 in responses]

    validated = 0
    failures = 0
    first_failure = None
    n = len(responses)
    done = 0
    start = time.perf_counter()
    elapsed = 0.0
    while done < n or elapsed < args.seconds:
        i = done % n
        name, b64 = responses[i]
        try:
            response = OneLogin_Saml2_Response(settings, b64)
            if not response.is_valid(requests[i], request_id=None, raise_exceptions=True):
                raise ValueError(response.get_error() or "is_valid returned False")
            if not response.get_nameid():
                raise ValueError("empty NameID")
            validated += 1
        except Exception as error:  # noqa: BLE001 - every failure is counted and the first reported
            failures += 1
            if first_failure is None:
                first_failure = "%s: %s: %s" % (name, type(error).__name__, error)
        done += 1
        elapsed = time.perf_counter() - start

    print(json.dumps({
        "validator": "python3-saml %s" % version("python3-saml"),
        "responses": n,
        "validated": validated,
        "seconds": round(elapsed, 3),
        "perSecond": round(validated / elapsed, 1) if elapsed > 0 else 0.0,
        "failures": failures,
        "firstFailure": first_failure,
    }, separators=(",", ":")))
    if failures:
        print("first failure: %s" % first_failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
