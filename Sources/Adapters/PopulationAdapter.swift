import Formats
import Territory

/// INSEE populations légales by commune: PMUN (municipale), PCAP (comptée à part), PTOT (totale).
public struct PopulationAdapter: SourceAdapter {
    public init() {}

    public func read(_ input: ByteReaderInput, spec: SourceSpec, into sink: RecordSink) throws -> Int {
        let csv = try input.csv()
        let h = csv.header
        let code = try h.require(spec.names("code", default: ["COM", "DEPCOM", "CODGEO"]))
        let pmun = try h.require(spec.names("pmun", default: ["PMUN"]))
        let pcap = h.column("PCAP")
        let ptot = h.column("PTOT")
        return try csv.forEachRow(input: input, sink: sink) {
            guard let c = csv.value(code).flatMap(CommuneCode.init(_:)) else {
                return try sink.reject(line: csv.line, reason: "invalid commune code \(csv.string(code) ?? "")")
            }
            guard let p = csv.integer(pmun), p >= 0 else {
                return try sink.reject(line: csv.line, reason: "invalid PMUN for \(c)")
            }
            try sink.emit(
                .population(code: c, pmun: p, pcap: csv.integer(pcap), ptot: csv.integer(ptot)), line: csv.line)
        }
    }
}
