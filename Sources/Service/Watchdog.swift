import ServiceLifecycle

/// Pings systemd's watchdog every half `WATCHDOG_USEC` for as long as this task gets to run: a
/// process whose concurrency runtime is wedged stops pinging, and systemd restarts it.
struct Watchdog: Service {
    let notifier: SystemdNotifier

    func run() async throws {
        guard let interval = notifier.watchdogInterval else {
            // A service that returns ends the group: wait for the shutdown instead.
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            notifier.notify("WATCHDOG=1")
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
