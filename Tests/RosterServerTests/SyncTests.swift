import Directory
import Foundation
import HTTPTypes
import NIOCore
import RosterTestSupport
import Testing

@Suite("Sync: events, webhooks, product access, deprovisioning")
struct SyncTests {
    @Test("webhooks: signed, retried with growing delays until the receiver takes it, in order, dead-lettered after the last try", arguments: TestDatabaseKind.available)
    func webhooks(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            // The first event fails twice, then succeeds; everything else succeeds at once.
            let firstEvent = LockedBox<String?>(nil)
            let receiver = try await WebhookReceiver.start { eventId, attempt in
                let first = firstEvent.update { $0 = $0 ?? eventId; return $0! }
                return eventId == first && attempt < 3 ? 500 : 200
            }
            let failing = try await WebhookReceiver.start { _, _ in 503 }
            defer { Task { await receiver.stop(); await failing.stop() } }

            let created = try await scim.api.send(.post, "/api/v1/organizations/\(scim.organization.id)/webhooks", token: scim.adminToken,
                                                  json: #"{"url":"\#(receiver.url)","description":"test receiver"}"#)
            #expect(created.status == .created, "\(created.text)")
            let secret = try #require(created.string("secret"))
            let webhookId = try #require((created.json["webhook"] as? [String: Any])?["id"] as? String)
            #expect(!(try await scim.api.send(.get, "/api/v1/organizations/\(scim.organization.id)/webhooks", token: scim.adminToken).text.contains(secret)))
            let dead = try await scim.api.send(.post, "/api/v1/organizations/\(scim.organization.id)/webhooks", token: scim.adminToken,
                                               json: #"{"url":"\#(failing.url)"}"#)
            let deadId = try #require((dead.json["webhook"] as? [String: Any])?["id"] as? String)
            #expect(try await scim.api.send(.post, "/api/v1/organizations/\(scim.organization.id)/webhooks", token: scim.adminToken,
                                            json: #"{"url":"ftp://nope"}"#).status == .badRequest)

            var userIds: [String] = []
            for index in 0..<5 { userIds.append(try await scim.createUser("hook\(index)@example.com")) }

            // Five user.created events reach the receiver, the first after two failures.
            #expect(await receiver.wait { deliveries in deliveries.filter { $0.answered == 200 && $0.type == "user.created" }.count >= 5 })
            let deliveries = receiver.deliveries
            let first = try #require(firstEvent.value)
            let tries = deliveries.filter { $0.eventId == first }
            #expect(tries.map(\.attempt) == [1, 2, 3])
            #expect(tries.map(\.answered) == [500, 500, 200])
            if tries.count == 3 {
                let gap1 = tries[1].received.timeIntervalSince(tries[0].received)
                let gap2 = tries[2].received.timeIntervalSince(tries[1].received)
                // Scheduled 0.3 s then 0.6 s after each failure (plus up to a poll interval): the second wait is at least
                // the doubled one, whatever the load.
                #expect(gap1 >= 0.25 && gap2 >= 0.55, "backoff grows: \(gap1) then \(gap2)")
            }
            // Every delivery verifies with the secret, and a changed body does not.
            #expect(deliveries.allSatisfy { WebhookReceiver.verify(signature: $0.signature, body: $0.body, secret: secret) })
            let sample = try #require(deliveries.first)
            #expect(!WebhookReceiver.verify(signature: sample.signature, body: sample.body + [32], secret: secret))
            #expect(!WebhookReceiver.verify(signature: sample.signature, body: sample.body, secret: "whsec_wrong"))
            // Order: successful deliveries in strictly increasing position, each event once, nothing overtakes a retry.
            let succeeded = deliveries.filter { $0.answered == 200 }
            #expect(succeeded.map(\.sequence) == succeeded.map(\.sequence).sorted())
            #expect(Set(succeeded.map(\.eventId)).count == succeeded.count)
            #expect(deliveries.firstIndex { $0.eventId != first }.map { $0 > deliveries.lastIndex { $0.eventId == first }! } == true)
            #expect(succeeded.filter { $0.type == "user.created" }.count == 5)

            // The always-failing endpoint dead-letters each event after three attempts and moves on.
            #expect(await failing.wait(timeout: 30) { Set($0.filter { $0.attempt == 3 }.map(\.eventId)).count >= 2 })
            // The receiver sees the third attempt before the dispatcher records the dead letter: wait for the record.
            var items: [[String: Any]] = []
            for _ in 0..<50 {
                let letters = try await scim.api.send(.get, "/api/v1/webhooks/\(deadId)/deliveries?status=dead", token: scim.adminToken)
                items = try #require(letters.json["items"] as? [[String: Any]])
                if items.count >= 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(items.count >= 2 && items.allSatisfy { $0["status"] as? String == "dead" && $0["attempts"] as? Int == 3 })
            #expect(items.first?["lastError"] as? String == "HTTP 503")
            let good = try await scim.api.send(.get, "/api/v1/webhooks/\(webhookId)/deliveries", token: scim.adminToken)
            #expect((good.json["items"] as? [[String: Any]])?.contains { $0["attempts"] as? Int == 3 && $0["status"] as? String == "delivered" } == true)
        }
    }

    @Test("the events API pages by cursor in commit order", arguments: TestDatabaseKind.available)
    func eventsAPI(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let path = "/api/v1/orgs/\(scim.organization.id)/events"
            let start = try await scim.api.send(.get, path + "?limit=1000", token: scim.adminToken)
            let cursor = try #require(start.json["next"] as? Int)
            let userId = try await scim.createUser("events@example.com")
            _ = try await scim.createGroup("Events", members: [userId])
            let page = try await scim.api.send(.get, path + "?after=\(cursor)&limit=2", token: scim.adminToken)
            let items = try #require(page.json["items"] as? [[String: Any]])
            #expect(items.map { $0["type"] as? String } == ["user.created", "group.created"])
            let next = try #require(page.json["next"] as? Int)
            let rest = try #require(try await scim.api.send(.get, path + "?after=\(next)", token: scim.adminToken).json["items"] as? [[String: Any]])
            #expect(rest.map { $0["type"] as? String }.contains("group.member_added"))
            let empty = try await scim.api.send(.get, path + "?after=\(try #require(rest.last?["cursor"] as? Int))", token: scim.adminToken)
            #expect((empty.json["items"] as? [Any])?.isEmpty == true)
            #expect(try await scim.api.send(.get, path + "?after=-1", token: scim.adminToken).status == .badRequest)
            #expect(try await scim.api.send(.get, path).status == .unauthorized)
        }
    }

    @Test("products ask who may use them: nested groups, roles, pagination, token scoping, deactivation", arguments: TestDatabaseKind.available)
    func productAccess(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let service = scim.service
            let site = try await service.addSite(organizationId: scim.organization.id, name: "acme", caller: .operatorCLI)
            let jira = try await service.addProduct(siteId: site.id, product: .jiraSoftware, caller: .operatorCLI)
            let wiki = try await service.addProduct(siteId: site.id, product: .confluence, caller: .operatorCLI)
            var ids: [String] = []
            for index in 0..<7 { ids.append(try await scim.createUser(String(format: "p%02d@example.com", index), extra: #","emails":[{"value":"\#(String(format: "p%02d@example.com", index))","primary":true}]"#)) }
            let inner = try await scim.createGroup("Inner", members: Array(ids[0..<5]))
            let outer = try await scim.createGroup("Outer", members: [inner])
            let admins = try await scim.createGroup("Jira admins", members: [ids[5]])
            _ = try await service.grantAccess(site: site.id, product: jira.id, group: outer, role: .user, caller: .operatorCLI)
            _ = try await service.grantAccess(site: site.id, product: jira.id, group: admins, role: .admin, caller: .operatorCLI)
            _ = try await service.grantAccess(site: site.id, product: wiki.id, group: admins, role: .user, caller: .operatorCLI)
            let token = try await service.issueProductToken(siteId: site.id, productId: jira.id, caller: .operatorCLI).value

            func get(_ path: String, _ bearer: String? = token) async throws -> APIResponse {
                try await scim.api.send(.get, "/api/v1/sites/\(site.id)/products/\(jira.id)" + path, token: bearer)
            }
            // Pages of two by cursor cover exactly the six users (five through the nested group, one admin).
            var seen: [[String: Any]] = []
            var after: String?
            repeat {
                let page = try await get("/users?limit=2" + (after.map { "&after=\($0)" } ?? ""))
                #expect(page.status == .ok, "\(page.text)")
                seen += page.json["items"] as? [[String: Any]] ?? []
                after = page.json["next"] as? String
            } while after != nil
            #expect(Set(seen.compactMap { $0["id"] as? String }) == Set(ids[0..<6]))
            #expect(seen.first { $0["id"] as? String == ids[5] }?["role"] as? String == "admin")
            #expect(seen.first { $0["id"] as? String == ids[0] }?["email"] as? String == "p00@example.com")
            let onlyAdmins = try #require(try await get("/users?role=admin").json["items"] as? [[String: Any]])
            #expect(onlyAdmins.compactMap { $0["id"] as? String } == [ids[5]])
            #expect(try await get("/access/\(ids[2])").json["role"] as? String == "user")
            #expect(try await get("/access/\(ids[6])").status == .notFound)
            // The token reads only its own product, and nothing without a token.
            #expect(try await scim.api.send(.get, "/api/v1/sites/\(site.id)/products/\(wiki.id)/users", token: token).status == .notFound)
            #expect(try await get("/users", nil).status == .unauthorized)
            #expect(try await get("/users", "rpt_0000_nope").status == .unauthorized)
            #expect(try await get("/users", scim.adminToken).status == .ok)
            #expect(try await scim.api.send(.get, "/api/v1/organizations/\(scim.organization.id)", token: token).status == .unauthorized)

            // Leaving the nested group or being deactivated takes access away at once.
            #expect(try await scim.patch("/Groups/\(inner)", #"[{"op":"remove","path":"members[value eq \"\#(ids[1])\"]"}]"#).status == .ok)
            #expect(try await get("/access/\(ids[1])").status == .notFound)
            #expect(try await scim.patch("/Users/\(ids[2])", #"[{"op":"replace","path":"active","value":false}]"#).status == .ok)
            #expect(try await get("/access/\(ids[2])").status == .notFound)
            // An email change keeps identity, groups and access.
            #expect(try await scim.patch("/Users/\(ids[3])", #"[{"op":"replace","path":"emails","value":[{"value":"renamed@example.com","primary":true}]}]"#).status == .ok)
            let renamed = try await get("/access/\(ids[3])")
            #expect(renamed.json["role"] as? String == "user")
            let all = try #require(try await get("/users?limit=100").json["items"] as? [[String: Any]])
            #expect(all.first { $0["id"] as? String == ids[3] }?["email"] as? String == "renamed@example.com")
        }
    }

    @Test("SCIM DELETE keeps a deactivated account; the IdP provisioning it again brings the same account back; purge after N days", arguments: TestDatabaseKind.available)
    func deprovisioning(kind: TestDatabaseKind) async throws {
        let clock = TestClock(Date())
        try await SCIMFixture.with(kind, environment: clock.environment) { scim in
            let service = scim.service
            let userId = try await scim.createUser("gone@example.com")
            let groupId = try await scim.createGroup("Team", members: [userId])
            let (_, token) = try await service.createSession(userId: userId, lifetime: 3600, caller: .operatorCLI)
            #expect(try await service.validateSession(token: token) != nil)

            #expect(try await scim.send(.delete, "/Users/\(userId)").status == .noContent)
            #expect(try await scim.send(.get, "/Users/\(userId)").status == .notFound)
            #expect(try await scim.send(.delete, "/Users/\(userId)").status == .notFound)
            let listed = try await scim.send(.get, "/Users?filter=userName%20eq%20%22gone@example.com%22")
            #expect(listed.json["totalResults"] as? Int == 0)
            let kept = try await service.user(id: userId, caller: .operatorCLI)
            #expect(!kept.active && kept.deprovisioned != nil)
            #expect(try await service.validateSession(token: token) == nil, "its sessions ended")
            let members = try await scim.send(.get, "/Groups/\(groupId)")
            #expect((members.json["members"] as? [Any] ?? []).isEmpty, "it left the IdP's groups")

            // Provisioned again: the same account, active.
            let again = try await scim.send(.post, "/Users", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"gone@example.com","active":true}"#)
            #expect(again.status == .created && again.json["id"] as? String == userId)
            #expect(try await service.user(id: userId, caller: .operatorCLI).active)
            #expect(try await service.validateSession(token: token) == nil, "old sessions stay ended")

            // Purge after one day: kept before, gone after.
            _ = try await service.setPurgePolicy(directoryId: scim.directoryId, purgeAfterDays: 1, caller: .operatorCLI)
            #expect(try await scim.send(.delete, "/Users/\(userId)").status == .noContent)
            clock.advance(by: 3600)
            #expect(try await service.purgeDeprovisioned() == 0)
            clock.advance(by: 86400)
            #expect(try await service.purgeDeprovisioned() == 1)
            await #expect(throws: DirectoryError.self) { _ = try await service.user(id: userId, caller: .operatorCLI) }
            let policy = try await scim.api.send(.put, "/api/v1/directories/\(scim.directoryId)/deprovisioning", token: scim.adminToken,
                                                 json: #"{"purgeAfterDays":0}"#)
            #expect(policy.status == .badRequest)
        }
    }

    @Test("a provisioned user whose email matches a local account is linked to it, not duplicated", arguments: TestDatabaseKind.available)
    func linking(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let service = scim.service
            let site = try await service.addSite(organizationId: scim.organization.id, name: "acme", caller: .operatorCLI)
            let jira = try await service.addProduct(siteId: site.id, product: .jiraSoftware, caller: .operatorCLI)
            let local = try #require(try await service.directories(organizationId: scim.organization.id, caller: .operatorCLI).first { $0.kind == .local })
            let existing = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "hana", emails: [User.Email(value: "hana@acme.com", primary: true)]), caller: .operatorCLI)
            _ = try await service.grantAccess(principal: .user(existing.id), productId: jira.id, role: .admin, caller: .operatorCLI)
            // Without a verified domain, no link: an IdP cannot take over a local account by naming its email.
            let unverified = try await scim.send(.post, "/Users", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"other@acme.com","emails":[{"value":"hana@acme.com"}]}"#)
            #expect(unverified.status == .created && unverified.json["id"] as? String != existing.id)
            #expect(try await scim.send(.delete, "/Users/\(try #require(unverified.json["id"] as? String))").status == .noContent)
            var domain = try await service.claimDomain(organizationId: scim.organization.id, name: "acme.com", caller: .operatorCLI)
            domain.verifiedAt = Date()
            let verified = domain
            try await service.store.write { tx in try await tx.update(verified) }

            let provisioned = try await scim.send(.post, "/Users", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"hana@acme.com","emails":[{"value":"HANA@acme.com","primary":true}],"name":{"givenName":"Hana"}}"#)
            #expect(provisioned.status == .created, "\(provisioned.text)")
            #expect(provisioned.json["id"] as? String == existing.id, "the same account, not a second one")
            let linked = try await service.user(id: existing.id, caller: .operatorCLI)
            #expect(linked.directoryId == scim.directoryId && linked.userName == "hana@acme.com" && linked.name.givenName == "Hana")
            #expect(try await service.productAccess(siteId: site.id, productId: jira.id, userId: existing.id, reader: .admin(.operatorCLI)) == .admin)
            #expect(try await service.store.read { try await $0.users(organizationId: scim.organization.id, email: "hana@acme.com") }
                .filter { $0.deprovisioned == nil }.count == 1)
            // Two local accounts with the email: ambiguous, so a new account is made rather than a guess.
            for name in ["kai", "kai2"] {
                _ = try await service.createUser(directoryId: local.id, draft: UserDraft(userName: name, emails: [User.Email(value: "kai@acme.com")]), caller: .operatorCLI)
            }
            let ambiguous = try await scim.send(.post, "/Users", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kai@acme.com","emails":[{"value":"kai@acme.com"}]}"#)
            #expect(ambiguous.status == .created)
            #expect(try await service.store.read { try await $0.users(organizationId: scim.organization.id, email: "kai@acme.com") }.count == 3)
        }
    }

    @Test("dry runs of grant changes, and a synced group that clashes with a local one: preview, merge, keep apart", arguments: TestDatabaseKind.available)
    func previewsAndConflicts(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let service = scim.service
            let api = scim.api
            let site = try await service.addSite(organizationId: scim.organization.id, name: "acme", caller: .operatorCLI)
            let jira = try await service.addProduct(siteId: site.id, product: .jiraSoftware, caller: .operatorCLI)
            let local = try #require(try await service.directories(organizationId: scim.organization.id, caller: .operatorCLI).first { $0.kind == .local })
            let ada = try await service.createUser(directoryId: local.id, draft: UserDraft(userName: "ada"), caller: .operatorCLI)
            let support = try await service.createGroup(directoryId: local.id, displayName: "Support", caller: .operatorCLI)
            try await service.addMember(groupId: support.id, member: .user, memberId: ada.id, caller: .operatorCLI)
            _ = try await service.grantAccess(principal: .group(support.id), productId: jira.id, role: .admin, caller: .operatorCLI)
            #expect(try await service.productAccess(siteId: site.id, productId: jira.id, userId: ada.id, reader: .admin(.operatorCLI)) == .admin)

            // A dry run of granting a nested group: exactly its members gain, and nothing is written.
            let bo = try await scim.createUser("bo@example.com")
            let cy = try await scim.createUser("cy@example.com")
            let inner = try await scim.createGroup("Inner", members: [bo])
            let outer = try await scim.createGroup("Outer", members: [inner, cy])
            let preview = try await api.send(.post, "/api/v1/access-grants/preview", token: scim.adminToken,
                                             json: #"{"action":"grant","principal":{"kind":"group","id":"\#(outer)"},"productId":"\#(jira.id)","role":"user"}"#)
            #expect(preview.status == .ok, "\(preview.text)")
            let gains = try #require(preview.json["changes"] as? [[String: Any]])
            #expect(Set(gains.compactMap { $0["userId"] as? String }) == [bo, cy])
            #expect(gains.allSatisfy { $0["after"] as? String == "user" && $0["before"] == nil && $0["siteId"] as? String == site.id })
            #expect(try await service.productAccess(siteId: site.id, productId: jira.id, userId: bo, reader: .admin(.operatorCLI)) == nil)
            let grantId = try #require(try await service.accessGrants(siteId: site.id, caller: .operatorCLI).first?.id)
            let revoke = try await api.send(.post, "/api/v1/access-grants/preview", token: scim.adminToken, json: #"{"action":"revoke","grantId":"\#(grantId)"}"#)
            let losses = try #require(revoke.json["changes"] as? [[String: Any]])
            #expect(losses.count == 1 && losses.first?["userId"] as? String == ada.id && losses.first?["before"] as? String == "admin" && losses.first?["after"] == nil)

            // The IdP syncs a group named like the local one: held as a conflict.
            let synced = try await scim.createGroup("support", members: [bo])
            let listed = try await api.send(.get, "/api/v1/organizations/\(scim.organization.id)/group-conflicts?status=pending", token: scim.adminToken)
            let conflict = try #require((listed.json["items"] as? [[String: Any]])?.first)
            #expect(conflict["syncedGroupId"] as? String == synced && conflict["localGroupId"] as? String == support.id)
            let conflictId = try #require(conflict["id"] as? String)
            let shown = try await api.send(.get, "/api/v1/group-conflicts/\(conflictId)", token: scim.adminToken)
            let expected = try #require(shown.json["changes"] as? [[String: Any]])
            #expect(Set(expected.map { "\($0["userId"]!):\($0["before"] ?? "none")->\($0["after"] ?? "none")" }) == ["\(bo):none->admin", "\(ada.id):admin->none"])
            let merged = try await api.send(.post, "/api/v1/group-conflicts/\(conflictId)/merge", token: scim.adminToken)
            #expect(merged.status == .ok && (merged.json["conflict"] as? [String: Any])?["status"] as? String == "merged")
            #expect(try await service.productAccess(siteId: site.id, productId: jira.id, userId: bo, reader: .admin(.operatorCLI)) == .admin)
            #expect(try await service.productAccess(siteId: site.id, productId: jira.id, userId: ada.id, reader: .admin(.operatorCLI)) == nil)
            #expect(try await api.send(.post, "/api/v1/group-conflicts/\(conflictId)/keep-apart", token: scim.adminToken).status == .badRequest)

            // Another clash, kept apart: nothing changes.
            let ops = try await service.createGroup(directoryId: local.id, displayName: "Ops", caller: .operatorCLI)
            _ = try await scim.createGroup("Ops")
            let second = try #require(try await service.groupConflicts(organizationId: scim.organization.id, status: .pending, caller: .operatorCLI).first)
            #expect(second.localGroupId == ops.id)
            let kept = try await api.send(.post, "/api/v1/group-conflicts/\(second.id)/keep-apart", token: scim.adminToken)
            #expect((kept.json["conflict"] as? [String: Any])?["status"] as? String == "kept_apart")
            #expect(try await service.group(id: ops.id, caller: .operatorCLI).displayName == "Ops")
        }
    }

    @Test("expiring API keys and SAML certificates raise events at 30, 7 and 1 days, once each", arguments: TestDatabaseKind.available)
    func expiryNotices(kind: TestDatabaseKind) async throws {
        let clock = TestClock(Date())
        try await SCIMFixture.with(kind, environment: clock.environment) { scim in
            let service = scim.service
            // A key that expires in three days.
            let key = ApiKey(id: "expiring-key", directoryId: scim.directoryId, prefix: "abcdef012345", hash: "x", created: clock.now,
                             expires: clock.now.addingTimeInterval(3 * 86400))
            try await service.store.write { tx in try await tx.insert(key) }
            let idp = try TestIdentity.make()
            _ = try await service.configureSAML(
                directoryId: scim.directoryId, identityProviderEntityID: "https://idp.example", singleSignOnURL: "https://idp.example/sso",
                certificates: [idp.certificatePEM], allowSHA1: false, allowIdPInitiated: false, caller: .operatorCLI)
            func notices() async throws -> [(String, Int)] {
                try await service.store.read { try await $0.events(organizationId: scim.organization.id, afterSequence: nil, limit: 1000) }
                    .filter { $0.type.hasSuffix(".expiring") }
                    .map { ($0.type, Int({ if case .integer(let days) = $0.payload["daysAhead"] { return days }; return -1 }($0))) }
            }
            clock.advance(by: 120)
            #expect(try await service.noticeExpiries() == 2)
            #expect(try await service.noticeExpiries() == 0, "once per threshold")
            var seen = try await notices()
            #expect(seen.contains { $0 == ("api_key.expiring", 7) } && seen.contains { $0 == ("saml_certificate.expiring", 30) })
            clock.advance(by: 2.5 * 86400)
            #expect(try await service.noticeExpiries() == 1)
            seen = try await notices()
            #expect(seen.contains { $0 == ("api_key.expiring", 1) })
        }
    }

    @Test("review findings: externalId is identity, deleted accounts stay deleted for admins, site scoping, private webhook targets, revocation events", arguments: TestDatabaseKind.available)
    func reviewFindings(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let service = scim.service
            func post(_ body: String) async throws -> SCIMResponse {
                try await scim.send(.post, "/Users", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],\#(body)}"#)
            }
            // The same externalId comes back under a new userName: the same account.
            let first = try await post(#""userName":"ext@example.com","externalId":"okta-123""#)
            let id = try #require(first.json["id"] as? String)
            #expect(try await post(#""userName":"twin@example.com","externalId":"okta-123""#).status == .conflict)
            #expect(try await scim.send(.delete, "/Users/\(id)").status == .noContent)
            let back = try await post(#""userName":"renamed@example.com","externalId":"okta-123""#)
            #expect(back.status == .created && back.json["id"] as? String == id && back.json["userName"] as? String == "renamed@example.com")
            // A different person (another externalId) given a deleted account's userName gets an account of their own.
            #expect(try await scim.send(.delete, "/Users/\(id)").status == .noContent)
            let stranger = try await post(#""userName":"renamed@example.com","externalId":"okta-999""#)
            #expect(stranger.status == .created && stranger.json["id"] as? String != id)
            let kept = try await service.user(id: id, caller: .operatorCLI)
            #expect(kept.deprovisioned != nil && kept.userName.hasPrefix("renamed@example.com#deprovisioned-"))
            // An admin cannot bring a deleted account back behind the IdP's back; SCIM cannot name it as a member.
            let reactivate = try await scim.api.send(.patch, "/api/v1/users/\(id)", token: scim.adminToken, json: #"{"active":true}"#)
            #expect(reactivate.status == .badRequest, "\(reactivate.text)")
            let group = try await scim.createGroup("Crew")
            let addGhost = try await scim.patch("/Groups/\(group)", #"[{"op":"add","path":"members","value":[{"value":"\#(id)"}]}]"#)
            #expect(addGhost.status.code >= 400 && addGhost.status.code < 500)

            // A site admin reads only their own site's access.
            let siteA = try await service.addSite(organizationId: scim.organization.id, name: "a", caller: .operatorCLI)
            let siteB = try await service.addSite(organizationId: scim.organization.id, name: "b", caller: .operatorCLI)
            let jira = try await service.addProduct(siteId: siteA.id, product: .jiraSoftware, caller: .operatorCLI)
            let siteAdmin = try await service.createAdmin(organizationId: scim.organization.id, email: "b-admin@example.com",
                                                          roles: [AdminRole(kind: .siteAdmin, siteId: siteB.id)], caller: .operatorCLI)
            #expect(try await scim.api.send(.get, "/api/v1/sites/\(siteA.id)/products/\(jira.id)/users", token: siteAdmin.value).status == .forbidden)
            #expect(try await scim.api.send(.get, "/api/v1/orgs/\(scim.organization.id)/events", token: siteAdmin.value).status == .forbidden)

            // Deleting a group with grants says so in events.
            _ = try await service.grantAccess(site: siteA.id, product: jira.id, group: group, role: .user, caller: .operatorCLI)
            #expect(try await scim.send(.delete, "/Groups/\(group)").status == .noContent)
            let events = try await service.store.read { try await $0.events(organizationId: scim.organization.id, afterSequence: nil, limit: 1000) }
            #expect(events.contains { $0.type == "access.revoked" && $0.payload["principalId"] == .string(group) })

            // Without the allowance, webhook URLs must be public.
            let strict = DirectoryService(store: service.store, configuration: .init(baseURL: "https://roster.test"))
            for url in ["http://127.0.0.1:9/hook", "http://169.254.169.254/latest", "http://localhost/x", "http://[::1]/x", "http://10.1.2.3/",
                        "http://192.168.0.10/", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/"] {
                await #expect(throws: DirectoryError.self, "\(url)") {
                    _ = try await strict.createWebhook(organizationId: scim.organization.id, url: url, description: nil, caller: .operatorCLI)
                }
            }
            #expect(WebhookTarget.refusal(host: "93.184.216.34") == nil && WebhookTarget.refusal(host: "hooks.example.com") == nil)
        }
    }

    @Test("removing an IdP directory keeps its accounts and turns its synced groups into local groups with their grants", arguments: TestDatabaseKind.available)
    func directoryRemoval(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let service = scim.service
            let site = try await service.addSite(organizationId: scim.organization.id, name: "acme", caller: .operatorCLI)
            let jira = try await service.addProduct(siteId: site.id, product: .jiraSoftware, caller: .operatorCLI)
            let userId = try await scim.createUser("stay@example.com")
            let groupId = try await scim.createGroup("Engineering", members: [userId])
            _ = try await service.grantAccess(site: site.id, product: jira.id, group: groupId, role: .user, caller: .operatorCLI)
            let local = try #require(try await service.directories(organizationId: scim.organization.id, caller: .operatorCLI).first { $0.kind == .local })
            _ = try await service.createGroup(directoryId: local.id, displayName: "Engineering", caller: .operatorCLI)
            let clash = try await service.createUser(directoryId: local.id, draft: UserDraft(userName: "stay@example.com"), caller: .operatorCLI)

            // A userName taken in the local directory: refused, nothing changed.
            let refused = try await scim.api.send(.delete, "/api/v1/directories/\(scim.directoryId)", token: scim.adminToken)
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect(try await service.user(id: userId, caller: .operatorCLI).directoryId == scim.directoryId)
            try await service.deleteUser(id: clash.id, caller: .operatorCLI)

            #expect(try await scim.api.send(.delete, "/api/v1/directories/\(scim.directoryId)", token: scim.adminToken).status == .noContent)
            let moved = try await service.user(id: userId, caller: .operatorCLI)
            #expect(moved.directoryId == local.id && moved.active)
            let group = try await service.group(id: groupId, caller: .operatorCLI)
            #expect(group.directoryId == local.id && !group.synced && group.displayName == "Engineering (Okta)")
            #expect(try await service.productAccess(siteId: site.id, productId: jira.id, userId: userId, reader: .admin(.operatorCLI)) == .user)
            #expect(try await scim.send(.get, "/Users").status == .unauthorized, "the directory's keys went with it")
            let audit = try await service.store.read { try await $0.auditEntries(organizationId: scim.organization.id, page: PageRequest(limit: 5)) }
            #expect(audit.items.contains { $0.action == "directory.disconnected" })
        }
    }
}

/// A value tests share with @Sendable closures.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func update<T>(_ body: (inout Value) -> T) -> T { lock.lock(); defer { lock.unlock() }; return body(&stored) }
}
