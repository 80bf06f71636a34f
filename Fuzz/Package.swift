// swift-tools-version: 6.0
// libFuzzer targets for Roster's parsers. Built only by scripts/fuzz, with `-sanitize=fuzzer,address`: libFuzzer
// supplies `main`, so this package stays out of the root package's `swift build`.
import PackageDescription

let package = Package(
    name: "RosterFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "roster", path: "..")],
    targets: [
        .executableTarget(
            name: "RosterFuzz",
            dependencies: [.product(name: "SCIM", package: "roster"), .product(name: "SAML", package: "roster")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
