#!/usr/bin/env python3
"""Writes the checked-in seed corpora under Fuzz/Corpus/: request bodies shaped as Okta and Microsoft Entra ID send
them (from their published SCIM guides), and SAML messages signed with xmlsec1 by the fuzz IdP key (Fuzz/Keys), valid
at the fuzz targets' fixed time (2030-01-01). Run from the repository root: python3 Fuzz/make-seeds.py"""
import base64
import hashlib
import os
import subprocess
import tempfile
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Corpus")
KEYS = os.path.join(ROOT, "Keys")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


FILTERS = [
    'userName eq "alice@example.com"', 'externalId eq "00u1abcd"', 'emails[type eq "work" and value co "@example.com"]',
    'userName sw "a" and active eq true', 'displayName eq "Engineering"', 'members[value eq "u1"]',
    'name.familyName co "Lid" or (title pr and not (active eq false))', 'meta.lastModified gt "2029-01-01T00:00:00Z"',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "42"', 'emails.value ew ".example.com"',
    'userName eq "O\'Brien \\"Jr\\""', 'phoneNumbers[type eq "mobile"].value pr', 'id eq "u1" or id eq "u2" or id eq "u3"',
]
PATHS = ['emails[type eq "work"].value', 'name.givenName', 'members[value eq "u1"]', 'addresses[type eq "work"].streetAddress',
         'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', 'active', 'emails', 'x[y eq "z"].w']
OKTA_PATCH = [
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}',
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u1","display":"alice@example.com"}]}]}',
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \\"u1\\"]"}]}',
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"g1","displayName":"Renamed"}}]}',
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"name.givenName","value":"Alicia"},{"op":"replace","path":"emails[type eq \\"work\\"].value","value":"alicia@example.com"}]}',
]
ENTRA_PATCH = [
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}',
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"u1"}]}]}',
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"u1"}]}]}',
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"u2"}]}',
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"alice@contoso.com"},{"op":"Replace","path":"name.familyName","value":"Liddell"},{"op":"Add","path":"addresses[type eq \\"work\\"].locality","value":"Redmond"}]}',
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","value":{"title":"Engineer","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"R&D"}}]}',
]
BODIES = [
    '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@example.com","name":{"givenName":"Alice","familyName":"Liddell"},"emails":[{"primary":true,"value":"alice@example.com","type":"work"}],"displayName":"Alice Liddell","locale":"en-US","externalId":"00u1abcd","groups":[],"password":"1mz050nq","active":true}',
    '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee@contoso.com","active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@contoso.com"}],"meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}',
    '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","meta":{"resourceType":"Group"}}',
    '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering","members":[{"value":"u1","display":"alice@example.com"},{"value":"u2"}]}',
    '{"a":[1,2.5,-3e10,true,false,null,"\\u00e9\\ud83d\\ude00"],"b":{"c":{"d":[[[]]]}}}',
]


def sign(xml, root_id_attr):
    with tempfile.TemporaryDirectory() as work:
        template = os.path.join(work, "t.xml")
        with open(template, "w") as f:
            f.write(xml)
        out = subprocess.run(["xmlsec1", "--sign", "--privkey-pem", f"{KEYS}/idp.key,{KEYS}/idp.crt", "--id-attr:ID", root_id_attr, template],
                             check=True, capture_output=True)
        return out.stdout.decode()


SIGNATURE = ('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
             '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
             '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
             '<ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
             '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
             '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>'
             '<ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>')


def response(in_response_to, name_id="alice@example.com"):
    irt = f' InResponseTo="{in_response_to}"' if in_response_to else ""
    return (f'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            f'ID="_r1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z" Destination="https://roster.fuzz/saml/d1/acs"{irt}>'
            '<saml:Issuer>https://idp.fuzz/metadata</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
            '<saml:Assertion ID="_a1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z"><saml:Issuer>https://idp.fuzz/metadata</saml:Issuer>'
            + SIGNATURE.format(id="_a1") +
            f'<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{name_id}</saml:NameID>'
            f'<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData{irt} '
            'NotOnOrAfter="2030-01-01T00:05:00Z" Recipient="https://roster.fuzz/saml/d1/acs"/></saml:SubjectConfirmation></saml:Subject>'
            '<saml:Conditions NotBefore="2029-12-31T23:59:00Z" NotOnOrAfter="2030-01-01T00:05:00Z"><saml:AudienceRestriction>'
            '<saml:Audience>https://roster.fuzz/saml/d1/metadata</saml:Audience></saml:AudienceRestriction></saml:Conditions>'
            '<saml:AuthnStatement AuthnInstant="2030-01-01T00:00:00Z" SessionIndex="_s1"><saml:AuthnContext><saml:AuthnContextClassRef>'
            'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>'
            '<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>alice@example.com</saml:AttributeValue></saml:Attribute>'
            '</saml:AttributeStatement></saml:Assertion></samlp:Response>')


def logout_request(template=True):
    return ('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            'ID="_l1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z" Destination="https://roster.fuzz/saml/d1/slo">'
            '<saml:Issuer>https://idp.fuzz/metadata</saml:Issuer>' + (SIGNATURE.format(id="_l1") if template else "") +
            '<saml:NameID>alice@example.com</saml:NameID><samlp:SessionIndex>_s1</samlp:SessionIndex></samlp:LogoutRequest>')


def logout_response():
    return ('<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            'ID="_lr1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z" Destination="https://roster.fuzz/saml/d1/slo" InResponseTo="_x1">'
            '<saml:Issuer>https://idp.fuzz/metadata</saml:Issuer>' + SIGNATURE.format(id="_lr1") +
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>')


def deflate(text):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(text.encode()) + compressor.flush()


AUTHN = ('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
         'ID="_q1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z" Destination="https://idp.fuzz/sso" '
         'AssertionConsumerServiceURL="https://roster.fuzz/saml/d1/acs" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">'
         '<saml:Issuer>https://roster.fuzz/saml/d1/metadata</saml:Issuer></samlp:AuthnRequest>')


def main():
    for text in FILTERS:
        put("filter", text)
    for path in PATHS:
        put("patch", "0" + path)
    for body in OKTA_PATCH + ENTRA_PATCH:
        put("patch", "1" + body)
        put("quirks", body)
    for body in BODIES:
        put("json", body)
    signed = sign(response("_q1"), "urn:oasis:names:tc:SAML:2.0:assertion:Assertion")
    put("saml-response", signed)
    put("saml-response", sign(response(None, "bob@example.com"), "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"))
    request = sign(logout_request(), "urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest")
    put("saml-logout", "\x00" + request)
    put("saml-logout", "\x02" + sign(logout_response(), "urn:oasis:names:tc:SAML:2.0:protocol:LogoutResponse"))
    query = ("SAMLRequest=" + base64.b64encode(deflate(logout_request(template=False))).decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
             + "&RelayState=r1&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature=UmFuZG9t")
    put("saml-logout", "\x01" + query)
    put("redirect", "0" + base64.b64encode(deflate(AUTHN)).decode())
    put("redirect", b"1" + deflate(AUTHN))
    put("redirect", b"1" + deflate(request))
    with open(f"{KEYS}/idp.crt") as f:
        body = "".join(line for line in f.read().splitlines() if not line.startswith("-----"))
    for binding in ("HTTP-Redirect", "HTTP-POST"):
        put("metadata", f'<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="http://www.okta.com/exkFUZZ"><md:IDPSSODescriptor '
            f'WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">'
            f'<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
            f'<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.fuzz/slo"/>'
            f'<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>'
            f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:{binding}" Location="https://idp.fuzz/sso"/>'
            f'</md:IDPSSODescriptor></md:EntityDescriptor>')


if __name__ == "__main__":
    main()
