// swift-tools-version:6.1
// libFuzzer targets for ruralmapd's readers. Built only by `make fuzz`:
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import PackageDescription

let package = Package(
    name: "RuralmapFuzz",
    dependencies: [.package(name: "ruralmap", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(
            name: "FuzzCSV", dependencies: ["FuzzSupport", .product(name: "RuralmapFormats", package: "ruralmap")]),
        .executableTarget(
            name: "FuzzJSON", dependencies: ["FuzzSupport", .product(name: "RuralmapFormats", package: "ruralmap")]),
        .executableTarget(
            name: "FuzzConfig", dependencies: ["FuzzSupport", .product(name: "RuralmapFormats", package: "ruralmap")]),
    ],
    swiftLanguageModes: [.v6]
)
