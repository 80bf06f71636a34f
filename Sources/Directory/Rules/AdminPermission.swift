/// What an admin may want to do, with the site it concerns where one does.
public enum AdminPermission: Sendable, Hashable {
    /// Read the organization, its sites, products and directories.
    case viewOrganization
    /// Change the plan or experience, add admins, read the audit log.
    case manageOrganization
    /// Add sites to the organization.
    case manageSites
    /// Add products to one site.
    case manageSite(String)
    /// Connect identity providers, manage their keys and domains.
    case manageDirectories
    /// Users and groups of the organization's directories (the centralized experience's Directory).
    case manageDirectoryUsers
    /// Users of one product site (the original experience's site Users page).
    case manageSiteUsers(String)
    /// Product access grants on one site.
    case manageAccess(String)
}

/// The permission rules of the two user-management experiences, in one place.
///
/// - An organization admin may do everything in their organization, in both experiences.
/// - Centralized: users and groups live in the organization's Directory; org admins and user access admins
///   manage them and product access. A site admin only manages the products of their site.
/// - Original: users are managed per site; a site admin (or a site's user access admin) manages the users and
///   product access of that site and nothing on any other site.
public enum AccessPolicy {
    /// Whether an admin holding `roles` in `organization` may do `permission`.
    public static func allows(
        _ roles: [AdminRole], _ permission: AdminPermission, in organization: Organization
    ) -> Bool {
        roles.contains { role in
            allows(role, permission, experience: organization.userManagement)
        }
    }

    private static func allows(
        _ role: AdminRole, _ permission: AdminPermission, experience: Organization.UserManagement
    ) -> Bool {
        func covers(_ siteId: String) -> Bool { role.siteId == nil || role.siteId == siteId }
        switch (role.kind, experience, permission) {
        case (.orgAdmin, _, _), (_, _, .viewOrganization):
            return true
        case (.siteAdmin, _, .manageSite(let siteId)):
            return role.siteId == siteId
        case (.siteAdmin, .original, .manageSiteUsers(let siteId)),
             (.siteAdmin, .original, .manageAccess(let siteId)):
            return role.siteId == siteId
        case (.userAccessAdmin, .centralized, .manageDirectoryUsers):
            return role.siteId == nil
        case (.userAccessAdmin, _, .manageSiteUsers(let siteId)),
             (.userAccessAdmin, _, .manageAccess(let siteId)):
            return covers(siteId)
        default:
            return false
        }
    }
}
