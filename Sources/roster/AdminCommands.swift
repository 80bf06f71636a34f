import ArgumentParser
import Directory
import Foundation
import SAML

/// `roster org create`.
struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org", abstract: "Manage organizations.", subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an organization (with its local directory).",
            discussion: "Prints the organization id; with --json: {\"id\": ..., \"localDirectoryId\": ...}."
        )

        @Option(name: .long, help: "The organization's name.") var name: String
        @Option(name: .long, help: "The plan: free or guard (identity providers need guard).") var plan: Organization.Plan = .free
        @Option(name: .long, help: "The user-management experience: centralized or original.")
        var userManagement: Organization.UserManagement = .centralized
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (organization, local) = try await CLI.withService(database) { service in
                let organization = try await service.createOrganization(
                    name: name, plan: plan, userManagement: userManagement, caller: .operatorCLI
                )
                let local = try await service.directories(organizationId: organization.id, caller: .operatorCLI)
                    .first { $0.kind == .local }
                return (organization, local)
            }
            if output.json {
                try CLI.printJSON(["id": .string(organization.id), "localDirectoryId": local.map { .string($0.id) } ?? .null])
            } else {
                print("Created organization \(organization.name) (\(organization.plan.rawValue) plan, \(organization.userManagement.rawValue) user management).")
                print("id: \(organization.id)")
                if let local { print("local directory id: \(local.id)") }
            }
        }
    }
}

/// `roster site add`.
struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "site", abstract: "Manage product sites.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a product site to an organization.", discussion: "With --json: {\"id\": ...}."
        )

        @Option(name: .long, help: "The organization id.") var org: String
        @Option(name: .long, help: "The site name, a DNS label such as acme.") var name: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let site = try await CLI.withService(database) { service in
                try await service.addSite(organizationId: org, name: name, caller: .operatorCLI)
            }
            if output.json {
                try CLI.printJSON(["id": .string(site.id), "name": .string(site.name)])
            } else {
                print("Added site \(site.name).")
                print("id: \(site.id)")
            }
        }
    }
}

/// `roster product add`.
struct ProductCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "product", abstract: "Manage products on sites.", subcommands: [Add.self, Token.self]
    )

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue an API token that reads who may use one product (printed once).",
            discussion: "With --json: {\"id\": ..., \"productId\": ..., \"token\": ...}."
        )

        @Option(name: .long, help: "The site id.") var site: String
        @Option(name: .long, help: "The product id (from `roster product add`).") var product: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let issued = try await CLI.withService(database) { service in
                try await service.issueProductToken(siteId: site, productId: product, caller: .operatorCLI)
            }
            if output.json {
                try CLI.printJSON(["id": .string(issued.token.id), "productId": .string(product), "token": .string(issued.value)])
            } else {
                print("Product API token (shown once; send it as Authorization: Bearer):")
                print(issued.value)
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a product to a site.", discussion: "With --json: {\"id\": ...}."
        )

        @Option(name: .long, help: "The site id.") var site: String
        @Option(name: .long, help: "jira-software, jira-service-management or confluence.") var product: ProductKind
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let instance = try await CLI.withService(database) { service in
                try await service.addProduct(siteId: site, product: product, caller: .operatorCLI)
            }
            if output.json {
                try CLI.printJSON(["id": .string(instance.id), "product": .string(instance.product.rawValue)])
            } else {
                print("Added \(instance.product.displayName) to the site.")
                print("id: \(instance.id)")
            }
        }
    }
}

/// `roster admin create`.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "admin", abstract: "Manage admins.", subcommands: [Create.self, Token.self, Bind.self])

    struct Bind: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bind the account an admin signs in to the admin console with (its primary email must be the admin's).",
            discussion: "The console opens only for the bound account, never for another account with the same email. With --json: {\"id\", \"userId\"}."
        )

        @Option(name: .long, help: "The admin id.") var admin: String
        @Option(name: .long, help: "The user id of the admin's account (local, or provisioned by the organization's identity provider).") var user: String
        @Flag(name: .long, help: "Read a new password (12+ characters) for the account from standard input; without it the account is left with no local password (binding always resets it).")
        var passwordStdin = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (adminId, userId) = (admin, user)
            let password = passwordStdin ? readLine(strippingNewline: true) ?? "" : nil
            if let password, password.count < 12 { throw ValidationError("The password needs at least 12 characters.") }
            let bound = try await CLI.withService(database) { service in
                try await service.bindAdminAccount(adminId: adminId, userId: userId, password: password, caller: .operatorCLI)
            }
            if output.json {
                try CLI.printJSON(["id": .string(bound.id), "userId": .string(userId)])
            } else {
                print("Bound admin \(bound.email) to account \(userId).")
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue another admin API token for an existing admin (a lost token, or rotation).",
            discussion: "The token is shown once and stored hashed. With --json: {\"id\": ..., \"token\": ...}."
        )

        @Option(name: .long, help: "The admin id.") var admin: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let issued = try await CLI.withService(database) { service in
                try await service.issueAdminToken(adminId: admin, caller: .operatorCLI)
            }
            if output.json {
                try CLI.printJSON(["id": .string(issued.admin.id), "token": .string(issued.value)])
            } else {
                print("New admin API token for \(issued.admin.email) (shown once, keep it safe): \(issued.value)")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an admin and print a one-time admin API token.",
            discussion: "The token is shown once and stored hashed. With --json: {\"id\": ..., \"token\": ...}."
        )

        @Option(name: .long, help: "The organization id.") var org: String
        @Option(name: .long, help: "The admin's email.") var email: String
        @Option(name: .long, help: "org-admin, site-admin or user-access-admin.") var role: AdminRole.Kind = .orgAdmin
        @Option(name: .long, help: "The site id, for site-admin (required) or a site's user-access-admin.") var site: String?
        @Flag(name: .long, help: "Read a password (12+ characters) from standard input and give the admin a local account with it, to sign in to the admin console at /admin.")
        var passwordStdin = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if role == .siteAdmin, site == nil { throw ValidationError("--role site-admin needs --site SITE.") }
            if role == .orgAdmin, site != nil { throw ValidationError("--role org-admin applies to the whole organization; drop --site.") }
        }

        func run() async throws {
            let password = passwordStdin ? readLine(strippingNewline: true) ?? "" : nil
            if let password, password.count < 12 { throw ValidationError("The password needs at least 12 characters.") }
            let issued = try await CLI.withService(database) { service in
                try await service.createAdmin(
                    organizationId: org, email: email, roles: [AdminRole(kind: role, siteId: site)], password: password, caller: .operatorCLI
                )
            }
            if output.json {
                try CLI.printJSON(["id": .string(issued.admin.id), "token": .string(issued.value)])
            } else {
                print("Created \(role.rawValue) \(issued.admin.email).")
                print("id: \(issued.admin.id)")
                print("admin API token (shown once, keep it safe): \(issued.value)")
            }
        }
    }
}

/// `roster directory create` and `roster directory key rotate`.
struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "Manage identity provider directories.", subcommands: [Create.self, Key.self, SAMLSettings.self]
    )

    struct SAMLSettings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "saml",
            abstract: "Set a directory's SAML single sign-on: from the IdP's metadata, or field by field.",
            discussion: """
                Prints Roster's SP entity ID and ACS URL to enter at the identity provider. With --json:                 {"id": ..., "spEntityId": ..., "acsUrl": ..., "idpEntityId": ...}.
                """
        )

        @Option(name: .long, help: "The directory id.") var directory: String
        @Option(name: .long, help: "The IdP's SAML metadata XML file.") var idpMetadata: String?
        @Option(name: .long, help: "The IdP's entity ID (without --idp-metadata).") var idpEntityId: String?
        @Option(name: .long, help: "The IdP's SSO URL (without --idp-metadata).") var idpSsoUrl: String?
        @Option(name: .long, help: "A PEM file with the IdP's signing certificate (without --idp-metadata).") var idpCertificate: String?
        @Flag(name: .long, help: "Accept IdP-initiated sign-in (off by default).") var allowIdpInitiated = false
        @Flag(name: .long, help: "Accept SHA-1 signatures (off by default; only for IdPs that cannot do better).") var allowSha1 = false
        @Option(name: .long, help: "The IdP's single logout URL (HTTP-Redirect), when not in --idp-metadata.") var idpSloUrl: String?
        @Flag(name: .long, help: "Sign AuthnRequests and LogoutRequests with the directory's SP key.") var signRequests = false
        @Option(name: .long, help: "Roster's public base URL. Default: ROSTER_BASE_URL, else http://127.0.0.1:8080.") var baseURL: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if idpMetadata == nil, idpEntityId == nil || idpSsoUrl == nil || idpCertificate == nil {
                throw ValidationError("Give --idp-metadata FILE, or --idp-entity-id, --idp-sso-url and --idp-certificate FILE.")
            }
        }

        func run() async throws {
            let entityID: String
            let ssoURL: String
            let certificates: [String]
            var sloURL = idpSloUrl
            var binding = SingleSignOnBinding.redirect
            do {
                if let idpMetadata {
                    let metadata = try IdentityProviderMetadata.parse(Array(try Data(contentsOf: URL(fileURLWithPath: idpMetadata))))
                    (entityID, ssoURL, certificates) = (metadata.entityID, metadata.singleSignOnURL, metadata.signingCertificates)
                    sloURL = sloURL ?? metadata.singleLogoutURL
                    binding = SingleSignOnBinding(rawValue: metadata.singleSignOnBinding) ?? .redirect
                } else {
                    let pem = try String(contentsOfFile: idpCertificate ?? "", encoding: .utf8)
                    guard pem.contains("-----BEGIN CERTIFICATE-----") else { throw ValidationError("--idp-certificate must be a PEM certificate file.") }
                    (entityID, ssoURL, certificates) = (idpEntityId ?? "", idpSsoUrl ?? "", [pem])
                }
            } catch let error as IdentityProviderMetadata.ImportError {
                throw ValidationError(error.message)
            } catch let error as ValidationError {
                throw error
            } catch {
                throw ValidationError("Could not read the file: \(error.localizedDescription)")
            }
            let logoutURL = sloURL
            let ssoBinding = binding
            let (connection, identity) = try await CLI.withService(database, baseURL: baseURL) { service in
                let connection = try await service.configureSAML(
                    directoryId: directory, identityProviderEntityID: entityID, singleSignOnURL: ssoURL, certificates: certificates,
                    allowSHA1: allowSha1, allowIdPInitiated: allowIdpInitiated, singleLogoutURL: logoutURL, signAuthnRequests: signRequests, singleSignOnBinding: ssoBinding,
                    caller: .operatorCLI
                )
                return (connection, ServiceProviderIdentity(baseURL: service.configuration.baseURL, directoryId: directory))
            }
            if output.json {
                try CLI.printJSON([
                    "id": .string(directory), "spEntityId": .string(identity.entityID), "acsUrl": .string(identity.assertionConsumerServiceURL),
                    "idpEntityId": .string(connection.identityProviderEntityID),
                ])
            } else {
                print("Single sign-on set for directory \(directory) with \(connection.identityProviderEntityID).")
                print("At the identity provider, enter:")
                print("  SP entity ID (audience): \(identity.entityID)")
                print("  ACS URL (HTTP-POST):     \(identity.assertionConsumerServiceURL)")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect an identity provider: create its directory and a first SCIM API key.",
            discussion: """
                Identity provider directories need the guard plan. With --portal-site the directory holds the portal-only \
                customers of that Jira Service Management site. AD FS and other-saml are SSO only and get no API key. \
                With --json: {"id": ..., "scimBaseUrl": ..., "apiKey": ...}; the key is shown once.
                """
        )

        @Option(name: .long, help: "The organization id.") var org: String
        @Option(name: .long, help: "The directory name admins will see.") var name: String
        @Option(name: .long, help: "okta, entra-id, google-workspace, onelogin, jumpcloud, ping, auth0, cyberark, adfs or other-saml.")
        var idp: IdentityProviderType
        @Option(name: .long, help: "A Jira Service Management site id: connect the IdP for that site's portal-only customers.")
        var portalSite: String?
        @Option(name: .long, help: "Roster's public base URL for the SCIM URL. Default: ROSTER_BASE_URL, else http://127.0.0.1:8080.")
        var baseURL: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let created = try await CLI.withService(database, baseURL: baseURL) { service in
                try await service.createDirectory(
                    organizationId: org, name: name, identityProvider: idp, portalSiteId: portalSite, caller: .operatorCLI
                )
            }
            if output.json {
                // Keys appear where they exist: an SSO-only provider has no SCIM URL or key.
                var object: [String: JSONValue] = ["id": .string(created.directory.id)]
                object["scimBaseUrl"] = created.scimBaseURL.map(JSONValue.string)
                object["apiKey"] = created.apiKey.map(JSONValue.string)
                try CLI.printJSON(object)
            } else {
                print("Connected \(idp.displayName) as directory \(created.directory.name).")
                print("id: \(created.directory.id)")
                if let url = created.scimBaseURL, let key = created.apiKey {
                    print("SCIM base URL: \(url)")
                    print("API key (shown once, keep it safe): \(key)")
                } else {
                    print("\(idp.displayName) is SSO only: no SCIM provisioning, so no API key.")
                }
            }
        }
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Manage a directory's SCIM API keys.", subcommands: [Rotate.self])

        struct Rotate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Issue a new SCIM API key and retire the current ones.",
                discussion: "Old keys stop at once unless --overlap gives them seconds of grace. With --json: {\"id\": ..., \"apiKey\": ..., \"scimBaseUrl\": ...}."
            )

            @Option(name: .long, help: "The directory id.") var directory: String
            @Option(name: .long, help: "Seconds the old keys keep working (default 0, at most 30 days).") var overlap: Double = 0
            @Option(name: .long, help: "Roster's public base URL for the SCIM URL.") var baseURL: String?
            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let (issued, url) = try await CLI.withService(database, baseURL: baseURL) { service in
                    (try await service.rotateApiKey(directoryId: directory, overlap: overlap, caller: .operatorCLI),
                     service.scimBaseURL(directoryId: directory))
                }
                if output.json {
                    try CLI.printJSON(["id": .string(issued.key.id), "apiKey": .string(issued.token), "scimBaseUrl": .string(url)])
                } else {
                    print("New API key \(issued.key.id) for directory \(directory).")
                    print("API key (shown once, keep it safe): \(issued.token)")
                }
            }
        }
    }
}

/// `roster access grant|revoke`: a group's role on a product.
struct AccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access", abstract: "Grant or revoke a group's access to a product.", subcommands: [Grant.self, Revoke.self]
    )

    struct Target: ParsableArguments {
        @Option(name: .long, help: "The group id.") var group: String
        @Option(name: .long, help: "The site id.") var site: String
        @Option(name: .long, help: "The product id.") var product: String
        @Option(name: .long, help: "user or admin.") var role: ProductRole = .user
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a group's members (nested groups included) a role on a product.",
            discussion: "With --json: {\"id\": ...} (the grant)."
        )
        @OptionGroup var target: Target
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let grant = try await CLI.withService(database) { service in
                try await service.grantAccess(site: target.site, product: target.product, group: target.group, role: target.role, caller: .operatorCLI)
            }
            if output.json {
                try CLI.printJSON(["id": .string(grant.id), "role": .string(grant.role.rawValue)])
            } else {
                print("Granted \(grant.role.rawValue) on product \(grant.productId) to group \(target.group).")
                print("id: \(grant.id)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a group's role on a product.", discussion: "With --json: {\"id\": ...} (the removed grant)."
        )
        @OptionGroup var target: Target
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let grant = try await CLI.withService(database) { service in
                try await service.revokeAccess(site: target.site, product: target.product, group: target.group, role: target.role, caller: .operatorCLI)
            }
            if output.json {
                try CLI.printJSON(["id": .string(grant.id)])
            } else {
                print("Revoked \(grant.role.rawValue) on product \(grant.productId) from group \(target.group).")
            }
        }
    }
}
