import Foundation

/// Turns an SVG file into PNG with `rsvg-convert` (librsvg, GNOME's well-kept renderer; Debian
/// package `librsvg2-bin`). Rendering SVG is a browser's job: we call the tool rather than ship a
/// half renderer of our own.
public struct SVGRasterizer: Sendable {
    /// The converter's path, or nil when it is not installed.
    public let executable: String?

    /// Looks for `rsvg-convert` on `PATH`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        executable = path.split(separator: ":").map { "\($0)/rsvg-convert" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Writes `png` from `svg`, `zoom` device pixels per SVG unit.
    /// - Throws: ``MapError`` when the converter is missing or fails.
    public func convert(svg: String, png: String, zoom: Double = 2) throws {
        guard let executable else {
            throw MapError(
                code: .converterMissing,
                message:
                    "PNG output needs rsvg-convert (Debian package librsvg2-bin); it is not installed. "
                    + "SVG output works without it."
            )
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--format", "png", "--zoom", String(zoom), "--background-color", "white", "--output", png, svg,
        ]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        // Polling rather than waitUntilExit(), which spins without a run loop on Linux.
        while process.isRunning { usleep(10_000) }
        guard process.terminationStatus == 0 else {
            throw MapError(
                code: .converterFailed,
                message:
                    "rsvg-convert failed (\(process.terminationStatus)): \(String(decoding: message, as: UTF8.self))")
        }
    }
}
