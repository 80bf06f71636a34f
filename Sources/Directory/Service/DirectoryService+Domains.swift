import Foundation

extension DirectoryService {
    /// Claims a domain for an organization. It is unverified until its DNS record or well-known file is checked.
    public func claimDomain(organizationId: String, name: String, caller: Caller) async throws -> Domain {
        let name = try Validation.domainName(name)
        return try await mapUniqueViolation(DirectoryError(.alreadyExists, "The organization already claimed \(name).")) {
            try await store.write { tx in
                let organization = try await requireOrganization(tx, organizationId)
                try caller.require(.manageDirectories, in: organization)
                if try await tx.domains(organizationId: organizationId).contains(where: { $0.name == name }) {
                    throw DirectoryError(.alreadyExists, "The organization already claimed \(name).")
                }
                let token = environment.randomBytes(12).map { String(format: "%02x", $0) }.joined()
                let domain = Domain(
                    id: environment.newID(), organizationId: organizationId, name: name,
                    verificationToken: token, created: environment.now()
                )
                try await tx.insert(domain)
                try await record(
                    tx, organizationId: organizationId, caller: caller, action: "domain.claimed", targetType: "domain",
                    targetId: domain.id, payload: ["name": .string(name)]
                )
                return domain
            }
        }
    }

    /// The domains an organization claimed.
    public func domains(organizationId: String, caller: Caller) async throws -> [Domain] {
        try await store.read { reader in
            let organization = try await requireOrganization(reader, organizationId)
            try caller.require(.viewOrganization, in: organization)
            return try await reader.domains(organizationId: organizationId)
        }
    }
}
