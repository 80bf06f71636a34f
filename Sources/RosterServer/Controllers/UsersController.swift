import Directory
import Hummingbird

/// `/api/v1/users/{user}` and `/api/v1/groups/{group}`.
struct UsersController {
    let service: DirectoryService

    func addRoutes(to group: RouterGroup<RosterRequestContext>) {
        group.get("users/:user") { _, context in
            JSONBody(try await service.user(id: try context.parameter("user"), caller: try context.caller()))
        }
        group.put("users/:user") { request, context in
            let input = try await request.decode(as: UserInput.self, context: context)
            return JSONBody(try await service.replaceUser(
                id: try context.parameter("user"), draft: try input.draft(), caller: try context.caller()
            ))
        }
        group.patch("users/:user") { request, context in
            let input = try await request.decode(as: UserInput.self, context: context)
            let caller = try context.caller()
            let current = try await service.user(id: try context.parameter("user"), caller: caller)
            return JSONBody(try await service.replaceUser(
                id: current.id, draft: input.merged(into: current), acceptedVersions: [current.version], caller: caller
            ))
        }
        group.delete("users/:user") { _, context in
            try await service.deleteUser(id: try context.parameter("user"), caller: try context.caller())
            return Response(status: .noContent)
        }
        group.post("users/:user/unlink") { _, context in
            JSONBody(try await service.unlinkUser(id: try context.parameter("user"), caller: try context.caller()))
        }
        group.get("users/:user/access") { _, context in
            JSONBody(ListBody(all: try await service.effectiveAccess(userId: try context.parameter("user"), caller: try context.caller())))
        }
        group.get("groups/:group") { _, context in
            JSONBody(try await service.group(id: try context.parameter("group"), caller: try context.caller()))
        }
        group.delete("groups/:group") { _, context in
            try await service.deleteGroup(id: try context.parameter("group"), caller: try context.caller())
            return Response(status: .noContent)
        }
        group.get("groups/:group/members") { request, context in
            let page = try request.pageRequest()
            return JSONBody(ListBody(
                try await service.members(groupId: try context.parameter("group"), page: page, caller: try context.caller()), page
            ))
        }
        group.put("groups/:group/members/:member") { request, context in
            let kind = request.uri.queryParameters["kind"].flatMap { Membership.MemberKind(rawValue: String($0)) } ?? .user
            try await service.addMember(
                groupId: try context.parameter("group"), member: kind, memberId: try context.parameter("member"),
                caller: try context.caller()
            )
            return Response(status: .noContent)
        }
        group.delete("groups/:group/members/:member") { _, context in
            try await service.removeMember(
                groupId: try context.parameter("group"), memberId: try context.parameter("member"), caller: try context.caller()
            )
            return Response(status: .noContent)
        }
    }
}
