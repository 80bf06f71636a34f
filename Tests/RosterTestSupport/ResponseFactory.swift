import Foundation
import SAML

/// Responses made and signed by the tests, then attacked.
public struct ResponseFactory: Sendable {
    public static let acs = "https://roster.test/saml/d1/acs"
    public static let spEntity = "https://roster.test/saml/d1/metadata"
    public static let idpEntity = "https://idp.example/metadata"
    public static let now = Date(timeIntervalSince1970: 1_800_000_000)

    public var destination: String? = acs
    public var recipient = acs
    public var audience = spEntity
    public var issuer = idpEntity
    public var nameID = "alice@example.com"
    public var inResponseTo: String? = "_req1"
    public var notBefore = now.addingTimeInterval(-30)
    public var notOnOrAfter = now.addingTimeInterval(300)
    public var status = "urn:oasis:names:tc:SAML:2.0:status:Success"
    public var extensions = ""
    public var assertionID = "_a1"

    public init() {}

    /// xsd:dateTime in UTC, as IdPs write it.
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    public func xml() -> String {
        let t = { Self.format($0) }
        return """
            <samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="_r1" Version="2.0" IssueInstant="\(t(Self.now))"\(destination.map { " Destination=\"\($0)\"" } ?? "")\
            \(inResponseTo.map { " InResponseTo=\"\($0)\"" } ?? "")><saml:Issuer>\(issuer)</saml:Issuer>\(extensions)\
            <samlp:Status><samlp:StatusCode Value="\(status)"/></samlp:Status>\
            <saml:Assertion ID="\(assertionID)" Version="2.0" IssueInstant="\(t(Self.now))"><saml:Issuer>\(issuer)</saml:Issuer>\
            <saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">\(nameID)</saml:NameID>\
            <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData \
            NotOnOrAfter="\(t(notOnOrAfter))" Recipient="\(recipient)"\(inResponseTo.map { " InResponseTo=\"\($0)\"" } ?? "")/>\
            </saml:SubjectConfirmation></saml:Subject>\
            <saml:Conditions NotBefore="\(t(notBefore))" NotOnOrAfter="\(t(notOnOrAfter))"><saml:AudienceRestriction>\
            <saml:Audience>\(audience)</saml:Audience></saml:AudienceRestriction></saml:Conditions>\
            <saml:AuthnStatement AuthnInstant="\(t(Self.now))" SessionIndex="_s1"><saml:AuthnContext><saml:AuthnContextClassRef>\
            urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>\
            <saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>\(nameID)</saml:AttributeValue></saml:Attribute>\
            <saml:Attribute Name="groups"><saml:AttributeValue>eng</saml:AttributeValue><saml:AttributeValue>ops</saml:AttributeValue></saml:Attribute>\
            </saml:AttributeStatement></saml:Assertion></samlp:Response>
            """
    }
}

