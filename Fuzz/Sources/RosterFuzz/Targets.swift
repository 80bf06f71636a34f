import Foundation
import SAML
import SCIM

/// One libFuzzer entry point for every parser an identity provider (or anyone on the internet) can feed; the target
/// is named by `ROSTER_FUZZ_TARGET`. A target must never crash, hang, or trip AddressSanitizer on any input; refusing
/// the input (a thrown error) is the normal outcome.
enum Target: String, CaseIterable {
    case filter, patch, quirks, json, samlResponse = "saml-response", samlLogout = "saml-logout", redirect, metadata
}

let target: Target = {
    let name = ProcessInfo.processInfo.environment["ROSTER_FUZZ_TARGET"] ?? ""
    guard let target = Target(rawValue: name) else {
        FileHandle.standardError.write(Data("ROSTER_FUZZ_TARGET must be one of: \(Target.allCases.map(\.rawValue).joined(separator: " "))\n".utf8))
        exit(64)
    }
    return target
}()

/// The fixed keys of the SAML targets (`Fuzz/Keys`, made for fuzzing only): the IdP's certificate that responses are
/// checked against, and the SP's key that decrypts encrypted assertions.
let keys: (idpCertificate: String, spKey: String) = {
    let folder = ProcessInfo.processInfo.environment["ROSTER_FUZZ_KEYS"] ?? "Keys"
    guard let certificate = try? String(contentsOfFile: folder + "/idp.crt", encoding: .utf8),
          let key = try? String(contentsOfFile: folder + "/sp.key", encoding: .utf8)
    else {
        FileHandle.standardError.write(Data("ROSTER_FUZZ_KEYS must name the folder with idp.crt and sp.key\n".utf8))
        exit(64)
    }
    return (certificate, key)
}()

/// The moment the seed responses are valid at.
let fixedNow = Date(timeIntervalSince1970: 1_893_456_000)  // 2030-01-01

let sampleUser: [String: SCIMValue] = {
    let body = #"""
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
         "id":"u1","userName":"alice@example.com","externalId":"00u1","active":true,
         "name":{"givenName":"Alice","familyName":"Liddell","formatted":"Alice Liddell"},
         "emails":[{"value":"alice@example.com","type":"work","primary":true},{"value":"a@home.example","type":"home"}],
         "phoneNumbers":[{"value":"+1 555 0100","type":"mobile"}],
         "addresses":[{"streetAddress":"1 Main St","locality":"Springfield","type":"work","primary":true}],
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","department":"R&D","manager":{"value":"u2"}}}
        """#
    return (try? SCIMJSON.parseObject(Array(body.utf8))) ?? [:]
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    switch target {
    case .filter: fuzzFilter(bytes)
    case .patch: fuzzPatch(bytes)
    case .quirks: fuzzQuirks(bytes)
    case .json: fuzzJSON(bytes)
    case .samlResponse: fuzzSAMLResponse(bytes)
    case .samlLogout: fuzzSAMLLogout(bytes)
    case .redirect: fuzzRedirect(bytes)
    case .metadata: _ = try? IdentityProviderMetadata.parse(bytes)
    }
    return 0
}

/// The filter grammar: parse, validate against the User schema, evaluate on a user.
func fuzzFilter(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let filter = try? FilterParser.parse(text) else { return }
    if (try? FilterValidator.validate(filter, for: CoreSchemas.userResource)) != nil {
        _ = FilterEvaluator(resource: CoreSchemas.userResource).matches(filter, sampleUser)
    }
}

/// PATCH: the first byte picks the path parser alone or a whole body through the engine.
func fuzzPatch(_ bytes: [UInt8]) {
    guard let mode = bytes.first else { return }
    let rest = bytes.dropFirst()
    if mode & 1 == 0 {
        _ = try? FilterParser.parsePatchPath(String(decoding: rest, as: UTF8.self))
        return
    }
    guard let body = try? SCIMJSON.parseObject(rest), let request = try? PatchRequest.parse(body) else { return }
    _ = try? PatchEngine(resource: CoreSchemas.userResource).apply(request.operations, to: sampleUser)
}

/// The client-quirk normaliser in front of the strict parser and the engine, as a provider's PATCH takes it.
func fuzzQuirks(_ bytes: [UInt8]) {
    guard let body = try? SCIMJSON.parseObject(bytes) else { return }
    let resource = bytes.count % 2 == 0 ? CoreSchemas.userResource : CoreSchemas.groupResource
    let normalized = ClientQuirks.normalize(body, resource: resource, resourceId: "u1", current: sampleUser)
    guard let request = try? PatchRequest.parse(normalized) else { return }
    _ = try? MembershipPatch.split(request.operations)
    _ = try? PatchEngine(resource: resource).apply(request.operations, to: sampleUser)
}

/// SCIM JSON bodies: strict parsing, and what parses must encode and parse back to the same value.
func fuzzJSON(_ bytes: [UInt8]) {
    guard let object = try? SCIMJSON.parseObject(bytes) else { return }
    guard let encoded = try? SCIMJSON.encode(SCIMValue.object(object)) else { fatalError("a parsed body does not encode") }
    guard let again = try? SCIMJSON.parseObject(encoded) else { fatalError("an encoded body does not parse") }
    // One round may normalize (number forms, escapes); after it, encoding is stable.
    guard let reencoded = try? SCIMJSON.encode(SCIMValue.object(again)), reencoded == encoded else {
        fatalError("a body changed in an encode-parse round trip")
    }
    if let resource = (object["schemas"].flatMap { _ in CoreSchemas.userResource }) {
        for (name, value) in object {
            if let definition = resource.core.attribute(named: name) {
                _ = try? ValueChecker.check(value, against: definition, path: name)
            }
        }
    }
}

/// SAML Responses as the ACS takes them (the bytes are the decoded XML), against the fixed keys.
/// `ROSTER_FUZZ_EXPLAIN=1` prints what the SAML targets made of each input (to check that seeds reach the end).
let explain = ProcessInfo.processInfo.environment["ROSTER_FUZZ_EXPLAIN"] != nil

func fuzzSAMLResponse(_ bytes: [UInt8]) {
    let result = Result { () throws(SAMLFailure) in try ResponseValidator.validate(
        xml: bytes,
        serviceProvider: ServiceProviderSettings(
            entityID: "https://roster.fuzz/saml/d1/metadata", assertionConsumerServiceURL: "https://roster.fuzz/saml/d1/acs",
            decryptionKeys: [keys.spKey]
        ),
        identityProvider: IdentityProviderSettings(entityID: "https://idp.fuzz/metadata", certificates: [keys.idpCertificate]),
        now: fixedNow
    ) }
    if explain { print("saml-response: \(result)") }
}

/// Single-logout messages, POST binding (the bytes are the XML) or Redirect (the bytes are the raw query).
func fuzzSAMLLogout(_ bytes: [UInt8]) {
    guard let mode = bytes.first else { return }
    let rest = Array(bytes.dropFirst())
    let idp = IdentityProviderSettings(entityID: "https://idp.fuzz/metadata", certificates: [keys.idpCertificate])
    let binding: LogoutBinding = mode & 1 == 0
        ? .post(base64: Data(rest).base64EncodedString())
        : .redirect(rawQuery: String(decoding: rest, as: UTF8.self))
    let check: LogoutValidator.RedirectSignatureCheck = { _, _, signature, _ in signature.first == 0x52 }
    if mode & 2 == 0 {
        let result = Result { () throws(SAMLFailure) in
            try LogoutValidator.validateRequest(binding, identityProvider: idp, destination: "https://roster.fuzz/saml/d1/slo", now: fixedNow, redirectCheck: check)
        }
        if explain { print("saml-logout request: \(result)") }
    } else {
        let result = Result { () throws(SAMLFailure) in
            try LogoutValidator.validateResponse(binding, identityProvider: idp, destination: "https://roster.fuzz/saml/d1/slo", now: fixedNow, redirectCheck: check)
        }
        if explain { print("saml-logout response: \(result)") }
    }
}

/// The Redirect binding's decoder: the first byte picks base64 text as it arrives, or raw DEFLATE data.
func fuzzRedirect(_ bytes: [UInt8]) {
    guard let mode = bytes.first else { return }
    let rest = bytes.dropFirst()
    if mode & 1 == 0 {
        _ = RedirectBinding.decode(String(decoding: rest, as: UTF8.self))
        _ = AuthnRequest.decodeRedirect(String(decoding: rest, as: UTF8.self))
    } else {
        _ = RedirectBinding.decode(Data(rest).base64EncodedString())
    }
}
