import Foundation

/// `ruralmapd serve` started for a test on a free loopback port (read from its READY status over
/// a test NOTIFY_SOCKET), killed when the test ends.
final class ServedDaemon {
    let process = Process()
    let base: String
    let logPath: String

    init(config: String, logPath: String) throws {
        let notify = try DaemonTests.NotifyListener()
        process.executableURL = URL(fileURLWithPath: TestSupport.packageRoot + "/.build/debug/ruralmapd")
        process.arguments = ["serve", "--config", config]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = "@" + notify.name
        process.environment = env
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        self.logPath = logPath
        try process.run()
        guard notify.wait(for: "READY=1"), let ready = notify.all.first(where: { $0.contains("READY=1") }),
              let port = ready.split(separator: ":").last.flatMap({ Int($0.filter(\.isNumber)) }) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("the daemon did not get ready; log: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
        }
        base = "http://127.0.0.1:\(port)"
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
