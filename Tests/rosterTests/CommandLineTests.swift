import Directory
import Foundation
import RosterTestSupport
import Storage
import Testing

@Suite("The roster command line", .serialized)
struct CommandLineTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("every command that creates something prints one JSON object with its ids and secrets", arguments: TestDatabaseKind.available)
    func jsonContract(kind: TestDatabaseKind) async throws {
        let folder = try Self.folder()
        let location = try await TestDatabase.makeLocation(kind)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = ["--database", location.url]

        let org = try RosterProcess.run(["org", "create", "--name", "Acme", "--plan", "guard", "--json"] + db, in: folder)
        #expect(org.status == 0, "\(org.stderr)")
        let orgId = try #require(org.json["id"] as? String)
        #expect(org.stdout.split(separator: "\n").count == 1)

        let site = try RosterProcess.run(["site", "add", "--org", orgId, "--name", "acme", "--json"] + db, in: folder)
        let siteId = try #require(site.json["id"] as? String)
        let product = try RosterProcess.run(["product", "add", "--site", siteId, "--product", "jira-service-management", "--json"] + db, in: folder)
        #expect(product.json["id"] is String)

        let admin = try RosterProcess.run(["admin", "create", "--org", orgId, "--email", "root@acme.com", "--json"] + db, in: folder)
        #expect(admin.json["id"] is String)
        #expect((admin.json["token"] as? String)?.hasPrefix("rat_") == true)

        let directory = try RosterProcess.run(
            ["directory", "create", "--org", orgId, "--name", "Okta", "--idp", "okta", "--base-url", "https://roster.example.com", "--json"] + db,
            in: folder
        )
        #expect(directory.status == 0, "\(directory.stderr)")
        let directoryId = try #require(directory.json["id"] as? String)
        #expect(directory.json["scimBaseUrl"] as? String == "https://roster.example.com/scim/directory/\(directoryId)")
        #expect((directory.json["apiKey"] as? String)?.hasPrefix("rsk_") == true)

        let portal = try RosterProcess.run(
            ["directory", "create", "--org", orgId, "--name", "Customers", "--idp", "auth0", "--portal-site", siteId, "--json"] + db, in: folder
        )
        #expect(portal.status == 0, "\(portal.stderr)")

        let rotated = try RosterProcess.run(["directory", "key", "rotate", "--directory", directoryId, "--json"] + db, in: folder)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect((rotated.json["apiKey"] as? String)?.hasPrefix("rsk_") == true)
        #expect(rotated.json["apiKey"] as? String != directory.json["apiKey"] as? String)

        // SAML settings from fields; the answer names what to enter at the IdP.
        let keyFile = folder.appendingPathComponent("k.pem").path, certificateFile = folder.appendingPathComponent("c.pem").path
        try ChildProcess.run(
            "/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certificateFile, "-days", "2", "-subj", "/CN=idp"]
        )
        let saml = try RosterProcess.run(
            ["directory", "saml", "--directory", directoryId, "--idp-entity-id", "https://idp.example", "--idp-sso-url", "https://idp.example/sso",
             "--idp-certificate", certificateFile, "--base-url", "https://roster.example.com", "--json"] + db, in: folder
        )
        #expect(saml.status == 0, "\(saml.stderr)")
        #expect(saml.json["acsUrl"] as? String == "https://roster.example.com/saml/\(directoryId)/acs")
        #expect(saml.json["spEntityId"] as? String == "https://roster.example.com/saml/\(directoryId)/metadata")
        let noCertificate = try RosterProcess.run(["directory", "saml", "--directory", directoryId, "--idp-entity-id", "x"] + db, in: folder)
        #expect(noCertificate.status != 0)

        // Access: a group's role on a product, and a product token, from the command line.
        let jsm = try #require(product.json["id"] as? String)
        let groupId = try await RosterDatabase.withRunning(location.location, logger: TestDatabase.logger, keyring: TestDatabase.keyring) { database in
            try await DirectoryService(store: database.store, configuration: .init(baseURL: "https://roster.example.com"))
                .createGroup(directoryId: directoryId, displayName: "Agents", caller: .operatorCLI).id
        }
        let grant = try RosterProcess.run(["access", "grant", "--group", groupId, "--site", siteId, "--product", jsm, "--role", "admin", "--json"] + db, in: folder)
        #expect(grant.status == 0, "\(grant.stderr)")
        #expect(grant.json["id"] is String && grant.json["role"] as? String == "admin")
        let twice = try RosterProcess.run(["access", "grant", "--group", groupId, "--site", siteId, "--product", jsm, "--role", "admin"] + db, in: folder)
        #expect(twice.status == 1 && twice.stderr.contains("already"))
        let wrongSite = try RosterProcess.run(["access", "grant", "--group", groupId, "--site", "nope", "--product", jsm] + db, in: folder)
        #expect(wrongSite.status == 3)
        let revoke = try RosterProcess.run(["access", "revoke", "--group", groupId, "--site", siteId, "--product", jsm, "--role", "admin", "--json"] + db, in: folder)
        #expect(revoke.status == 0 && revoke.json["id"] as? String == grant.json["id"] as? String)
        let again = try RosterProcess.run(["access", "revoke", "--group", groupId, "--site", siteId, "--product", jsm, "--role", "admin"] + db, in: folder)
        #expect(again.status == 3)
        let productToken = try RosterProcess.run(["product", "token", "--site", siteId, "--product", jsm, "--json"] + db, in: folder)
        #expect(productToken.status == 0, "\(productToken.stderr)")
        #expect((productToken.json["token"] as? String)?.hasPrefix("rpt_") == true && productToken.json["productId"] as? String == jsm)

        let migrate = try RosterProcess.run(["migrate", "--json"] + db, in: folder)
        #expect(migrate.json["applied"] as? [Int] == [])

        // Refusals: a message on stderr, nothing on stdout, a non-zero exit.
        let free = try RosterProcess.run(["org", "create", "--name", "Free", "--json"] + db, in: folder)
        let freeId = try #require(free.json["id"] as? String)
        let refused = try RosterProcess.run(["directory", "create", "--org", freeId, "--name", "Okta", "--idp", "okta", "--json"] + db, in: folder)
        #expect(refused.status != 0)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("Guard plan"))
        let unknown = try RosterProcess.run(["site", "add", "--org", "no-such-org", "--name", "x"] + db, in: folder)
        #expect(unknown.status != 0 && unknown.stderr.contains("No organization"))
        let badIdp = try RosterProcess.run(["directory", "create", "--org", orgId, "--name", "X", "--idp", "myspace"] + db, in: folder)
        #expect(badIdp.status != 0 && badIdp.stderr.contains("idp"))
        try await location.dispose()
    }

    @Test("--help explains every command")
    func help() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for command in [[], ["serve"], ["migrate"], ["org", "create"], ["site", "add"], ["product", "add"], ["admin", "create"],
                        ["directory", "create"], ["directory", "key", "rotate"], ["directory", "saml"], ["admin", "token"],
                        ["access", "grant"], ["access", "revoke"], ["product", "token"]] {
            let output = try RosterProcess.run(command + ["--help"], in: folder)
            #expect(output.status == 0)
            #expect(output.stdout.contains("USAGE"), "\(command)")
        }
    }

    @Test("roster serve migrates on first start, serves, and stops cleanly on SIGTERM", arguments: TestDatabaseKind.available)
    func serve(kind: TestDatabaseKind) async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = try await TestDatabase.makeLocation(kind)
        let port = try RosterProcess.freePort()
        // The default database is ./roster.sqlite; the PostgreSQL run passes the URL through the environment.
        let environment = kind == .postgres ? ["ROSTER_DATABASE_URL": location.url] : [:]
        let server = try RosterProcess.start(["serve", "--port", "\(port)"], environment: environment, in: folder)
        var health: (Int, String)?
        for _ in 0..<300 where health == nil {
            health = await RosterProcess.get("http://127.0.0.1:\(port)/healthz")
            if health == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(health?.0 == 200)
        #expect(await RosterProcess.get("http://127.0.0.1:\(port)/readyz")?.0 == 200)
        if kind == .sqlite {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("roster.sqlite").path))
        }

        // The CLI and the server share the database: a token made by the CLI works at once.
        let org = try RosterProcess.run(["org", "create", "--name", "Acme", "--json"], environment: environment, in: folder)
        let orgId = try #require(org.json["id"] as? String)
        let admin = try RosterProcess.run(["admin", "create", "--org", orgId, "--email", "a@acme.com", "--json"], environment: environment, in: folder)
        let token = try #require(admin.json["token"] as? String)
        #expect(await RosterProcess.get("http://127.0.0.1:\(port)/api/v1/me", token: token)?.0 == 200)
        #expect(await RosterProcess.get("http://127.0.0.1:\(port)/api/v1/me")?.0 == 401)

        server.terminate()
        let deadline = Date().addingTimeInterval(15)
        while server.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!server.isRunning)
        if !server.isRunning { #expect(server.terminationStatus == 0) } else { kill(server.processIdentifier, SIGKILL) }
        try await location.dispose()
    }
}

@Suite("Secrets at rest from the command line", .serialized)
struct SecretsCommandTests {
    @Test("the SQLite default makes its key file with mode 0600; rotate reseals and rewrites it; a wrong key stops the start with a message")
    func rotate() throws {
        let folder = try CommandLineTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = ["--database", folder.appendingPathComponent("roster.sqlite").path]
        let org = try RosterProcess.run(["org", "create", "--name", "Acme", "--plan", "guard", "--json"] + db, in: folder)
        let orgId = try #require(org.json["id"] as? String)
        let directory = try RosterProcess.run(["directory", "create", "--org", orgId, "--name", "Okta", "--idp", "okta", "--json"] + db, in: folder)
        let directoryId = try #require(directory.json["id"] as? String)
        let certificate = folder.appendingPathComponent("c.pem").path
        try ChildProcess.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder.appendingPathComponent("k.pem").path,
                                                  "-out", certificate, "-days", "2", "-subj", "/CN=idp"])
        // Setting up SAML makes the directory's SP key pair, whose private key is sealed.
        let saml = try RosterProcess.run(["directory", "saml", "--directory", directoryId, "--idp-entity-id", "https://idp.example",
                                          "--idp-sso-url", "https://idp.example/sso", "--idp-certificate", certificate, "--sign-requests", "--json"] + db, in: folder)
        #expect(saml.status == 0, "\(saml.stderr)")
        let keyFile = folder.appendingPathComponent("roster.sqlite.key").path
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let before = try String(contentsOfFile: keyFile, encoding: .utf8)

        let rotated = try RosterProcess.run(["secrets", "rotate", "--json"] + db, in: folder)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.json["resealed"] is Int && rotated.json["key"] == nil, "\(rotated.stdout)")
        let after = try String(contentsOfFile: keyFile, encoding: .utf8)
        #expect(after != before && after.split(separator: "\n").count == 1)
        #expect(rotated.json["keyId"] as? String != rotated.json["previousKeyId"] as? String)
        #expect(try RosterProcess.run(["migrate"] + db, in: folder).status == 0, "the rotated key opens the database")

        let other = try RosterProcess.run(["secrets", "new-key", "--json"], in: folder)
        let wrongKey = try #require(other.json["key"] as? String)
        let refused = try RosterProcess.run(["migrate"] + db, environment: ["ROSTER_SECRET_KEY": wrongKey], in: folder)
        #expect(refused.status != 0 && refused.stderr.contains("does not open this database's secrets"), "\(refused.stderr)")
        let malformed = try RosterProcess.run(["migrate"] + db, environment: ["ROSTER_SECRET_KEY": "not-a-key"], in: folder)
        #expect(malformed.status != 0 && malformed.stderr.contains("32"), "\(malformed.stderr)")
    }
}
