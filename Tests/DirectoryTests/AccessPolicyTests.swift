import Directory
import Foundation
import Testing

@Suite("Access policy of the two experiences")
struct AccessPolicyTests {
    static func organization(_ experience: Organization.UserManagement) -> Organization {
        Organization(id: "o", name: "Acme", userManagement: experience, plan: .guard, created: Date(timeIntervalSince1970: 0))
    }

    @Test("an org admin may do everything in both experiences", arguments: Organization.UserManagement.allCases)
    func orgAdmin(experience: Organization.UserManagement) {
        let permissions: [AdminPermission] = [
            .viewOrganization, .manageOrganization, .manageSites, .manageSite("a"), .manageDirectories,
            .manageDirectoryUsers, .manageSiteUsers("a"), .manageAccess("b"),
        ]
        for permission in permissions {
            #expect(AccessPolicy.allows([.orgAdmin], permission, in: Self.organization(experience)))
        }
    }

    @Test("original: a site admin of A manages A's users and access, never B's")
    func originalSiteAdmin() {
        let roles = [AdminRole(kind: .siteAdmin, siteId: "a")]
        let org = Self.organization(.original)
        #expect(AccessPolicy.allows(roles, .manageSiteUsers("a"), in: org))
        #expect(AccessPolicy.allows(roles, .manageAccess("a"), in: org))
        #expect(AccessPolicy.allows(roles, .manageSite("a"), in: org))
        #expect(!AccessPolicy.allows(roles, .manageSiteUsers("b"), in: org))
        #expect(!AccessPolicy.allows(roles, .manageAccess("b"), in: org))
        #expect(!AccessPolicy.allows(roles, .manageSite("b"), in: org))
        #expect(!AccessPolicy.allows(roles, .manageDirectories, in: org))
        #expect(!AccessPolicy.allows(roles, .manageDirectoryUsers, in: org))
        #expect(!AccessPolicy.allows(roles, .manageOrganization, in: org))
    }

    @Test("centralized: the Directory belongs to org admins and user access admins")
    func centralized() {
        let org = Self.organization(.centralized)
        let siteAdmin = [AdminRole(kind: .siteAdmin, siteId: "a")]
        #expect(!AccessPolicy.allows(siteAdmin, .manageDirectoryUsers, in: org))
        #expect(!AccessPolicy.allows(siteAdmin, .manageSiteUsers("a"), in: org))
        #expect(AccessPolicy.allows(siteAdmin, .manageSite("a"), in: org))
        let accessAdmin = [AdminRole(kind: .userAccessAdmin)]
        #expect(AccessPolicy.allows(accessAdmin, .manageDirectoryUsers, in: org))
        #expect(AccessPolicy.allows(accessAdmin, .manageAccess("z"), in: org))
        #expect(!AccessPolicy.allows(accessAdmin, .manageDirectories, in: org))
        #expect(!AccessPolicy.allows([], .viewOrganization, in: org))
    }
}

@Suite("Secret tokens")
struct SecretTokenTests {
    @Test("tokens carry their kind, parse back, and match only their own hash")
    func roundTrip() throws {
        let token = SecretToken.generate(.scimKey, environment: .live)
        #expect(token.value.hasPrefix("rsk_\(token.prefix)_"))
        let parsed = try #require(SecretToken.parse(token.value, as: .scimKey))
        #expect(parsed.prefix == token.prefix)
        #expect(parsed.matches(storedHash: token.hash))
        #expect(!parsed.matches(storedHash: SecretToken.generate(.scimKey, environment: .live).hash))
        #expect(SecretToken.parse(token.value, as: .adminToken) == nil)
        #expect(SecretToken.parse("rsk_short_x", as: .scimKey) == nil)
        #expect(SecretToken.parse("", as: .scimKey) == nil)
        #expect(token.hash.count == 64)
    }

    @Test("two tokens never collide")
    func unique() {
        let values = Set((0..<200).map { _ in SecretToken.generate(.session, environment: .live).value })
        #expect(values.count == 200)
    }
}
