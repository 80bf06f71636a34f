import ArgumentParser

/// The `roster` command: serve the directory and administer it from the command line.
@main
struct Roster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Roster, a self-hosted identity directory: SCIM provisioning, SAML single sign-on, product access.",
        discussion: """
            Every command reads the database from --database, else ROSTER_DATABASE_URL, else the SQLite file \
            roster.sqlite in the working directory. Commands that create something take --json and then print \
            exactly one JSON object with the ids and secrets they made.
            """,
        subcommands: [Serve.self, Migrate.self, OrgCommand.self, SiteCommand.self, ProductCommand.self, AccessCommand.self,
                      AdminCommand.self, DirectoryCommand.self, SecretsCommand.self]
    )
}
