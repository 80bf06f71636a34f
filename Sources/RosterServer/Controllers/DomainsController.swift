import Directory
import Foundation
import Hummingbird

/// `POST /api/v1/domains/{id}/verify` (`{"method": "dns" | "https"}`) and `PUT /api/v1/domains/{id}/directory`
/// (`{"directoryId": ID | null}`); claiming and listing are under the organization.
struct DomainsController {
    let service: DirectoryService
    let probe: any DomainProbe

    struct VerifyInput: Decodable {
        var method: DirectoryService.DomainVerificationMethod
    }

    struct LinkInput: Decodable {
        var directoryId: String?
    }

    func addRoutes(to group: RouterGroup<RosterRequestContext>) {
        group.post("domains/:domain/verify") { request, context in
            let input = try await request.decode(as: VerifyInput.self, context: context)
            return JSONBody(try await service.verifyDomain(
                id: try context.parameter("domain"), method: input.method, probe: probe, caller: try context.caller()
            ))
        }
        group.put("domains/:domain/directory") { request, context in
            let input = try await request.decode(as: LinkInput.self, context: context)
            return JSONBody(try await service.linkDomain(id: try context.parameter("domain"), directoryId: input.directoryId, caller: try context.caller()))
        }
    }
}
