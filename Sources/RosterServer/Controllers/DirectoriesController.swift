import Directory
import Foundation
import Hummingbird

/// `/api/v1/directories/{dir}`: a directory, its SCIM API keys, users and groups.
struct DirectoriesController {
    let service: DirectoryService
    let log: ProvisioningLogWriter

    struct IssuedKeyBody: Encodable, Sendable {
        let apiKey: ApiKeyView
        /// Shown once.
        let token: String
        let scimBaseUrl: String
    }

    /// `PUT /api/v1/directories/{dir}/deprovisioning`: keep accounts the IdP deletes (null) or purge them after N days.
    struct DeprovisioningInput: Decodable {
        var purgeAfterDays: Int?
    }

    struct RelinkInput: Decodable {
        var userId: String
    }

    struct SetupLinkInput: Decodable {
        var expiresInHours: Int?
    }

    struct IssuedSetupLinkBody: Encodable, Sendable {
        let id: String
        let directoryId: String
        /// Holds the link's secret: shown once.
        let url: String
        let expires: Date
        let created: Date
    }

    /// `GET /api/v1/identity-providers`: the catalog the wizard offers.
    struct CatalogBody: Encodable, Sendable {
        struct Provider: Encodable, Sendable {
            let id: String
            let name: String
            let provisioning: Bool
            let singleSignOn: Bool
        }
        let providers: [Provider]
    }

    func addRoutes(to group: RouterGroup<RosterRequestContext>) {
        group.get("directories/:dir") { _, context in
            JSONBody(try await service.directory(id: try context.parameter("dir"), caller: try context.caller()))
        }
        group.delete("directories/:dir") { _, context in
            try await service.removeDirectory(id: try context.parameter("dir"), caller: try context.caller())
            return Response(status: .noContent)
        }
        group.put("directories/:dir/deprovisioning") { request, context in
            let input = try await request.decode(as: DeprovisioningInput.self, context: context)
            return JSONBody(try await service.setPurgePolicy(
                directoryId: try context.parameter("dir"), purgeAfterDays: input.purgeAfterDays, caller: try context.caller()
            ))
        }
        group.get("directories/:dir/api-keys") { _, context in
            JSONBody(ListBody(all: try await service.apiKeys(directoryId: try context.parameter("dir"), caller: try context.caller())
                .map(ApiKeyView.init)))
        }
        group.post("directories/:dir/api-keys") { request, context in
            // An empty body means "no overlap"; anything else must be a valid body (a typo must not revoke a live key).
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            let input = body.readableBytes == 0 ? RotateKeyInput() : try APIRequestDecoder.decode(RotateKeyInput.self, from: body)
            let directoryId = try context.parameter("dir")
            let issued = try await service.rotateApiKey(
                directoryId: directoryId, overlap: input.overlapSeconds ?? 0, caller: try context.caller()
            )
            return JSONBody(
                IssuedKeyBody(apiKey: ApiKeyView(issued.key), token: issued.token,
                              scimBaseUrl: service.scimBaseURL(directoryId: directoryId)),
                status: .created
            )
        }
        group.post("directories/:dir/api-keys/:key/confirmation") { _, context in
            JSONBody(ApiKeyView(try await service.confirmApiKey(
                directoryId: try context.parameter("dir"), keyId: try context.parameter("key"), caller: try context.caller()
            )))
        }
        group.delete("directories/:dir/api-keys/:key") { _, context in
            try await service.revokeApiKey(
                directoryId: try context.parameter("dir"), keyId: try context.parameter("key"), caller: try context.caller()
            )
            return Response(status: .noContent)
        }
        group.get("directories/:dir/provisioning-log") { request, context in
            let page = try request.pageRequest()
            // What this node still has queued belongs in the answer.
            await log.flush()
            return JSONBody(ListBody(
                try await service.provisioningLog(
                    directoryId: try context.parameter("dir"), filter: request.provisioningLogFilter(), page: page, caller: try context.caller()
                ),
                page
            ))
        }
        group.get("directories/:dir/users") { request, context in
            let page = try request.pageRequest()
            return JSONBody(ListBody(
                try await service.users(
                    directoryId: try context.parameter("dir"), search: request.searchText(), page: page, caller: try context.caller()
                ), page
            ))
        }
        group.post("directories/:dir/users") { request, context in
            let input = try await request.decode(as: UserInput.self, context: context)
            return JSONBody(
                try await service.createUser(directoryId: try context.parameter("dir"), draft: try input.draft(), caller: try context.caller()),
                status: .created
            )
        }
        group.get("directories/:dir/status") { _, context in
            let directoryId = try context.parameter("dir")
            await log.flush()
            return JSONBody(DirectoryStatusView(try await service.directoryStatus(id: directoryId, caller: try context.caller())))
        }
        group.get("directories/:dir/setup-links") { _, context in
            JSONBody(ListBody(all: try await service.setupLinks(directoryId: try context.parameter("dir"), caller: try context.caller())))
        }
        group.post("directories/:dir/setup-links") { request, context in
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            let input = body.readableBytes == 0 ? SetupLinkInput() : try APIRequestDecoder.decode(SetupLinkInput.self, from: body)
            if let hours = input.expiresInHours, !(1...168).contains(hours) {
                throw APIError(.badRequest, code: "invalid_input", message: "'expiresInHours' is between 1 and 168.")
            }
            let issued = try await service.createSetupLink(
                directoryId: try context.parameter("dir"), lifetime: input.expiresInHours.map { TimeInterval($0) * 3600 },
                caller: try context.caller()
            )
            return JSONBody(
                IssuedSetupLinkBody(id: issued.link.id, directoryId: issued.link.directoryId, url: issued.url,
                                    expires: issued.link.expires, created: issued.link.created),
                status: .created
            )
        }
        group.delete("setup-links/:link") { _, context in
            try await service.revokeSetupLink(id: try context.parameter("link"), caller: try context.caller())
            return Response(status: .noContent)
        }
        group.get("directories/:dir/unlinked-records") { _, context in
            JSONBody(ListBody(all: try await service.unlinkedRecords(directoryId: try context.parameter("dir"), caller: try context.caller())))
        }
        group.post("directories/:dir/unlinked-records/:record/relink") { request, context in
            let input = try await request.decode(as: RelinkInput.self, context: context)
            return JSONBody(try await service.relink(
                directoryId: try context.parameter("dir"), scimId: try context.parameter("record"), userId: input.userId, caller: try context.caller()
            ))
        }
        group.get("identity-providers") { _, _ in
            JSONBody(CatalogBody(providers: IdentityProviderType.allCases.map {
                .init(id: $0.rawValue, name: $0.displayName, provisioning: $0.supportsProvisioning, singleSignOn: true)
            }))
        }
        group.get("directories/:dir/groups") { request, context in
            let page = try request.pageRequest()
            return JSONBody(ListBody(
                try await service.groups(directoryId: try context.parameter("dir"), search: request.searchText(), page: page, caller: try context.caller()), page
            ))
        }
        group.post("directories/:dir/groups") { request, context in
            let input = try await request.decode(as: GroupInput.self, context: context)
            return JSONBody(
                try await service.createGroup(directoryId: try context.parameter("dir"), displayName: input.displayName, caller: try context.caller()),
                status: .created
            )
        }
    }
}
