// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ruralmap",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ruralmapd", targets: ["ruralmapd"]),
        // The byte-level readers, for the fuzzing package in Fuzz/.
        .library(name: "RuralmapFormats", targets: ["Formats"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // System C libraries, one module map each.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CProj", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CSQLite"),
        // Typed, non-variadic wrappers around curl_easy_setopt / getinfo (Swift cannot call variadics).
        .target(name: "CurlShim", dependencies: ["CCurl"]),

        .target(name: "Formats", dependencies: ["CZlib", .product(name: "TOMLKit", package: "TOMLKit")]),
        .target(
            name: "Fetching",
            dependencies: [
                "CurlShim", "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "Geo", dependencies: ["CProj"]),
        .target(name: "Territory"),
        // Source kinds, service categories and the table mapping source codes to them (compiled in).
        .target(name: "Catalog", dependencies: ["Formats"], resources: [.embedInCode("categories.csv")]),
        .target(name: "Adapters", dependencies: ["Formats", "Geo", "Territory", "Catalog"]),
        .target(
            name: "Store",
            dependencies: [
                "Territory", "Geo", "Analysis", "Catalog", "Formats", "CSQLite",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        .target(name: "Analysis", dependencies: ["Geo", "Territory", "Catalog"]),
        .target(name: "Export", dependencies: ["Store", "Analysis", "Catalog", "Geo", "Formats"]),
        .target(name: "Cartography", dependencies: ["Store", "Analysis", "Catalog", "Territory", "Geo", "Formats"]),
        .target(
            name: "Pipeline",
            dependencies: [
                "Fetching", "Formats", "Adapters", "Store", "Territory", "Geo", "Analysis", "Catalog", "Export",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "Service",
            dependencies: [
                "Pipeline", "Store", "Analysis", "Catalog", "Territory", "Export", "Cartography", "Formats", "CMalloc",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                // The map page, compiled into the binary: nothing to install, nothing fetched from elsewhere.
                .embedInCode("Web")
            ]),
        .executableTarget(
            name: "ruralmapd",
            dependencies: [
                "Pipeline", "Service", "Store", "Analysis", "Territory", "Export", "Cartography",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "RuralmapTests",
            dependencies: [
                "Pipeline", "Fetching", "Formats", "Adapters", "Store", "Territory", "Geo", "Analysis", "Catalog",
                "Export",
                "Service", "Cartography",
                // The CLI tests run the binary: depending on it builds it with the tests, never stale.
                "ruralmapd",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ], exclude: ["Support/test_server.py", "Support/toml_reference.py", "Browser"]),
    ],
    swiftLanguageModes: [.v6]
)
