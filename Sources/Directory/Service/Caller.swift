/// Who is asking the domain to act, and so which rules apply.
public enum Caller: Sendable {
    /// The operator at the `roster` command line: trusted with everything.
    case operatorCLI
    /// An authenticated admin of one organization.
    case admin(AdminAccount)
    /// Roster's own background work.
    case system
    /// An identity provider provisioning over SCIM with one directory's API key.
    case provisioning(ApiKey)
    /// The identity provider's admin, through a one-time setup link: reaches only that directory's setup.
    case setupLink(SetupLink)

    /// The actor recorded in the audit log.
    public var actor: Actor {
        switch self {
        case .operatorCLI: .operatorCLI
        case .admin(let admin): .admin(id: admin.id)
        case .system: .system
        case .provisioning(let key): .apiKey(id: key.id)
        case .setupLink(let link): .setupLink(id: link.id)
        }
    }

    /// Throws `forbidden` unless the caller may do `permission` in `organization`.
    /// An admin of another organization gets `notFound`, so ids of other tenants are not confirmed.
    public func require(_ permission: AdminPermission, in organization: Organization) throws {
        switch self {
        case .operatorCLI, .system:
            return
        case .provisioning:
            // A SCIM key acts only through the provisioning use cases, on its own directory.
            throw DirectoryError(.forbidden, "A SCIM API key cannot do this.")
        case .setupLink:
            throw DirectoryError(.forbidden, "A setup link reaches only the setup of its directory.")
        case .admin(let admin):
            guard admin.organizationId == organization.id else {
                throw DirectoryError(.notFound, "No such organization.")
            }
            guard AccessPolicy.allows(admin.roles, permission, in: organization) else {
                throw DirectoryError(.forbidden, "Your admin role does not allow this (\(permission)).")
            }
        }
    }

    /// Throws unless the caller may set up `directory`: whoever may manage the organization's directories (or, with
    /// `readOnly`, see the organization), or a setup link made for this very directory.
    public func requireManaging(_ directory: Directory, in organization: Organization, readOnly: Bool = false) throws {
        if case .setupLink(let link) = self {
            guard link.directoryId == directory.id, link.organizationId == organization.id else {
                throw DirectoryError(.notFound, "No such directory.")
            }
            return
        }
        try require(readOnly ? .viewOrganization : .manageDirectories, in: organization)
    }
}
