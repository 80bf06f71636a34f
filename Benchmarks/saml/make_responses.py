#!/usr/bin/env python3
"""Writes a SAML benchmark WORK directory without the Swift side, for testing python3_saml_bench.py.

    .venv/bin/python Benchmarks/saml/make_responses.py WORK [--count N] [--minutes M]

Layout (the same as the Swift generator's):
    WORK/settings.json          {"spEntityId", "acsUrl", "idpEntityId", "idpCertificatePem"}
    WORK/responses/NNNNNN.b64   base64 samlp:Response (HTTP-POST binding value)

Each Response carries one Assertion signed enveloped with RSA-SHA256, SHA-256 digest and exclusive
c14n; the Response itself is unsigned. Even-numbered responses are unsolicited, odd ones answer
InResponseTo="_req1". Every assertion has its own ID and an emailAddress NameID, and is valid from
a minute before now until M minutes (default 15) after. The IdP key and self-signed certificate are
made with openssl in a temporary directory; signing uses the `xmlsec` Python module (PyPI `xmlsec`,
installed with python3-saml).
"""

import argparse
import base64
import datetime
import json
import os
import secrets
import subprocess
import sys
import tempfile

import xmlsec
from lxml import etree

NS_SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


def saml_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_idp_key(directory):
    key = os.path.join(directory, "idp.key")
    cert = os.path.join(directory, "idp.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
         "-subj", "/CN=bench-idp", "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return key, cert


def response_xml(i, sp, acs, idp, now, minutes):
    in_response_to = ' InResponseTo="_req1"' if i % 2 else ""
    issued = saml_time(now)
    not_before = saml_time(now - datetime.timedelta(minutes=1))
    not_after = saml_time(now + datetime.timedelta(minutes=minutes))
    email = "user%06d@example.com" % i
    assertion_id = "_a%06d%s" % (i, secrets.token_hex(8))
    response_id = "_r%06d%s" % (i, secrets.token_hex(8))
    return f"""<samlp:Response xmlns:samlp="{NS_SAMLP}" xmlns:saml="{NS_SAML}" ID="{response_id}" Version="2.0" \
IssueInstant="{issued}" Destination="{acs}"{in_response_to}><saml:Issuer>{idp}</saml:Issuer>\
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>\
<saml:Assertion ID="{assertion_id}" Version="2.0" IssueInstant="{issued}"><saml:Issuer>{idp}</saml:Issuer>\
<saml:Subject><saml:NameID Format="{EMAIL_FORMAT}">{email}</saml:NameID>\
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData \
NotOnOrAfter="{not_after}" Recipient="{acs}"{in_response_to}/></saml:SubjectConfirmation></saml:Subject>\
<saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_after}"><saml:AudienceRestriction>\
<saml:Audience>{sp}</saml:Audience></saml:AudienceRestriction></saml:Conditions>\
<saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="_s{i:06d}"><saml:AuthnContext>\
<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>\
</saml:AuthnContext></saml:AuthnStatement>\
<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute>\
<saml:Attribute Name="groups"><saml:AttributeValue>eng</saml:AttributeValue><saml:AttributeValue>ops</saml:AttributeValue>\
</saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"""


def sign_assertion(xml, key):
    root = etree.fromstring(xml.encode())
    assertion = root.find("{%s}Assertion" % NS_SAML)
    issuer = assertion.find("{%s}Issuer" % NS_SAML)
    signature = xmlsec.template.create(assertion, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256, ns="ds")
    issuer.addnext(signature)  # the schema wants ds:Signature right after the Assertion's Issuer
    reference = xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri="#" + assertion.get("ID"))
    xmlsec.template.add_transform(reference, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(reference, xmlsec.Transform.EXCL_C14N)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    context = xmlsec.SignatureContext()
    context.register_id(assertion, "ID")
    context.key = key
    context.sign(signature)
    return etree.tostring(root)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("work")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=15, help="validity from now (default 15)")
    parser.add_argument("--sp-entity-id", default="http://127.0.0.1:8080/saml/d1/metadata")
    parser.add_argument("--acs-url", default="http://127.0.0.1:8080/saml/d1/acs")
    parser.add_argument("--idp-entity-id", default="https://idp.bench.example/metadata")
    args = parser.parse_args()

    responses = os.path.join(args.work, "responses")
    os.makedirs(responses, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        key_path, cert_path = make_idp_key(scratch)
        with open(cert_path) as f:
            cert_pem = f.read()
        key = xmlsec.Key.from_file(key_path, xmlsec.KeyFormat.PEM)
        key.load_cert_from_file(cert_path, xmlsec.KeyFormat.PEM)

    with open(os.path.join(args.work, "settings.json"), "w") as f:
        json.dump({"spEntityId": args.sp_entity_id, "acsUrl": args.acs_url,
                   "idpEntityId": args.idp_entity_id, "idpCertificatePem": cert_pem}, f, indent=2)
        f.write("\n")

    now = datetime.datetime.now(datetime.timezone.utc)
    for i in range(args.count):
        signed = sign_assertion(response_xml(i, args.sp_entity_id, args.acs_url, args.idp_entity_id, now, args.minutes), key)
        with open(os.path.join(responses, "%06d.b64" % i), "wb") as f:
            f.write(base64.b64encode(signed))
    print("wrote %d responses and settings.json to %s" % (args.count, args.work), file=sys.stderr)


if __name__ == "__main__":
    main()
