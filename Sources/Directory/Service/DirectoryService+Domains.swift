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
                let token = SecretToken.hex(environment.randomBytes(12))
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

    /// How a claimed domain is proven.
    public enum DomainVerificationMethod: String, Sendable, Codable {
        /// A TXT record `roster-verification=TOKEN` at the domain.
        case dns
        /// The file `/.well-known/roster-verification.txt` at `https://DOMAIN` holding `roster-verification=TOKEN`.
        case https
    }

    /// Checks a claimed domain's proof and marks it verified; refused, with what was found, when the record or file
    /// is missing, holds another token, or cannot be reached. A domain another organization verified stays theirs.
    /// Every attempt is audited.
    public func verifyDomain(
        id: String, method: DomainVerificationMethod, probe: any DomainProbe, caller: Caller
    ) async throws -> Domain {
        let domain = try await store.read { reader in
            guard let domain = try await reader.domain(id: id) else { throw DirectoryError(.notFound, "No domain with id \(id.prefix(100)).") }
            try caller.require(.manageDirectories, in: try await requireOrganization(reader, domain.organizationId))
            return domain
        }
        let expected = "roster-verification=\(domain.verificationToken)"
        var refusal: String?
        do {
            switch method {
            case .dns:
                let records = try await probe.txtRecords(name: domain.name)
                if records.contains(expected) {
                    refusal = nil
                } else if records.isEmpty {
                    refusal = "\(domain.name) has no TXT records; add one with the value \(expected)."
                } else if records.contains(where: { $0.hasPrefix("roster-verification=") }) {
                    refusal = "The TXT record at \(domain.name) holds another verification token; its value must be \(expected)."
                } else {
                    refusal = "No TXT record at \(domain.name) has the value \(expected)."
                }
            case .https:
                let body = try await probe.wellKnownFile(domain: domain.name)
                refusal = body.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.contains(expected)
                    ? nil : "The file /.well-known/roster-verification.txt at \(domain.name) does not hold \(expected)."
            }
        } catch {
            refusal = (error as? DomainProbeFailure)?.message ?? "The check could not be made (\(error))."
        }
        if let refusal {
            try await store.write { tx in
                try await record(
                    tx, organizationId: domain.organizationId, caller: caller, action: "domain.verification_failed", targetType: "domain",
                    targetId: id, detail: refusal, payload: ["method": .string(method.rawValue)]
                )
            }
            throw DirectoryError(.invalidInput, refusal)
        }
        return try await store.write { tx in
            guard var current = try await tx.domain(id: id) else { throw DirectoryError(.notFound, "No domain with id \(id.prefix(100)).") }
            if let holder = try await tx.verifiedDomain(name: current.name), holder.organizationId != current.organizationId {
                throw DirectoryError(.alreadyExists, "\(current.name) is verified by another organization.")
            }
            guard current.verifiedAt == nil else { return current }
            current.verifiedAt = environment.now()
            try await tx.update(current)
            try await record(
                tx, organizationId: current.organizationId, caller: caller, action: "domain.verified", targetType: "domain", targetId: id,
                payload: ["name": .string(current.name), "method": .string(method.rawValue)]
            )
            // Accounts of the organization whose primary email is in the domain become managed accounts.
            var managed = 0
            for var user in try await tx.users(organizationId: current.organizationId, emailDomain: current.name) where !user.managed {
                guard Validation.emailDomain(user.primaryEmail ?? "") == current.name else { continue }
                user.managed = true
                user.version += 1
                user.lastModified = environment.now()
                try await tx.update(user)
                managed += 1
            }
            if managed > 0 {
                try await record(
                    tx, organizationId: current.organizationId, caller: caller, action: "domain.accounts_managed", targetType: "domain",
                    targetId: id, payload: ["accounts": .integer(Int64(managed))]
                )
            }
            return current
        }
    }

    /// Links a verified domain to one identity provider directory (sign-ins of its emails go there), or unlinks it.
    public func linkDomain(id: String, directoryId: String?, caller: Caller) async throws -> Domain {
        try await store.write { tx in
            guard var domain = try await tx.domain(id: id) else { throw DirectoryError(.notFound, "No domain with id \(id.prefix(100)).") }
            try caller.require(.manageDirectories, in: try await requireOrganization(tx, domain.organizationId))
            if let directoryId {
                guard domain.isVerified else { throw DirectoryError(.invalidInput, "Verify \(domain.name) before linking it to a directory.") }
                let directory = try await requireDirectory(tx, directoryId)
                guard directory.organizationId == domain.organizationId else { throw DirectoryError(.notFound, "No directory with id \(directoryId).") }
                guard directory.kind == .identityProvider else {
                    throw DirectoryError(.invalidInput, "A domain links to an identity provider directory of members.")
                }
            }
            domain.directoryId = directoryId
            try await tx.update(domain)
            try await record(
                tx, organizationId: domain.organizationId, caller: caller, action: directoryId == nil ? "domain.unlinked" : "domain.linked",
                targetType: "domain", targetId: id, payload: ["directoryId": directoryId.map { .string($0) } ?? .null]
            )
            return domain
        }
    }
}

/// Reaches the outside world for domain verification (DNS and HTTPS), so the rules stay testable. Failures to reach
/// a server are `DomainProbeFailure`s.
public protocol DomainProbe: Sendable {
    /// The TXT records at `name` (each record's strings joined); empty when there are none.
    func txtRecords(name: String) async throws -> [String]
    /// The body of `/.well-known/roster-verification.txt` at the domain.
    func wellKnownFile(domain: String) async throws -> String
}

/// Why a probe could not answer (the DNS server or web server is unreachable, answers an error...).
public struct DomainProbeFailure: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
