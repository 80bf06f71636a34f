import Directory
import Foundation
import HTTPTypes
import Hummingbird
import SCIM

/// Writes Group resources with their members streamed page by page, so that a group of 250,000 members is
/// never held in memory to answer a request.
struct GroupStream: Sendable {
    let controller: SCIMController
    let key: ApiKey
    let projection: Projection

    static let pageSize = 1_000

    /// A single group, members streamed.
    func response(_ group: Group, status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var fields = headers
        fields[.contentType] = SCIMSchemaURN.mediaType
        return Response(status: status, headers: fields, body: ResponseBody { writer in
            try await write(group, to: &writer)
            try await writer.finish(nil)
        })
    }

    /// A list response whose groups stream their members, after `leading` resources (users of a root search).
    func listResponse(_ groups: [Group], leading: [[String: SCIMValue]] = [], total: Int, startIndex: Int) -> Response {
        Response(status: .ok, headers: [.contentType: SCIMSchemaURN.mediaType], body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: #"{"Resources":["#))
            var count = 0
            for resource in leading {
                if count > 0 { try await writer.write(ByteBuffer(string: ",")) }
                try await writer.write(ByteBuffer(bytes: try SCIMJSON.encode(resource)))
                count += 1
            }
            for group in groups {
                if count > 0 { try await writer.write(ByteBuffer(string: ",")) }
                try await write(group, to: &writer)
                count += 1
            }
            try await writer.write(ByteBuffer(string: #"],"itemsPerPage":\#(count),"schemas":["\#(SCIMSchemaURN.listResponse)"],"startIndex":\#(startIndex),"totalResults":\#(total)}"#))
            try await writer.finish(nil)
        })
    }

    private func write(_ group: Group, to writer: inout any ResponseBodyWriter) async throws {
        let resource = GroupSCIM.resource
        let object = projection.apply(to: GroupSCIM.object(group, members: nil, baseURL: controller.baseURL), resource: resource)
        var head = try SCIMJSON.encode(object)
        guard projection.includes("members", resource: resource), head.last == UInt8(ascii: "}") else {
            try await writer.write(ByteBuffer(bytes: head))
            return
        }
        head.removeLast()
        var after: String?
        var first = true
        var opened = false
        while true {
            let page = try await controller.service.provisionedMembers(groupId: group.id, after: after, limit: Self.pageSize, key: key)
            guard let last = page.last else { break }
            // Project each member as the members attribute would be projected.
            let members = GroupSCIM.object(group, members: page, baseURL: controller.baseURL)["members"] ?? .array([])
            let projected = projection.apply(to: ["members": members], resource: resource)["members"]?.arrayValue ?? []
            var chunk: [UInt8] = []
            if !opened {
                head += Array((head.count > 1 ? "," : "").utf8) + Array(#""members":["#.utf8)
                try await writer.write(ByteBuffer(bytes: head))
                opened = true
            }
            for member in projected {
                if !first { chunk.append(UInt8(ascii: ",")) }
                chunk += try SCIMJSON.encode(member)
                first = false
            }
            try await writer.write(ByteBuffer(bytes: chunk))
            after = last.memberId
            if page.count < Self.pageSize { break }
        }
        if opened {
            try await writer.write(ByteBuffer(string: "]}"))
        } else {
            head.append(UInt8(ascii: "}"))
            try await writer.write(ByteBuffer(bytes: head))
        }
    }
}
