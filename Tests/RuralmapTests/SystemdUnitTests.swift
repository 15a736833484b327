import Foundation
import Testing

/// The units in systemd/ pass `systemd-analyze verify` and the daemon's exposure is 2.0 or lower.
struct SystemdUnitTests {
    private func analyze(_ arguments: [String], in dir: String) throws -> (Int32, String) {
        try TestSupport.command(["systemd-analyze"] + arguments, in: dir)
    }

    @Test func unitsVerifyAndServiceIsHardened() throws {
        let dir = try TestSupport.temporaryDirectory()
        let binary = TestSupport.packageRoot + "/.build/debug/ruralmapd"
        #expect(FileManager.default.fileExists(atPath: binary))
        let units = ["ruralmapd.service", "ruralmapd-ingest.service", "ruralmapd-ingest.timer"]
        for unit in units {
            let text = try String(contentsOfFile: TestSupport.packageRoot + "/systemd/" + unit, encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/bin/ruralmapd", with: binary).write(
                toFile: dir + "/" + unit, atomically: true, encoding: .utf8)
        }
        let (status, output) = try analyze(["verify"] + units, in: dir)
        #expect(status == 0, "\(output)")
        #expect(!output.contains("Unknown key"), "\(output)")
        let (_, security) = try analyze(["security", "--offline=true", "ruralmapd.service"], in: dir)
        let line = try #require(security.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let level = try #require(line.split(separator: " ").compactMap { Double($0) }.first)
        #expect(level <= 2.0, "\(line)")
        let service = try String(contentsOfFile: dir + "/ruralmapd.service", encoding: .utf8)
        for key in [
            "Type=notify", "WatchdogSec=", "Restart=on-failure", "DynamicUser=yes", "MemoryDenyWriteExecute=yes",
            "CapabilityBoundingSet=\n",
        ] {
            #expect(service.contains(key), "missing \(key)")
        }
    }
}
