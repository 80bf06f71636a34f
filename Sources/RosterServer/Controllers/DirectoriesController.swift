import Directory
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
        group.delete("directories/:dir/api-keys/:key") { _, context in
            try await service.revokeApiKey(
                directoryId: try context.parameter("dir"), keyId: try context.parameter("key"), caller: try context.caller()
            )
            return Response(status: .noContent)
        }
        group.get("directories/:dir/provisioning-log") { request, context in
            let page = try request.pageRequest()
            let failuresOnly = request.uri.queryParameters["failures"].map { $0 == "true" || $0 == "1" } ?? false
            // What this node still has queued belongs in the answer.
            await log.flush()
            return JSONBody(ListBody(
                try await service.provisioningLog(
                    directoryId: try context.parameter("dir"), failuresOnly: failuresOnly, page: page, caller: try context.caller()
                ),
                page
            ))
        }
        group.get("directories/:dir/users") { request, context in
            let page = try request.pageRequest()
            return JSONBody(ListBody(
                try await service.users(directoryId: try context.parameter("dir"), page: page, caller: try context.caller()), page
            ))
        }
        group.post("directories/:dir/users") { request, context in
            let input = try await request.decode(as: UserInput.self, context: context)
            return JSONBody(
                try await service.createUser(directoryId: try context.parameter("dir"), draft: try input.draft(), caller: try context.caller()),
                status: .created
            )
        }
        group.get("directories/:dir/groups") { request, context in
            let page = try request.pageRequest()
            return JSONBody(ListBody(
                try await service.groups(directoryId: try context.parameter("dir"), page: page, caller: try context.caller()), page
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
