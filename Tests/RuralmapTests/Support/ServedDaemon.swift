import Foundation

/// `ruralmapd serve` started for a test on a free loopback port (read from its READY status over
/// a test NOTIFY_SOCKET), killed when the test ends.
final class ServedDaemon {
    let process = Process()
    let port: Int
    let base: String
    let logPath: String
    /// Every sd_notify message the daemon sent.
    let notify: DaemonTests.NotifyListener

    init(config: String, logPath: String, environment: [String: String] = [:]) throws {
        let notify = try DaemonTests.NotifyListener()
        self.notify = notify
        process.executableURL = URL(fileURLWithPath: TestSupport.packageRoot + "/.build/debug/ruralmapd")
        process.arguments = ["serve", "--config", config]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = "@" + notify.name
        env.merge(environment) { $1 }
        process.environment = env
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        self.logPath = logPath
        try process.run()
        guard notify.wait(for: "READY=1"), let ready = notify.all.first(where: { $0.contains("READY=1") }),
            let port = ready.split(separator: ":").last.flatMap({ Int($0.filter(\.isNumber)) })
        else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure(
                "the daemon did not get ready; log: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
        }
        self.port = port
        base = "http://127.0.0.1:\(port)"
    }

    /// What the daemon wrote on stderr so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
