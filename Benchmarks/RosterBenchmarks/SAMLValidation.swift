import ArgumentParser
import Foundation
import RosterTestSupport
import SAML

/// `roster-bench saml`: verified SAML responses per second at the ACS validation layer, on one core. It writes
/// the responses it measures (and the settings) to a folder, so a baseline (python3-saml) validates the very same
/// bytes in the same run.
struct SAMLValidation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saml",
        abstract: "Measure ResponseValidator throughput (one thread) and write the responses for a baseline."
    )

    @Option(name: .long, help: "Folder to write settings.json and responses/ into.") var work: String
    @Option(name: .long, help: "Distinct signed responses.") var count = 200
    @Option(name: .long, help: "Seconds to validate for (at least one full pass).") var seconds = 5.0
    @Flag(name: .long, help: "Also measure encrypted (and signed) assertions.") var encrypted = false

    func run() async throws {
        let idp = try TestIdentity.make(name: "bench-idp")
        let sp = try TestIdentity.make(name: "bench-sp")
        let acs = "http://127.0.0.1:8080/saml/d1/acs"
        let spEntity = "http://127.0.0.1:8080/saml/d1/metadata"
        let folder = URL(fileURLWithPath: work)
        let responses = folder.appendingPathComponent("responses")
        try FileManager.default.createDirectory(at: responses, withIntermediateDirectories: true)
        let settings: [String: String] = [
            "spEntityId": spEntity, "acsUrl": acs, "idpEntityId": ResponseFactory.idpEntity, "idpCertificatePem": idp.certificatePEM,
        ]
        try JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys]).write(to: folder.appendingPathComponent("settings.json"))

        let now = Date()
        var plain: [String] = []
        var sealed: [String] = []
        for index in 0..<count {
            var factory = ResponseFactory()
            factory.destination = acs
            factory.recipient = acs
            factory.audience = spEntity
            factory.assertionID = "_bench\(index)"
            factory.inResponseTo = index.isMultiple(of: 2) ? nil : "_req1"
            factory.nameID = "user\(index)@example.com"
            factory.notBefore = now.addingTimeInterval(-60)
            factory.notOnOrAfter = now.addingTimeInterval(1800)
            let signed = try idp.sign(factory.xml(), id: factory.assertionID)
            let encoded = Data(signed.utf8).base64EncodedString()
            plain.append(encoded)
            try encoded.write(to: responses.appendingPathComponent(String(format: "%06d.b64", index)), atomically: true, encoding: .utf8)
            if encrypted {
                sealed.append(Data(try TestIdentity.encryptAssertion(signed, for: sp.certificatePEM).utf8).base64EncodedString())
            }
        }
        let spSettings = ServiceProviderSettings(entityID: spEntity, assertionConsumerServiceURL: acs, decryptionKeys: [sp.privateKeyPEM])
        let idpSettings = IdentityProviderSettings(entityID: ResponseFactory.idpEntity, certificates: [idp.certificatePEM])
        var results: [String: Any] = ["validator": "Roster ResponseValidator (xmlsec \(XMLSecurity.version))", "responses": count]
        results["signed"] = try measure(plain, spSettings, idpSettings)
        if encrypted { results["encrypted"] = try measure(sealed, spSettings, idpSettings) }
        let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    private func measure(_ responses: [String], _ sp: ServiceProviderSettings, _ idp: IdentityProviderSettings) throws -> [String: Any] {
        let start = Date()
        var validated = 0
        var failures = 0
        var names = 0
        repeat {
            for response in responses {
                do {
                    let assertion = try ResponseValidator.validate(base64: response, serviceProvider: sp, identityProvider: idp, now: Date())
                    names &+= assertion.nameID.utf8.count
                    validated += 1
                } catch {
                    failures += 1
                    FileHandle.standardError.write(Data("validation failed: \(error)\n".utf8))
                    if failures > 10 { throw ExitCode.failure }
                }
            }
        } while Date().timeIntervalSince(start) < seconds
        let elapsed = Date().timeIntervalSince(start)
        return ["validated": validated, "seconds": (elapsed * 1000).rounded() / 1000, "perSecond": (Double(validated) / elapsed).rounded(),
                "failures": failures, "nameBytes": names]
    }
}
